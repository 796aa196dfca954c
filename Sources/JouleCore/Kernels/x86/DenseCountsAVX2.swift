#if JOULE_AVX2 && arch(x86_64)
/// The counters of a dense-convolution run from the kernel's own channels-last copy of the input
/// (`DenseScratch.countsFromCopy`: channels a multiple of 32, not folded): there a pixel's
/// channels are one run of bytes, so 32 channels' non-zero counts take one vector step per pixel
/// (`ByteCounts.nonZeroFlags`) — the whole input for the totals, and the border classes
/// (`BorderClasses`) for what their inputs miss — instead of a pass per channel plane and a
/// byte-by-byte walk per channel down every border column (`countInputEvents`, which gives the
/// same tally). With the prepacked count table (`fillDenseCountTable`) the per-channel weights
/// of each class are a vector dot product; without it, four lookups per channel in the tap
/// prefix sums.
extension WeightedLayer {
    /// Fills the layer's count table (`DenseScratch.countTableEntries` UInt32) from its tap
    /// prefix sums `prefix`. Row 0: each channel's non-zero weights over all taps; row `1 + c`:
    /// those that the inputs of border class `c` miss. Within a row, per chunk of 32 channels,
    /// the lanes in the order `counts` returns them (even channels, then odd); channels past
    /// `inC` 0.
    func fillDenseCountTable(_ table: UnsafeMutablePointer<UInt32>, prefix: UnsafePointer<UInt32>) {
        let r = record
        let classes = BorderClasses(r)
        let chunks = DenseScratch.channels(r) / 32
        let stride = kernelW + 1, size = (kernelH + 1) * stride, full = kernelH * stride + kernelW
        for row in 0...classes.count {
            let c: (a0: Int, a1: Int, b0: Int, b1: Int, missing: UInt64)
            if row == 0 {
                c = (0, 0, 0, 0, 0)  // reaches nothing missed: all of p[full]
            } else {
                let rect = classes.rectangle(row - 1)
                c = tapRectangle(row: rect.y0, column: rect.x0)
            }
            for chunk in 0..<chunks {
                for lane in 0..<32 {
                    let ci = 32 * chunk + (lane < 16 ? 2 * lane : 2 * (lane - 16) + 1)
                    var value: UInt32 = 0
                    if ci < r.inC {
                        let p = prefix + ci * size
                        let reached = row == 0 ? 0 : p[c.a1 + c.b1] &- p[c.a0 + c.b1] &- p[c.a1 + c.b0] &+ p[c.a0 + c.b0]
                        value = p[full] &- reached
                    }
                    table[(row * chunks + chunk) * 32 + lane] = value
                }
            }
        }
    }

