/// Where the dense convolution (x86: `x86/DenseConvolutionAVX2.swift`, `x86/DenseConvolutionVNNI.swift`;
/// aarch64: `arm/DenseConvolutionNEON.swift`) keeps its working memory in a layer's scratch region
/// (caller-owned), each part 32-byte aligned relative to the region:
///
/// 1. `thresholds`: `15 · outC` int32 code thresholds, channel order (`θ_{j,n}` at
///    `(n − 1) · outC + j`, `Requantize.fillCodeThresholds`).
/// 2. `sums`: `pixels · 4 · tileChannels` int32 sums of one block of output pixels: one tile's
///    (`pixels · tileChannels`), or up to four tiles' one after the other (the AVX-512 VNNI block).
/// 3. `tapPrefix`: the counters' tap prefix sums (`WeightedLayer.countInputEvents`), as in
///    `EventScratch`.
/// 4. `weights`: one span of `span(layer)` output channels (64, 32 or 16: the largest that
///    divides `outC`; one cache line of each weight row), re-laid for `vpmaddubsw` as
///    `span / 16` tiles of 16 channels: for tile `s`, input-channel group `g` (channels
///    `4g…4g+3`, zero past `inC`) and tap `t`, 64 bytes at `((s · groups + g) · taps + t) · 64`
///    — output channel `q` (0…15) of the tile at `4q`, its four input channels' weights in order
///    (`wide` layers: groups of channels `2g, 2g+1`, their two weights as int16 at `4q`);
///    then, at `(span / 16) · groups · taps · 64`, one UInt32 per tile (x86 only: the aarch64
///    kernel neither writes nor reads them): its weight bound, the
///    largest over its groups and 16-bit lanes of `Σ_taps (|w_a| + |w_b|)` (the two weights a
///    lane pairs; `x86/DenseConvolutionAVX2.swift` derives the 16-bit budget from it), 32 bytes in all.
/// 5. `pixelMasks`: per input pixel (`inH · inW`, no border), `maskWords` UInt64 whose bit `g`
///    says whether input-channel group `g` holds a non-zero value there; `blockMasks`: per block of
///    output pixels (`blockCount`), the OR of its pixels' windows' pixel masks — the groups the
///    kernel must visit for that block (all of them for dense inputs).
/// 6. `input`: the layer's input channels-last with a zero border: `rows · width` pixels of
///    `channels` bytes (`inC` codes rounded up to 4; `wide` layers' `inC` bytes as 16-bit values,
///    rounded up to 2), input pixel `(y, x)` at `((y + padH) · width + x + padW) · channels`.
///
/// `wide` layers (those reading the model input: bytes up to 255, on x86 hosts without AVX-512
/// VNNI) run `vpmaddwd` on 16-bit values, two input channels per 4-byte group, into int32 sums
/// directly — one pass, no 16-bit budget — where codes run `vpmaddubsw` on four. With VNNI
/// (`vpdpbusd`, exact for bytes) and on aarch64 (`udot`) no layer is wide. The layout therefore depends on the host;
/// the scratch size (`bytes`) does not: it is the larger of the two layouts.
///
/// Layers that `fold` (W2's first layer: one input channel; W1's last convolution: 2×2 output
/// pixels) run as the 1×1 convolution over their taps folded into channels, their output
/// pixels as one row: `input` then holds, for output pixel `(oy, ox)` at `oy · outW + ox`, the
/// `inC · kernelH · kernelW` values of its window (zeros outside the input) in weight-row order
/// `(ci · kernelH + ky) · kernelW + kx` — so the weight rows need no change — rounded up to 4
/// channels: W2's first layer visits 3 groups per block instead of 9 taps of a 1-channel group,
/// W1's last convolution one block of its 4 pixels instead of two blocks of 2.
///
/// Applies to stride-1 convolutions with int8 weights and `outC` a multiple of 16, without a
/// residual input; the sizes depend only on the layer's shape, so packmodel plans them on any
/// host (`BufferRequirements.denseScratch`).
struct DenseScratch {
    /// Output pixels of one row computed together (their accumulators stay in registers).
    static let pixels = 4
    /// Output channels per weight tile.
    static let tileChannels = 16

