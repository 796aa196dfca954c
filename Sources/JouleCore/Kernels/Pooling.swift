/// Average and max pooling over codes, spike counts or spike maps. Windows never leave the input
/// (no padding). An average of `kh · kw` codes is re-quantised by `floor(Σ / (kh · kw))` — the
/// spiking neuron with threshold `kh · kw` of the paper's conversion; max pooling keeps the
/// largest value.
public struct PoolingLayer {
    public let record: LayerRecord

    public init(_ record: LayerRecord) { self.record = record }

    /// Window size `kh · kw`.
    @inlinable public var windowSize: Int { record.kernelH * record.kernelW }

    /// Calls `body(outIndex, sum, max)` for every output neuron, in CHW order (`outIndex` = 0, 1,
    /// 2, …; the packed QNN writer relies on it), with the sum and the
    /// maximum of its window of `input` (bytes or packed codes), and counts the window's non-zero visits and value sum.
    @inline(__always)
    func reduceWindows<I: CodeReader>(_ input: I, nonZeroVisits: inout UInt64, valueVisits: inout UInt64,
                       _ body: (Int, Int, UInt8) -> Void) {
        let r = record
        var o = 0
        if r.kernelH == 2 && r.kernelW == 2 && r.strideH == 2 && r.strideW == 2 {
            // The common 2×2, stride-2 window, without the generic window loops.
            var nonZero: UInt64 = 0, values: UInt64 = 0
            for c in 0..<r.outC {
                let channel = c * r.inH * r.inW
                for oy in 0..<r.outH {
                    let top = channel + 2 * oy * r.inW, bottom = top + r.inW
                    for ox in 0..<r.outW {
                        let a = input.code(at: top &+ 2 &* ox), b = input.code(at: top &+ 2 &* ox &+ 1)
                        let d = input.code(at: bottom &+ 2 &* ox), e = input.code(at: bottom &+ 2 &* ox &+ 1)
                        let sum = Int(a) &+ Int(b) &+ Int(d) &+ Int(e)
                        nonZero &+= UInt64(widening: (a == 0 ? 0 : 1) &+ (b == 0 ? 0 : 1) &+ (d == 0 ? 0 : 1) &+ (e == 0 ? 0 : 1))
                        values &+= UInt64(widening: sum)
                        body(o, sum, max(max(a, b), max(d, e)))
                        o &+= 1
                    }
                }
            }
            nonZeroVisits &+= nonZero
            valueVisits &+= values
            return
        }
        for c in 0..<r.outC {
            let channel = c * r.inH * r.inW
            for oy in 0..<r.outH {
                for ox in 0..<r.outW {
                    var sum = 0
                    var largest: UInt8 = 0
                    var nonZero = 0
                    for ky in 0..<r.kernelH {
                        let line = channel + (oy * r.strideH + ky) * r.inW + ox * r.strideW
                        for kx in 0..<r.kernelW {
                            let v = input.code(at: line &+ kx)
                            sum &+= Int(v)
                            largest = max(largest, v)
                            nonZero &+= v == 0 ? 0 : 1
                        }
                    }
                    nonZeroVisits &+= UInt64(widening: nonZero)
                    valueVisits &+= UInt64(widening: sum)
                    body(o, sum, largest)
                    o &+= 1
                }
            }
        }
    }
}
