#if JOULE_ARM_NEON
internal import JouleNEON

/// The dense convolution on 64-bit ARM with the dot-product extension (`JOULE_ISA=neon`, the
/// aarch64 Linux boards): the layout of the x86 kernels (`../DenseScratch.swift`: channels-last
/// input with a zero border, weights interleaved as `[tile][group][tap][channel][4 inputs]`,
/// group masks per block of 4 output pixels) — whose 64 bytes per tap and tile are exactly four
/// `sdot` weight vectors — with the block in C (`NEON/joule_neon.h`): 4 pixels × 16 channels
/// in 16 registers, one `sdot` per pixel and 4 channels per tap and input-channel group (16
/// multiply-adds), the 4 bytes of a pixel's group broadcast; the codes made from the sums in
/// registers against the channel-ordered thresholds. Codes and spike counts (0…15) run `sdot`;
/// the model input's bytes (0…255) `udot` with the weights offset by 128 and a per-pixel sum of
/// the bytes to take it back out (`joule_neon_dense_block_bytes`), so no layer is `wide`.
///
/// Chosen at run time (`hasDotProduct`: Linux's HWCAP_ASIMDDP — Cortex-A55/A76/A78/X1,
/// Raspberry Pi 5): without the dot product (Cortex-A53/A72, Raspberry Pi 3/4) the same binary
/// runs the plain NEON block (`joule_neon_dense_block_plain`: `smlal` into int16 lanes, `sadalp`
/// into int32) over codes and spike counts (windows up to `JOULE_NEON_PLAIN_TAPS` wide), and the
/// model input's bytes and the folded layers (one tap per group: W1's last convolution, whose
/// 4.7 MB of weights the event gather reads once) go to the other kernels. Results
/// equal the plain kernel's bit for bit (`DenseConvolutionTests`, `KernelSelectionTests`,
/// `RuntimeAgreementTests` in the host build of this set, where the header's plain C stands in;
/// the header's blocks against an independent reference on the emulated cores,
/// `Tests/cmocka/test_neon_blocks.c`; `Tools/cross-test aarch64-linux` and `Tools/a-bench`).
enum DenseDotKernel: WeightedKernel {
    static var kernel: LayerKernel { .denseConvolution }
    static var family: KernelFamily { .dense }

    static func supports(_ r: KernelRequest) -> Bool {
        let m = r.maxValue
        return r.mode != .snnStreaming && r.input != .spikeTrains && m >= 1
            && r.timesteps <= WeightedLayer.maxThresholdTimesteps
            && (m <= 15 || (r.record.readsModelInput && m <= 255))
            && DenseScratch.supports(r.record) && r.planGives(DenseScratch.bytes(r.record))
            && (hasDotProduct || (m <= 15 && !DenseScratch.folds(r.record)
                                  && DenseScratch.kernelW(r.record) <= Int(JOULE_NEON_PLAIN_TAPS)))
    }

    /// Whether this CPU has the dot product (`joule_neon_dot_available`; the plain C of other
    /// hosts counts as having it): the `sdot`/`udot` blocks run, else the plain NEON block, which
    /// leaves the model input's bytes to the other kernels.
    static var hasDotProduct: Bool { joule_neon_dot_available() != 0 }

    static func isPriced(_ r: KernelRequest) -> Bool { DenseScratch.amortises(r.record) }

    /// Inputs more than a quarter non-zero priced over every group (as the x86 kernel's,
    /// `x86/DenseConvolutionKernel.swift`); sparser ones over the groups a block's window would
    /// hold a non-zero in if the non-zero values were scattered independently, `1 − (1 − d)^n`
    /// of them for density `d` and the window's `n` values of a group — not at the fixed part
    /// alone, so that a layer the masks cannot save is not given the masks' pass first
    /// (`prepare` prices the masks it makes).
    static func price(_ r: KernelRequest, activity: InputActivity) -> Int64 {
        let layer = r.record
        let all = DenseScratch.blockCount(layer) * DenseScratch.channels(layer) / 4
        var active = all
        if DenseScratch.masksInput(layer, nonZero: activity.nonZero) {
            let zero = 1 - Double(activity.nonZero) / Double(max(1, layer.inputCount))
            let values = 4 * layer.kernelH * (layer.kernelW + DenseScratch.pixels - 1)
            var allZero = 1.0
            for _ in 0..<values { allZero *= zero }
            active = Int(Double(all) * (1 - allZero))
        }
        return r.weighted.densePicoseconds(activeGroups: active) ?? Int64.max
    }