    let thresholds: UnsafeMutablePointer<Int32>
    let sums: UnsafeMutablePointer<Int32>
    let tapPrefix: UnsafeMutablePointer<UInt32>
    let weights: UnsafeMutableRawPointer
    let pixelMasks: UnsafeMutablePointer<UInt64>
    let blockMasks: UnsafeMutablePointer<UInt64>
    let input: UnsafeMutablePointer<UInt8>

    init(scratch: UnsafeMutableRawPointer, layer: LayerRecord) {
        let o = Self.offsets(layer)
        thresholds = (scratch + o.thresholds).assumingMemoryBound(to: Int32.self)
        sums = (scratch + o.sums).assumingMemoryBound(to: Int32.self)
        tapPrefix = (scratch + o.tapPrefix).assumingMemoryBound(to: UInt32.self)
        weights = scratch + o.weights
        pixelMasks = (scratch + o.pixelMasks).assumingMemoryBound(to: UInt64.self)
        blockMasks = (scratch + o.blockMasks).assumingMemoryBound(to: UInt64.self)
        input = (scratch + o.input).assumingMemoryBound(to: UInt8.self)
    }

    /// The most values (`inC · taps`) one output of a wide layer sums: its int32 lanes add at most
    /// `values · 255 · 128` < 2^31.
    static let maxWideWindowValues = 65_536

    /// The most weight bytes per output pixel for which re-laying a layer's weights each run pays
    /// (`amortises`).
    static let amortisedWeightBytesPerPixel = 65_536

    /// The most bytes of copied windows a folded layer may take (`folds`).
    static let maxFoldedWindowBytes = 65_536

    /// Whether the dense kernel can run `layer` (shape only; the runtime also needs codes of at
    /// most 15 and the kernel compiled in). Wide layers sum at most `maxWideWindowValues` values.
    @inline(__always)
    static func supports(_ layer: LayerRecord) -> Bool {
        layer.kind == .conv2d && layer.weightBits == 8 && layer.strideH == 1
            && layer.strideW == 1 && layer.outC % tileChannels == 0 && layer.residualIndex < 0
            && layer.activation != .none
            && (!layer.readsModelInput || layer.inC * layer.kernelH * layer.kernelW <= maxWideWindowValues)
    }

    /// Whether the kernel may mask the layer's groups (`denseGroupMasks`: groups of 4 input
    /// channels of one pixel): not where they are folded taps or pairs of 16-bit values.
    @inline(__always)
    static func masks(_ layer: LayerRecord) -> Bool { !folds(layer) && !wide(layer) }

    /// Whether the dense kernels mask the groups of an input with `nonZero` non-zero values: a
    /// layer that can be masked (`masks`) and an input at most a quarter non-zero (denser ones
    /// leave the masks nothing to skip).
    @inline(__always)
    static func masksInput(_ layer: LayerRecord, nonZero: Int) -> Bool {
        masks(layer) && nonZero * 4 < layer.inputCount
    }

    /// Whether the layer runs on 16-bit values (`vpmaddwd`, two channels per group): the layers
    /// that read the model input, whose bytes exceed 15 — on x86 hosts without AVX-512 VNNI.
    @inline(__always)
    static func wide(_ layer: LayerRecord) -> Bool {
        // AVX-512 VNNI's `vpdpbusd` multiplies unsigned bytes up to 255 by int8 weights into
        // int32 exactly: there the model input runs on bytes, four values a group, like codes.
        layer.readsModelInput && !InstructionSet.denseTakesInputBytes
    }

