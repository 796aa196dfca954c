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
    public func row(_ r: Int) -> UnsafeRawPointer { weights + r * record.rowBytes }

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
        UInt64(widening: UInt32(littleEndian: rowCounts.load(fromByteOffset: 4 * r, as: UInt32.self)))
    }

    /// Valid (non-padding) kernel taps times `inC · outC` over all output pixels: NeuroBench's
    /// dense synaptic operations of one pass.
    func denseSynapticOps() -> UInt64 {
        var taps = 0
        let r = record
        for oy in 0..<r.outH {
            let y0 = oy * strideH - padH
            let rows = min(kernelH, r.inH - y0) - max(0, -y0)
            for ox in 0..<r.outW {
                let x0 = ox * strideW - padW
                let cols = min(kernelW, r.inW - x0) - max(0, -x0)
                taps += max(0, rows) * max(0, cols)
            }
        }
        return UInt64(widening: taps) * UInt64(widening: r.inC) * UInt64(widening: r.outC)
    }

    /// `A_j = M_j · acc · k + T · B_j + R · 2^S` for output channel `j`.
    @inline(__always)
    func preActivation(channel j: Int, acc: Int32, k: Int64, timesteps t: Int, residual: Int64) -> Int64 {
        // Wrapping arithmetic: validated models keep these far inside int64; a corrupt one must
        // give wrong numbers, not a trap.
        multiplier(j) &* Int64(widening: acc) &* k &+ Int64(widening: t) &* bias(j) &+ (residual &<< Int64(widening: record.shift))
    }

    /// `offsets[j] = T · B_j`: the bias part of every pre-activation, computed once per layer run
    /// so that `codes` is a plain loop over contiguous arrays.
    @inline(__always)
    func fillOffsets(_ offsets: UnsafeMutablePointer<Int64>, timesteps t: Int) {
        for j in 0..<record.outC { offsets[j] = Int64(widening: t) &* bias(j) }
    }

    /// Replaces `acc[j]` (`j < outC`) by the code `clamp(⌊(M_j · acc_j · k + T · B_j) / 2^S⌋, 0, T)`
    /// — `Requantize.code(preActivation(…))` without a residual — in a loop the compiler
    /// vectorises (64-bit lanes); `offsets` from `fillOffsets`. Equals the layer-wise SNN's
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

    /// `codes` on one output pixel's accumulators, then its codes stored into the CHW tensor
    /// `out` (`plane` = outH · outW) at `pixel`.
    @inline(__always)
    func storeCodes(_ acc: UnsafeMutablePointer<Int32>, k: Int64, offsets: UnsafePointer<Int64>, timesteps t: Int,
                    into out: UnsafeMutablePointer<UInt8>, plane: Int, pixel: Int) {
        codes(acc, k: k, offsets: offsets, timesteps: t)
        for j in 0..<record.outC { out[j &* plane &+ pixel] = UInt8(truncatingIfNeeded: acc[j]) }
    }
}