    /// The group masks (`WeightedLayer.prepareDense`): the NEON pixel masks; the `sdot` block
    /// visits groups in pairs and is priced so.
    static func prepare(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>,
                        activity: InputActivity?) -> Int64? {
        let pairs = hasDotProduct && r.maxValue <= 127
        return WeightedLayer.prepareDense(r, x, input: src, activity: activity) {
            r.weighted.denseGroupMasksNEON(src, layout: $0, pairs: pairs)
        }
    }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        let w = r.weighted, i = r.layer, t = r.timesteps, layer = r.record
        let layout = DenseScratch(scratch: x.alignedScratch(layer: i), layer: layer)
        x.prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
        w.denseConvolutionNEON(input: src, maxValue: r.maxValue, layout: layout,
                               prepacked: x.prepackedData(layer: i, layer, kernel: .denseConvolution),
                               timesteps: t, output: x.bytes(.output, layer: i))
        guard counting else { return WeightedLayer.EventTally() }
        return x.inputTally(w, layer: i, input: src, weighted: r.input != .values, scratch: layout.tapPrefix)
    }

    /// The interleaved weights of the layers this CPU's block may run (without the dot product not
    /// the folded ones nor windows over `JOULE_NEON_PLAIN_TAPS` wide): a property of the CPU, the
    /// same when the buffer is sized and when it is filled.
    static func prepackBytes(_ layer: LayerRecord) -> Int {
        let plainRefuses = DenseScratch.folds(layer) || DenseScratch.kernelW(layer) > Int(JOULE_NEON_PLAIN_TAPS)
        return hasDotProduct || !plainRefuses ? DenseScratch.prepackedWeightBytes(layer) : 0
    }

    static func prepack(_ w: WeightedLayer, at: UnsafeMutableRawPointer, tapPrefix: UnsafePointer<UInt32>?) {
        let r = w.record, span = DenseScratch.span(r)
        var first = 0
        while first < r.outC {
            w.interleaveSpanNEON(first, into: at + first / span * DenseScratch.spanWeightBytes(r))
            first += span
        }
    }
}

extension WeightedLayer {
    /// `denseGroupMasks` (`x86/DenseConvolutionAVX2.swift`) here: the pixel masks from the CHW
    /// input (`joule_neon_pixel_masks`), then the block masks; returns the (block, group) pairs
    /// the block will visit — the active ones, or with `pairs` (the `sdot` block) both groups of
    /// every pair with one active.
    /// - Precondition: `DenseScratch.masks(record)`.
    func denseGroupMasksNEON(_ input: UnsafePointer<UInt8>, layout: DenseScratch, pairs: Bool) -> Int {
        let r = record
        let words = DenseScratch.maskWords(r)
        let groups = DenseScratch.channels(r) / 4, plane = r.inH * r.inW
        layout.pixelMasks.update(repeating: 0, count: plane * words)
        for g in 0..<groups {
            joule_neon_pixel_masks(input + 4 * g * plane, Int64(plane), Int64(min(r.inC, 4 * g + 4) - 4 * g),
                                   layout.pixelMasks + (g >> 6), Int64(words), UInt64(1) &<< UInt64(truncatingIfNeeded: g & 63))
        }
        let active = fillDenseBlockMasks(layout)
        guard pairs else { return active }
        // The groups the paired block visits: both of each pair with a group set (the last of
        // an odd count alone).
        var visited = 0
        for i in 0..<(DenseScratch.blockCount(r) * words) {
            let m = layout.blockMasks[i]
            visited &+= 2 &* ((m | m &>> 1) & 0x5555_5555_5555_5555).nonzeroBitCount
        }
        if groups % 2 == 1 {  // a set last group counted as a pair
            let last = groups - 1
            for b in 0..<DenseScratch.blockCount(r) where layout.blockMasks[b * words + last / 64] & (1 &<< UInt64(truncatingIfNeeded: last % 64)) != 0 {
                visited &-= 1
            }
        }
        return visited
    }