    /// Whether the layer's weights are few enough for its output pixels to amortise re-laying
    /// them — at most `amortisedWeightBytesPerPixel` per output pixel — or the layer folds (its weights are read once
    /// per run however few its pixels: W1's last convolution, 4.7 MB for 4 pixels, in one block).
    /// Others never run dense under the automatic policy and are not prepacked.
    @inline(__always)
    static func amortises(_ layer: LayerRecord) -> Bool {
        folds(layer) || layer.inC * layer.kernelH * layer.kernelW * layer.outC
            <= amortisedWeightBytesPerPixel * layer.outH * layer.outW
    }

    /// Bytes of one span's interleaved weights and its tiles' weight bounds (the `weights` part).
    @inline(__always)
    static func spanWeightBytes(_ layer: LayerRecord, wide: Bool? = nil) -> Int {
        span(layer) / tileChannels * tileBytes(layer, wide: wide) + 32
    }

    /// Bytes of one tile's interleaved weights: `groups · taps · 64`.
    @inline(__always)
    static func tileBytes(_ layer: LayerRecord, wide: Bool? = nil) -> Int {
        channels(layer, wide: wide) / 4 * kernelH(layer) * kernelW(layer) * 64
    }

    /// Bytes of the layer's weights prepacked for the kernel: every span's interleaved weights,
    /// span `k` (output channels `k · span…`) at `k · spanWeightBytes`; 0 for layers the kernel
    /// does not run or that do not `amortise`.
    static func prepackedWeightBytes(_ layer: LayerRecord) -> Int {
        supports(layer) && amortises(layer) ? layer.outC / span(layer) * spanWeightBytes(layer) : 0
    }

    /// Whether the counters of a dense run can come from its channels-last copy
    /// (`WeightedLayer.countDenseInput`): the copy holds the input's own pixels (the layer does
    /// not fold), a byte per value (not `wide`), in whole 32-byte vectors (channels a multiple
    /// of 32).
    static func countsFromCopy(_ layer: LayerRecord) -> Bool {
        !folds(layer) && !wide(layer) && channels(layer) % 32 == 0
    }

    /// UInt32 entries of the layer's prepacked count table (`WeightedLayer.fillDenseCountTable`):
    /// `1 + BorderClasses.count` rows of `channels` entries, for prepacked layers that
    /// `countsFromCopy`; else 0.
    static func countTableEntries(_ layer: LayerRecord) -> Int {
        prepackedWeightBytes(layer) > 0 && countsFromCopy(layer)
            ? (1 + BorderClasses(layer).count) * channels(layer) : 0
    }

    /// Bytes of the layer's prepacked data (`Interpreter.prepack`): its interleaved weights, then
    /// its count table; 0 for layers the kernel does not run or that do not `amortise`.
    static func prepackedBytes(_ layer: LayerRecord) -> Int {
        let weights = prepackedWeightBytes(layer)
        return weights > 0 ? weights + 4 * countTableEntries(layer) : 0
    }

    /// Output channels interleaved together: 64, 32 or 16, the largest dividing `outC`.
    @inline(__always)
    static func span(_ layer: LayerRecord) -> Int {
        layer.outC % 64 == 0 ? 64 : (layer.outC % 32 == 0 ? 32 : 16)
    }

    /// Bytes of the channels-last input.
    @inline(__always)
    static func inputBytes(_ layer: LayerRecord, wide: Bool? = nil) -> Int {
        rows(layer) * width(layer) * channels(layer, wide: wide)
    }

