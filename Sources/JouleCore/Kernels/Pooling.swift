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

    /// Whether `averageTwoByTwo` runs this layer: 2×2 average pooling with stride 2.
    @inlinable public var isTwoByTwoAverage: Bool {
        record.kind == .avgPool && record.kernelH == 2 && record.kernelW == 2 && record.strideH == 2 && record.strideW == 2
    }

    /// The 2×2, stride-2 average of byte codes (`isTwoByTwoAverage`): `output[o] = ⌊Σ / 4⌋` over
    /// each window of `input` (CHW, `inC · inH · inW` bytes) into `output` (CHW, `outputCount`
    /// bytes). On 64-bit targets a row's outputs go 16, 8 or 4 at a time in 16-bit lanes (each
    /// lane's two input bytes summed; a sum of four codes fits 16 bits), the last step of a row
    /// starting at `outW − width` so that it overlaps the one before with the same values (W2's
    /// rows of 14 and 7 outputs: 8 + 8 and 4 + 4, no scalar tail); rows of 2 or 3 outputs in one
    /// 4-lane step where it stays inside the buffers; the rest, and 32-bit targets, one output at
    /// a time.
    /// It counts nothing, so that the counters add no work per window: the windows' non-zero
    /// visits and value sum are the input's less what `unvisited` returns.
    @inline(__always)
    func averageTwoByTwo(_ input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>) {
        let r = record
        let raw = UnsafeRawPointer(input), out = UnsafeMutableRawPointer(output)
        #if _pointerBitWidth(_64)
        let width = r.outW >= 16 ? 16 : (r.outW >= 8 ? 8 : (r.outW >= 4 ? 4 : 0))
        #else
        let width = 0
        #endif
        let inputBytes = r.inC &* r.inH &* r.inW
        var row = 0  // output index of the row's first output
        for c in 0..<r.outC {
            let channel = c &* r.inH &* r.inW
            for oy in 0..<r.outH {
                let top = channel &+ 2 &* oy &* r.inW, bottom = top &+ r.inW
                #if _pointerBitWidth(_64)
                // Rows of 2 or 3 outputs (W2's last pooling): one 4-lane step reading a little past
                // the row and storing one output too many — the next row's first, written over
                // after — wherever both stay inside the buffers.
                if width == 0, r.outW >= 2, bottom &+ 8 <= inputBytes, row &+ 4 <= r.outputCount {
                    let a = raw.loadUnaligned(fromByteOffset: top, as: SIMD4<UInt16>.self)
                    let b = raw.loadUnaligned(fromByteOffset: bottom, as: SIMD4<UInt16>.self)
                    let sums = ((a & 0x00FF) &+ (a &>> 8)) &+ ((b & 0x00FF) &+ (b &>> 8))
                    out.storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: sums &>> 2), toByteOffset: row, as: SIMD4<UInt8>.self)
                    row &+= r.outW
                    continue
                }
                #endif
                if width == 0 {
                    for ox in 0..<r.outW {
                        let a = input[top &+ 2 &* ox], b = input[top &+ 2 &* ox &+ 1]
                        let d = input[bottom &+ 2 &* ox], e = input[bottom &+ 2 &* ox &+ 1]
                        output[row &+ ox] = UInt8(truncatingIfNeeded: (Int(a) &+ Int(b) &+ Int(d) &+ Int(e)) &>> 2)
                    }
                    row &+= r.outW
                    continue
                }
                #if _pointerBitWidth(_64)
                var ox = 0
                while true {
                    if ox &+ width > r.outW { ox = r.outW &- width }  // the overlapping last step
                    switch width {
                    case 16:
                        let a = raw.loadUnaligned(fromByteOffset: top &+ 2 &* ox, as: SIMD16<UInt16>.self)
                        let b = raw.loadUnaligned(fromByteOffset: bottom &+ 2 &* ox, as: SIMD16<UInt16>.self)
                        let sums = ((a & 0x00FF) &+ (a &>> 8)) &+ ((b & 0x00FF) &+ (b &>> 8))
                        out.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: sums &>> 2), toByteOffset: row &+ ox,
                                       as: SIMD16<UInt8>.self)
                    case 8:
                        let a = raw.loadUnaligned(fromByteOffset: top &+ 2 &* ox, as: SIMD8<UInt16>.self)
                        let b = raw.loadUnaligned(fromByteOffset: bottom &+ 2 &* ox, as: SIMD8<UInt16>.self)
                        let sums = ((a & 0x00FF) &+ (a &>> 8)) &+ ((b & 0x00FF) &+ (b &>> 8))
                        out.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: sums &>> 2), toByteOffset: row &+ ox,
                                       as: SIMD8<UInt8>.self)
                    default:
                        let a = raw.loadUnaligned(fromByteOffset: top &+ 2 &* ox, as: SIMD4<UInt16>.self)
                        let b = raw.loadUnaligned(fromByteOffset: bottom &+ 2 &* ox, as: SIMD4<UInt16>.self)
                        let sums = ((a & 0x00FF) &+ (a &>> 8)) &+ ((b & 0x00FF) &+ (b &>> 8))
                        out.storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: sums &>> 2), toByteOffset: row &+ ox,
                                       as: SIMD4<UInt8>.self)
                    }
                    ox &+= width
                    if ox >= r.outW { break }
                }
                row &+= r.outW
                #endif
            }
        }
    }

    /// Non-zero count and value sum of the bytes of `input` (CHW) that no window of a 2×2,
    /// stride-2 pooling (`isTwoByTwoAverage`) reaches — each channel's last row when `inH` is
    /// odd, its last column when `inW` is odd. Every other input lies in exactly one window, so
    /// the windows' non-zero visits and value sum are the input's less these.
    func unvisited(_ input: UnsafePointer<UInt8>) -> (nonZero: UInt64, sum: UInt64) {
        let r = record
        let rows = 2 * r.outH, columns = 2 * r.outW
        guard rows < r.inH || columns < r.inW else { return (0, 0) }
        var nonZero: UInt64 = 0, sum: UInt64 = 0
        if let wide = InstructionSet.unvisited(self, input) { return wide }
        // Per channel: the last byte of each line the windows cover when the width is odd (a
        // strided walk), then the whole last line when the height is odd — plain byte loops,
        // no call into `ByteCounts` per line: the lines are a few bytes long.
        let plane = r.inH &* r.inW
        let lastColumn = columns < r.inW, lastRow = rows < r.inH
        var base = 0
        for _ in 0..<r.inC {
            if lastColumn {
                var at = base &+ columns
                for _ in 0..<rows {
                    let v = input[at]
                    nonZero &+= v == 0 ? 0 : 1
                    sum &+= UInt64(widening: v)
                    at &+= r.inW
                }
            }
            if lastRow {
                let line = base &+ rows &* r.inW
                for x in 0..<r.inW {
                    let v = input[line &+ x]
                    nonZero &+= v == 0 ? 0 : 1
                    sum &+= UInt64(widening: v)
                }
            }
            base &+= plane
        }
        return (nonZero, sum)
    }
}