    /// Runs the layer over `input` (CHW values `0…maxValue`: codes and spike counts up to 15, or
    /// the model input's bytes up to 255) into `output` (CHW codes), visiting for each block only
    /// the groups its mask has. `layout` holds this input's masks and this run's thresholds;
    /// `prepacked`: the weights as `DenseDotKernel.prepack` lays them, or nil to interleave each
    /// span into `layout.weights` as it runs.
    /// - Precondition: `DenseScratch.supports(record)`.
    func denseConvolutionNEON(input: UnsafePointer<UInt8>, maxValue: Int, layout: DenseScratch,
                              prepacked: UnsafeRawPointer?, timesteps t: Int, output: UnsafeMutablePointer<UInt8>) {
        let r = record
        let channels = DenseScratch.channels(r), width = DenseScratch.width(r)
        layout.input.update(repeating: 0, count: DenseScratch.inputBytes(r))
        if DenseScratch.folds(r) {
            copyFoldedWindows(input, into: layout.input, channels: channels, wide: false)
        } else {
            copyChannelsLastNEON(input, into: layout.input, channels: channels, width: width)
        }
        let words = DenseScratch.maskWords(r), blockCount = DenseScratch.blockCount(r)
        let plane = r.outH * r.outW
        let span = DenseScratch.span(r), tileBytes = DenseScratch.tileBytes(r)
        let bytes = maxValue > 127, dot = DenseDotKernel.hasDotProduct
        var block = joule_neon_block()
        block.words = Int64(words)
        block.kernel_h = Int64(DenseScratch.kernelH(r))
        block.kernel_w = Int64(DenseScratch.kernelW(r))
        block.channels = Int64(channels)
        block.row_stride = Int64(width * channels)
        block.out_c = Int64(r.outC)
        block.timesteps = Int64(t)
        block.plane = Int64(plane)
        var first = 0
        while first < r.outC {
            let spanWeights: UnsafeRawPointer
            if let prepacked {
                spanWeights = prepacked + first / span * DenseScratch.spanWeightBytes(r)
            } else {
                interleaveSpanNEON(first, into: layout.weights)
                spanWeights = UnsafeRawPointer(layout.weights)
            }
            for s in 0..<(span / DenseScratch.tileChannels) {
                let tile = first + s * DenseScratch.tileChannels
                block.weights = (spanWeights + s * tileBytes).assumingMemoryBound(to: Int8.self)
                block.thresholds = UnsafePointer(layout.thresholds + tile)
                var walk = DenseBlockWalk(r)
                for b in 0..<blockCount {
                    let at = walk.next()
                    block.origin = UnsafePointer(layout.input + at.origin)
                    block.off1 = Int64(at.offsets.0)
                    block.off2 = Int64(at.offsets.1)
                    block.off3 = Int64(at.offsets.2)
                    block.mask = UnsafePointer(layout.blockMasks + b &* words)
                    block.output = output + (tile &* plane &+ at.pixel)
                    block.pixels = Int64(at.pixels)
                    if bytes {
                        joule_neon_dense_block_bytes(&block)
                    } else if dot {
                        joule_neon_dense_block(&block)
                    } else {
                        joule_neon_dense_block_plain(&block)
                    }
                }
            }
            first += span
        }
    }

    /// Copies CHW `input` into the zeroed channels-last `out` (`DenseScratch.input`: pixel
    /// `(y, x)` at `((y + padH) · width + x + padW) · channels`), four channels and one row at a
    /// time (`joule_neon_copy_group`).
    func copyChannelsLastNEON(_ input: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, channels: Int,
                              width: Int) {
        let r = record
        let plane = r.inH * r.inW
        var g = 0
        while 4 * g < r.inC {
            let k = Int64(min(4, r.inC - 4 * g))
            for y in 0..<r.inH {
                joule_neon_copy_group(input + 4 * g * plane + y * r.inW, Int64(plane), k, Int64(r.inW),
                                      out + ((y + padH) * width + padW) * channels + 4 * g, Int64(channels))
            }
            g += 1
        }
    }

    /// Interleaves the weights of output channels `first…first + span − 1` into `out` as
    /// `DenseScratch.weights` lays them (`joule_neon_interleave_span`); the tiles' weight bounds
    /// after them are not used here and not written.
    func interleaveSpanNEON(_ first: Int, into out: UnsafeMutableRawPointer) {
        let r = record
        joule_neon_interleave_span(weights.assumingMemoryBound(to: Int8.self), Int64(r.rowBytes), Int64(first),
                                   Int64(DenseScratch.span(r)), Int64(DenseScratch.channels(r) / 4),
                                   Int64(DenseScratch.kernelH(r) * DenseScratch.kernelW(r)),
                                   Int64(DenseScratch.folds(r) ? r.inC * kernelH * kernelW : r.inC),
                                   out.assumingMemoryBound(to: Int8.self))
    }
}
#endif