    /// Whether the kernel folds the layer's taps into channels: when that at least halves the
    /// kernel's (block, 4-channel step) pairs — `2 · ⌈P / 4⌉ · ⌈inC · taps / 4⌉ ≤ outH ·
    /// ⌈outW / 4⌉ · ⌈inC / 4⌉ · taps`, with the folded layer's `P = outH · outW` output pixels
    /// taken as one row — and the copied windows take at most 64 KiB. That folds one input
    /// channel under a 3×3 window (W2's first layer: 3 steps per block instead of 9) and small
    /// outputs whose rows are narrower than a block (W1's last convolution, 2×2 pixels: one
    /// block instead of two half-empty ones). The factor of two pays for the window copy: a
    /// layer whose steps shrink less (W1's 3-channel first layer: 7 instead of 9) is not folded.
    @inline(__always)
    static func folds(_ layer: LayerRecord) -> Bool {
        let taps = layer.kernelH * layer.kernelW, plane = layer.outH * layer.outW
        let foldedSteps = (plane + pixels - 1) / pixels * ((layer.inC * taps + 3) / 4)
        let steps = layer.outH * ((layer.outW + pixels - 1) / pixels) * ((layer.inC + 3) / 4) * taps
        return 2 * foldedSteps <= steps && plane * ((layer.inC * taps + 3) & ~3) <= maxFoldedWindowBytes
    }

    /// Output rows and pixels per row as the kernel walks them: the layer's, or, folded, one
    /// row of all `outH · outW` pixels (output pixel `(oy, ox)` at `oy · outW + ox`).
    @inline(__always)
    static func outputRows(_ layer: LayerRecord) -> Int { folds(layer) ? 1 : layer.outH }

    @inline(__always)
    static func outputColumns(_ layer: LayerRecord) -> Int { folds(layer) ? layer.outH * layer.outW : layer.outW }

    /// The kernel window the dense kernel walks: the layer's, or 1×1 when it `folds`.
    @inline(__always)
    static func kernelH(_ layer: LayerRecord) -> Int { folds(layer) ? 1 : layer.kernelH }

    @inline(__always)
    static func kernelW(_ layer: LayerRecord) -> Int { folds(layer) ? 1 : layer.kernelW }

    /// Bytes per pixel of the channels-last input, a multiple of 4 (groups of 4 bytes): its
    /// values — `inC`, or folded `inC · kernelH · kernelW` — rounded up to 4, or for `wide`
    /// layers two bytes per value, rounded up to 2 values. `wide`: for that layout (nil: this
    /// host's, `wide(layer)`).
    @inline(__always)
    static func channels(_ layer: LayerRecord, wide: Bool? = nil) -> Int {
        let values = folds(layer) ? layer.inC * layer.kernelH * layer.kernelW : layer.inC
        return wide ?? Self.wide(layer) ? (values + 1) / 2 * 4 : (values + 3) & ~3
    }

    /// Rows of the channels-last input: `outH + kernelH − 1` (= `inH + 2 · padH`; 1 folded).
    @inline(__always)
    static func rows(_ layer: LayerRecord) -> Int { outputRows(layer) + kernelH(layer) - 1 }

    /// Pixels per row of the channels-last input: `outputColumns` rounded up to `pixels`, plus
    /// `kernelW − 1`. The walk does not need the rounding (blocks may span rows); it keeps
    /// `bytes`, and so the arena plans of packed models, unchanged.
    @inline(__always)
    static func width(_ layer: LayerRecord) -> Int {
        (outputColumns(layer) + pixels - 1) / pixels * pixels + kernelW(layer) - 1
    }

    /// Blocks of `pixels` output pixels: the output plane (`outputRows · outputColumns`) in
    /// raster order, `pixels` consecutive pixels a block, which may span rows (`DenseBlockWalk`);
    /// only the last may be partial, so rows whose width is not a multiple of `pixels` compute
    /// no empty pixels.
    @inline(__always)
    static func blockCount(_ layer: LayerRecord) -> Int {
        (outputRows(layer) * outputColumns(layer) + pixels - 1) / pixels
    }

    /// UInt64 words of one group mask: one bit per input-channel group.
    @inline(__always)
    static func maskWords(_ layer: LayerRecord, wide: Bool? = nil) -> Int { (channels(layer, wide: wide) / 4 + 63) / 64 }

    @inline(__always)
    static func aligned32(_ n: Int) -> Int { (n + 31) & ~31 }