    /// `countInputEvents(input, weighted:prefix:into:)`'s tally for a layer that
    /// `denseConvolution` has just run (`layout` holds its channels-last copy). `table`: the prepacked count
    /// table, or nil to look the weights up in `prefix` (the layer's tap prefix sums).
    /// `weighted` (values of at most 15: a layer-wise SNN's spike counts): every
    /// input counts its value times — the spike trains' events — instead of once.
    func countDenseInput(layout: DenseScratch, weighted: Bool = false, table: UnsafePointer<UInt32>?,
                         prefix: UnsafePointer<UInt32>, into tally: inout EventTally) {
        let r = record
        #if JOULE_AVX512VNNI
        if let table, Self.denseCountsFitVNNI(r) {
            countDenseInputVNNI(layout: layout, weighted: weighted, table: table, into: &tally)
            return
        }
        #endif
        let classes = BorderClasses(r)
        let channels = DenseScratch.channels(r), width = DenseScratch.width(r)
        let chunks = channels / 32
        let stride = kernelW + 1, size = (kernelH + 1) * stride, full = kernelH * stride + kernelW
        let copy = UnsafeRawPointer(layout.input)
        /// Non-zero counts (`weighted`: value sums) of channels `32 · chunk …` over input rows
        /// `y0..<y1` × columns `x0..<x1`: even channels' lanes, then odd channels' (byte lanes,
        /// widened every 255 pixels, every 17 when weighted).
        @inline(__always)
        func counts(_ y0: Int, _ y1: Int, _ x0: Int, _ x1: Int, chunk: Int) -> (even: SIMD16<UInt32>, odd: SIMD16<UInt32>) {
            var even = SIMD16<UInt32>(), odd = SIMD16<UInt32>()
            var lanes = SIMD16<UInt16>()
            var pending = 0
            // Byte lanes count at most 255: widened before a run of pixels would pass that.
            let budget = weighted ? 255 / 15 : 255
            let run = min(budget, x1 - x0)
            for y in y0..<y1 {
                var x = x0
                var at = ((y + padH) * width + x0 + padW) * channels + 32 * chunk
                while x < x1 {
                    let n = min(run, x1 - x)
                    if pending &+ n > budget {
                        even &+= SIMD16<UInt32>(truncatingIfNeeded: lanes & 0x00FF)
                        odd &+= SIMD16<UInt32>(truncatingIfNeeded: lanes &>> 8)
                        lanes = SIMD16<UInt16>()
                        pending = 0
                    }
                    for _ in 0..<n {
                        let v = copy.loadUnaligned(fromByteOffset: at, as: SIMD16<UInt16>.self)
                        lanes &+= weighted ? v : ByteCounts.nonZeroFlags(v)
                        at &+= channels
                    }
                    pending &+= n
                    x &+= n
                }
            }
            even &+= SIMD16<UInt32>(truncatingIfNeeded: lanes & 0x00FF)
            odd &+= SIMD16<UInt32>(truncatingIfNeeded: lanes &>> 8)
            return (even, odd)
        }
        /// Σ over the chunk's channels of `even`/`odd` counts times their weights in table row
        /// `row` (0: all taps; `1 + c`: those class `c` misses, whose taps are `c`).
        @inline(__always)
        func weigh(_ even: SIMD16<UInt32>, _ odd: SIMD16<UInt32>, row: Int, chunk: Int,
                   _ c: (a0: Int, a1: Int, b0: Int, b1: Int, missing: UInt64)) -> UInt64 {
            if let table {
                let at = 4 * (row * chunks + chunk) * 32
                let low = UnsafeRawPointer(table).loadUnaligned(fromByteOffset: at, as: SIMD16<UInt32>.self)
                let high = UnsafeRawPointer(table).loadUnaligned(fromByteOffset: at + 64, as: SIMD16<UInt32>.self)
                if narrow {
                    return UInt64(widening: (even &* low).wrappedSum() &+ (odd &* high).wrappedSum())
                }
                return (SIMD16<UInt64>(truncatingIfNeeded: even) &* SIMD16<UInt64>(truncatingIfNeeded: low)).wrappedSum()
                    &+ (SIMD16<UInt64>(truncatingIfNeeded: odd) &* SIMD16<UInt64>(truncatingIfNeeded: high)).wrappedSum()
            }
            var sum: UInt64 = 0
            for lane in 0..<32 {
                let ci = 32 * chunk + (lane < 16 ? 2 * lane : 2 * (lane - 16) + 1)
                let n = lane < 16 ? even[lane] : odd[lane - 16]
                guard ci < r.inC, n != 0 else { continue }
                let p = prefix + ci * size
                let reached = row == 0 ? 0 : p[c.a1 + c.b1] &- p[c.a0 + c.b1] &- p[c.a1 + c.b0] &+ p[c.a0 + c.b0]
                sum &+= UInt64(widening: n) &* UInt64(widening: p[full] &- reached)
            }
            return sum
        }
        // Products and their sum over a chunk's 32 lanes in 32 bits where they cannot pass them:
        // a count is at most 15 per input pixel, a table entry at most taps · outC.
        let narrow = 32 * r.inH * r.inW * 15 * kernelH * kernelW * r.outC < 1 << 32
        var events: UInt64 = 0, operations: UInt64 = 0, missingRows: UInt64 = 0, unreached: UInt64 = 0
        for chunk in 0..<chunks {
            let (even, odd) = counts(0, r.inH, 0, r.inW, chunk: chunk)
            events &+= UInt64(widening: even.wrappedSum() &+ odd.wrappedSum())
            operations &+= weigh(even, odd, row: 0, chunk: chunk, (0, 0, 0, 0, 0))
        }
        classes.forEachRectangle { k, rect in
            let c = tapRectangle(row: rect.y0, column: rect.x0)
            for chunk in 0..<chunks {
                let (even, odd) = counts(rect.y0, rect.y1, rect.x0, rect.x1, chunk: chunk)
                missingRows &+= UInt64(widening: even.wrappedSum() &+ odd.wrappedSum()) &* c.missing
                unreached &+= weigh(even, odd, row: 1 + k, chunk: chunk, c)
            }
        }
        tally.events &+= events
        tally.rowsRead &+= events &* UInt64(widening: kernelH * kernelW) &- missingRows
        tally.operations &+= operations &- unreached
    }
}
#endif
