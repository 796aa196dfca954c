/// Average and max pooling over codes, spike counts or spike maps. Windows never leave the input
/// (no padding). An average of `kh · kw` codes is re-quantised by `floor(Σ / (kh · kw))` — the
/// spiking neuron with threshold `kh · kw` of the paper's conversion; max pooling keeps the
/// largest value.
public struct PoolingLayer {
    public let record: LayerRecord

    public init(_ record: LayerRecord) { self.record = record }

    /// Window size `kh · kw`.
    @inlinable public var windowSize: Int { record.kernelH * record.kernelW }

    /// Calls `body(outIndex, sum, max)` for every output neuron (CHW index) with the sum and the
    /// maximum of its window of `input`, and counts the window's non-zero visits and value sum.
    @inline(__always)
    func reduceWindows(_ input: UnsafePointer<UInt8>, nonZeroVisits: inout UInt64, valueVisits: inout UInt64,
                       _ body: (Int, Int, UInt8) -> Void) {
        let r = record
        var o = 0
        for c in 0..<r.outC {
            let channel = input + c * r.inH * r.inW
            for oy in 0..<r.outH {
                for ox in 0..<r.outW {
                    var sum = 0
                    var largest: UInt8 = 0
                    var nonZero = 0
                    for ky in 0..<r.kernelH {
                        let line = channel + (oy * r.strideH + ky) * r.inW + ox * r.strideW
                        for kx in 0..<r.kernelW {
                            let v = line[kx]
                            sum += Int(v)
                            largest = max(largest, v)
                            if v != 0 { nonZero += 1 }
                        }
                    }
                    nonZeroVisits &+= UInt64(widening: nonZero)
                    valueVisits &+= UInt64(widening: sum)
                    body(o, sum, largest)
                    o += 1
                }
            }
        }
    }
}