    /// The parts' offsets in this host's layout (`wide`: nil), or in the one given.
    static func offsets(_ layer: LayerRecord, wide: Bool? = nil)
        -> (thresholds: Int, sums: Int, tapPrefix: Int, weights: Int, pixelMasks: Int, blockMasks: Int, input: Int, end: Int) {
        let thresholds = 0
        let sums = aligned32(thresholds + layer.outC * WeightedLayer.maxThresholdTimesteps * 4)
        let tapPrefix = aligned32(sums + pixels * 4 * tileChannels * 4)
        let weights = aligned32(tapPrefix + layer.inC * EventScratch.prefixEntries(layer) * 4)
        let pixelMasks = aligned32(weights + spanWeightBytes(layer, wide: wide))
        let blockMasks = aligned32(pixelMasks + layer.inH * layer.inW * maskWords(layer, wide: wide) * 8)
        let input = aligned32(blockMasks + blockCount(layer) * maskWords(layer, wide: wide) * 8)
        let end = input + inputBytes(layer, wide: wide)
        return (thresholds, sums, tapPrefix, weights, pixelMasks, blockMasks, input, end)
    }

    /// Scratch bytes the dense kernel needs for `layer`, or 0 where it does not apply. 32 more
    /// than the parts so that the runtime can align them to 32 bytes in a 16-byte aligned region.
    /// The same on every host: the larger of the model input's two layouts (16-bit values
    /// where AVX2 runs it, bytes where AVX-512 VNNI does), so that a packed model's plans fit both.
    /// The dense convolution's scratch for `layer` in `mode`, planned by shape on every target
    /// (in the QNN and the layer-wise SNN), whether or not this build has the kernel, so that a
    /// plan does not depend on where it was made; 0 elsewhere.
    static func planned(_ layer: LayerRecord, mode: ExecutionMode) -> Int {
        mode == .snnStreaming ? 0 : bytes(layer)
    }

    static func bytes(_ layer: LayerRecord) -> Int {
        supports(layer) ? max(offsets(layer, wide: layer.readsModelInput).end, offsets(layer, wide: false).end) + 32 : 0
    }
}

/// Walks the dense kernel's blocks (`DenseScratch.blockCount`) in order: for each, the byte
/// offset of its first pixel's window in the channels-last input, the offsets of its pixels
/// 1…3 from that (a pixel past a row's end continues on the next row, `width − columns` input
/// pixels further; a pixel past the plane repeats the last one, computed but not stored), its
/// first output pixel and how many of its pixels exist.
struct DenseBlockWalk {
    let columns: Int, width: Int, channels: Int, plane: Int
    private var row = 0, column = 0, pixel = 0

    init(_ layer: LayerRecord) {
        columns = DenseScratch.outputColumns(layer)
        width = DenseScratch.width(layer)
        channels = DenseScratch.channels(layer)
        plane = DenseScratch.outputRows(layer) * columns
    }

    /// Whether the next block is a full one that continues the last one's row (its pixels
    /// follow the last one's, `channels` apart).
    var continuesRow: Bool {
        column != 0 && column &+ DenseScratch.pixels <= columns && pixel &+ DenseScratch.pixels <= plane
    }

    @inline(__always)
    mutating func next() -> (origin: Int, offsets: (Int, Int, Int), pixel: Int, pixels: Int) {
        let first = pixel
        let n = DenseScratch.pixels
        if column &+ n <= columns && first &+ n <= plane {
            // Within one row (every block of rows that are a multiple of 4 pixels wide).
            let origin = (row &* width &+ column) &* channels
            pixel &+= n
            column &+= n
            if column == columns { column = 0; row &+= 1 }
            return (origin, (channels, channels &* 2, channels &* 3), first, n)
        }
        let pixels = min(DenseScratch.pixels, plane - first)
        // Input pixel (in `width` units) of output pixel k of the block, from the first one.
        var y = 0, x = column, last = 0
        var offsets = (0, 0, 0)
        for k in 1..<DenseScratch.pixels {
            if k < pixels {
                x += 1
                while x >= columns { x -= columns; y += 1 }
                last = (y * width + x - column) * channels
            }
            switch k {
            case 1: offsets.0 = last
            case 2: offsets.1 = last
            default: offsets.2 = last
            }
        }
        let origin = (row * width + column) * channels
        pixel += DenseScratch.pixels
        column += DenseScratch.pixels
        while column >= columns { column -= columns; row += 1 }
        return (origin, offsets, first, pixels)
    }
}

