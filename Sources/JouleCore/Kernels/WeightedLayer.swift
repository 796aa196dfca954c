/// A validated convolution or fully connected layer, with pointers into the packed file.
///
/// A fully connected layer is treated as the convolution whose kernel covers the whole input
/// (`kh = inH`, `kw = inW`, stride 1, no padding, a 1×1 output): its weight rows
/// `(ci · inH + y) · inW + x` are exactly the CHW-flattened input features.
public struct WeightedLayer {
    public let record: LayerRecord
    public let kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int
    /// First weight row; row `r` starts `r · rowBytes` later.
    public let weights: UnsafeRawPointer
    let multipliers: UnsafeRawPointer
    let biases: UnsafeRawPointer
    let rowCounts: UnsafeRawPointer

    /// - Precondition: `record` is a weighted layer of `model`, validated by `PackedModel.open`.
    public init(_ record: LayerRecord, in model: PackedModel) {
        self.record = record
        let base = model.view.base
        weights = base + record.weightOffset
        multipliers = base + record.multiplierOffset
        biases = base + record.biasOffset
        rowCounts = base + record.rowCountsOffset
        if record.kind == .linear {
            kernelH = record.inH; kernelW = record.inW; strideH = 1; strideW = 1; padH = 0; padW = 0
        } else {
            kernelH = record.kernelH; kernelW = record.kernelW
            strideH = record.strideH; strideW = record.strideW
            padH = record.padH; padW = record.padW
        }
    }

    @inlinable @inline(__always)
    public func row(_ r: Int) -> UnsafeRawPointer { weights + r &* record.rowBytes }

    @inline(__always)
    func multiplier(_ j: Int) -> Int64 {
        Int64(widening: Int32(littleEndian: multipliers.load(fromByteOffset: 4 * j, as: Int32.self)))
    }

    @inline(__always)
    func bias(_ j: Int) -> Int64 {
        Int64(littleEndian: biases.load(fromByteOffset: 8 * j, as: Int64.self))
    }

    @inline(__always)
    func nonZeroWeights(row r: Int) -> UInt64 {
        UInt64(widening: UInt32(littleEndian: rowCounts.load(fromByteOffset: 4 &* r, as: UInt32.self)))
    }

    /// Valid (non-padding) kernel taps times `inC · outC` over all output pixels: NeuroBench's
    /// dense synaptic operations of one pass.
    func denseSynapticOps() -> UInt64 {
        UInt64(widening: validTaps()) * UInt64(widening: record.inC) * UInt64(widening: record.outC)
    }

    /// Valid (non-padding) kernel taps summed over all output pixels, per input channel and
    /// output channel: a pixel's valid taps are its valid kernel rows times its valid kernel
    /// columns, so the sum is the product of the two sums.
    func validTaps() -> Int {
        let r = record
        var rows = 0, cols = 0
        for oy in 0..<r.outH {
            let y0 = oy * strideH - padH
            rows += max(0, min(kernelH, r.inH - y0) - max(0, -y0))
        }
        for ox in 0..<r.outW {
            let x0 = ox * strideW - padW
            cols += max(0, min(kernelW, r.inW - x0) - max(0, -x0))
        }
        return rows * cols
    }

    /// `A_j = M_j · acc · k + T · B_j + R · 2^S` for output channel `j`.
    @inline(__always)
    func preActivation(channel j: Int, acc: Int32, k: Int64, timesteps t: Int, residual: Int64) -> Int64 {
        // Wrapping arithmetic: validated models keep these far inside int64; a corrupt one must
        // give wrong numbers, not a trap.
        multiplier(j) &* Int64(widening: acc) &* k &+ Int64(widening: t) &* bias(j) &+ (residual &<< Int64(widening: record.shift))
    }

    /// Largest `T` for which `prepareCodes` tabulates thresholds (`EventScratch.thresholds`
    /// holds `outC · 15` of them); above it `storeCodes` computes each code in 64 bits.
    static let maxThresholdTimesteps = 15