/// The border classes of a stride-1 convolution's input: the inputs that reach fewer than all
/// the kernel's taps, grouped so that the inputs of a class reach the same taps. Per border
/// row (`y < yLo` or `y ≥ yHi`, in order): its middle columns `xLo..<xHi` (when any), then each
/// of its border columns alone; then, when there are inner rows, each border column's inner
/// rows `yLo..<yHi`. The same classes, in the same order, as `countInputEvents` corrects.
struct BorderClasses {
    let yLo: Int, yHi: Int, xLo: Int, xHi: Int, inH: Int, inW: Int
    let borderRows: Int, borderColumns: Int, perRow: Int, count: Int

    init(_ layer: LayerRecord) {
        inH = layer.inH; inW = layer.inW
        yLo = max(0, layer.kernelH - 1 - layer.padH); yHi = max(yLo, min(layer.inH, layer.outH - layer.padH))
        xLo = max(0, layer.kernelW - 1 - layer.padW); xHi = max(xLo, min(layer.inW, layer.outW - layer.padW))
        borderRows = min(yLo, inH) + max(0, inH - yHi)
        borderColumns = min(xLo, inW) + max(0, inW - xHi)
        perRow = (xHi > xLo ? 1 : 0) + borderColumns
        count = borderRows * perRow + (yHi > yLo ? borderColumns : 0)
    }

    /// Border row `k` (`0..<borderRows`): the rows above `yLo`, then those from `yHi` on.
    @inline(__always)
    func borderRow(_ k: Int) -> Int { k < min(yLo, inH) ? k : yHi + (k - min(yLo, inH)) }

    /// Border column `k` (`0..<borderColumns`): the columns left of `xLo`, then those from `xHi` on.
    @inline(__always)
    func borderColumn(_ k: Int) -> Int { k < min(xLo, inW) ? k : xHi + (k - min(xLo, inW)) }

    /// Every class's rectangle in class order (`rectangle(k)` for k = 0, 1, …), without
    /// `rectangle`'s division.
    @inline(__always)
    func forEachRectangle(_ body: (_ index: Int, _ rect: (y0: Int, y1: Int, x0: Int, x1: Int)) -> Void) {
        var index = 0
        for k in 0..<borderRows {
            let y = borderRow(k)
            if xHi > xLo {
                body(index, (y, y + 1, xLo, xHi))
                index += 1
            }
            for j in 0..<borderColumns {
                let x = borderColumn(j)
                body(index, (y, y + 1, x, x + 1))
                index += 1
            }
        }
        if yHi > yLo {
            for j in 0..<borderColumns {
                let x = borderColumn(j)
                body(index, (yLo, yHi, x, x + 1))
                index += 1
            }
        }
    }

    /// Class `index`'s inputs: rows `y0..<y1` × columns `x0..<x1`.
    func rectangle(_ index: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int) {
        if index < borderRows * perRow {
            let k = index / perRow, j = index - k * perRow
            let y = borderRow(k)
            if xHi > xLo {
                if j == 0 { return (y, y + 1, xLo, xHi) }
                let x = borderColumn(j - 1)
                return (y, y + 1, x, x + 1)
            }
            let x = borderColumn(j)
            return (y, y + 1, x, x + 1)
        }
        let x = borderColumn(index - borderRows * perRow)
        return (yLo, yHi, x, x + 1)
    }
}