    /// Prepares `storeCodes` for one layer run with input scale `k` and `T` timesteps:
    /// `offsets[j] = T · B_j` and, for `T ≤ 15`, the code thresholds
    /// `θ_{j,n} = ⌈(n · 2^S − T · B_j) / (M_j · k)⌉` for `n = 1…T`, clamped to the int32 range,
    /// stored like the gather's sums in sum order: `θ_{j,n}` at `(n − 1) · outC + g + q` for
    /// channel `j = g + c` of 32-channel group `g`, `q = SumOrder.position(c)`. Since
    /// `M_j · k > 0`, `⌊(M_j·a·k + T·B_j) / 2^S⌋ ≥ n` exactly when `a ≥ θ_{j,n}`, so the code of
    /// an int32 accumulator `a` is the number of its thresholds it reaches (clamping to int32
    /// changes nothing: validation keeps `|a| < 2^31 − 1`).
    @inline(__always)
    func prepareCodes(_ layout: EventScratch, k: Int64, timesteps t: Int) {
        for j in 0..<record.outC { layout.offsets[j] = Int64(widening: t) &* bias(j) }
        guard t <= Self.maxThresholdTimesteps else { return }
        for j in 0..<record.outC {
            let position = (j & ~31) | SumOrder.position(j & 31)
            Requantize.fillCodeThresholds(layout.thresholds + position, stride: record.outC, timesteps: t,
                                          multiplier: multiplier(j), offset: layout.offsets[j], shift: record.shift, scale: k)
        }
    }

    /// Replaces `acc[j]` (`j < outC`) by the code `clamp(⌊(M_j · acc_j · k + T · B_j) / 2^S⌋, 0, T)`
    /// — `Requantize.code(preActivation(…))` without a residual — in a loop the compiler
    /// vectorises (64-bit lanes); `offsets` from `prepareCodes`. Equals the layer-wise SNN's
    /// `integrateAndFire` with threshold `2^S` too.
    @inline(__always)
    func codes(_ acc: UnsafeMutablePointer<Int32>, k: Int64, offsets: UnsafePointer<Int64>, timesteps t: Int) {
        let s = Int64(widening: record.shift), top = Int64(widening: t)
        for j in 0..<record.outC {
            let m = Int64(widening: Int32(littleEndian: multipliers.load(fromByteOffset: 4 * j, as: Int32.self)))
            let q = (m &* Int64(widening: acc[j]) &* k &+ offsets[j]) &>> s
            let low = q < 0 ? 0 : q
            acc[j] = Int32(truncatingIfNeeded: low > top ? top : low)
        }
    }

    /// The codes of one output pixel's sums, held in the gather's sum order (`SumOrder`;
    /// `outC` a multiple of 32; `prepareCodes` done for this `k` and `T`), stored into the CHW
    /// tensor `out` (`plane` = outH · outW) at `pixel`: counted against the thresholds in int32
    /// lanes for `T ≤ 15`, else put in channel order in `temporary` (`outC` int32, not
    /// overlapping `sums`) and computed by `codes`.
    @inline(__always)
    func storeCodes(sumOrder sums: UnsafePointer<Int32>, k: Int64, layout: EventScratch, timesteps t: Int,
                    temporary: UnsafeMutablePointer<Int32>, into out: UnsafeMutablePointer<UInt8>, plane: Int, pixel: Int) {
        let outC = record.outC
        guard t <= Self.maxThresholdTimesteps else {
            Self.reorder(UnsafeMutableRawPointer(mutating: sums), into: temporary, channels: outC, clear: true)
            codes(temporary, k: k, offsets: layout.offsets, timesteps: t)
            for j in 0..<outC { out[j &* plane &+ pixel] = UInt8(truncatingIfNeeded: temporary[j]) }
            return
        }
        let raw = UnsafeRawPointer(sums), th = UnsafeRawPointer(layout.thresholds)
        var p = 0
        while p < outC {
            let a = raw.loadUnaligned(fromByteOffset: 4 * p, as: SIMD8<Int32>.self)
            let code = Requantize.codes(of: a, thresholds: th + 4 * p, rowBytes: 4 * outC, timesteps: t)
            let group = p & ~31
            for i in 0..<8 {
                out[(group &+ SumOrder.channel((p & 31) &+ i)) &* plane &+ pixel] = UInt8(truncatingIfNeeded: code[i])
            }
            p += 8
        }
    }
}
