/// The streaming schedule's synaptic kernel: one timestep of input spikes (a `SpikeBits` map)
/// added into a weighted layer's membrane sums `A` (`StreamingState`), one weight row per spike
/// and kernel tap that reaches an output. Silent words of 64 inputs cost one test.
extension WeightedLayer {
    /// Adds the rows of every spike of `spikes` (channels-last map of the `inC × inH × inW`
    /// input) into `membranes` (channels-last: output `(oy, ox, j)` at `(oy · outW + ox) · outC + j`),
    /// in wrapping arithmetic (exact whenever the final sums fit `A`, as `StreamingState` plans).
    @inline(__always)
    func scatterSpikes<A: FixedWidthInteger>(_ spikes: UnsafePointer<UInt8>, into membranes: UnsafeMutablePointer<A>,
                                            tally: inout EventTally) {
        let r = record
        let outC = r.outC, bits = r.weightBits, inC = r.inC, inW = r.inW, inH = r.inH
        var events: UInt64 = 0, accumulates: UInt64 = 0, rowsRead: UInt64 = 0
        let unitStride = strideH == 1 && strideW == 1
        let linear = r.kind == .linear
        // The input pixel of the current spike, found by walking forward (spikes come in order).
        var pixelStart = 0, iy = 0, ix = 0
        // Its valid kernel taps, recomputed when the pixel changes.
        var kyMin = 0, kyMax = -1, kxMin = 0, kxMax = -1, tapsPixel = -1
        SpikeBits.forEachSpike(spikes, count: r.inputCount) { i in
            if i &- pixelStart >= inC {
                let pixel = i / inC
                pixelStart = pixel &* inC
                iy = pixel / inW
                ix = pixel &- iy &* inW
            }
            let ci = i &- pixelStart
            events &+= 1
            if linear {
                let rowIndex = (ci &* inH &+ iy) &* inW &+ ix
                Self.addRow(row(rowIndex), bits: bits, into: membranes, count: outC)
                accumulates &+= nonZeroWeights(row: rowIndex)
                rowsRead &+= 1
                return
            }
            let yTop = iy &+ padH, xLeft = ix &+ padW
            if tapsPixel != pixelStart {
                tapsPixel = pixelStart
                kyMin = max(0, yTop &- (r.outH &- 1) &* strideH)
                kyMax = min(kernelH &- 1, yTop)
                kxMin = max(0, xLeft &- (r.outW &- 1) &* strideW)
                kxMax = min(kernelW &- 1, xLeft)
                if !unitStride {
                    kyMin &+= (yTop &- kyMin) % strideH
                    kxMin &+= (xLeft &- kxMin) % strideW
                }
            }
            var ky = kyMin
            while ky <= kyMax {
                let oy = unitStride ? yTop &- ky : (yTop &- ky) / strideH
                let rowBase = (ci &* kernelH &+ ky) &* kernelW
                var kx = kxMin
                while kx <= kxMax {
                    let ox = unitStride ? xLeft &- kx : (xLeft &- kx) / strideW
                    let rowIndex = rowBase &+ kx
                    Self.addRow(row(rowIndex), bits: bits, into: membranes + (oy &* r.outW &+ ox) &* outC, count: outC)
                    accumulates &+= nonZeroWeights(row: rowIndex)
                    rowsRead &+= 1
                    kx &+= strideW
                }
                ky &+= strideH
            }
        }
        tally.events &+= events
        tally.operations &+= accumulates
        tally.rowsRead &+= rowsRead
    }
}

extension WeightedLayer {
    /// One spike's row into the membranes: int16 ones through the target's instructions where
    /// `InstructionSet.addSpikeRow16` has some, else `WeightRow.addSpike`.
    @inline(__always)
    static func addRow<A: FixedWidthInteger>(_ row: UnsafeRawPointer, bits: Int, into acc: UnsafeMutablePointer<A>, count: Int) {
        if MemoryLayout<A>.size == 2,
           InstructionSet.addSpikeRow16(row, bits: bits, into: UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Int16.self),
                                        count: count) {
            return
        }
        WeightRow.addSpike(row, bits: bits, into: acc, count: count)
    }
}

extension WeightRow {
    /// `acc[j] += w[j]` for `j` in `0..<count`, wrapping, into integers of any width.
    @inline(__always)
    static func addSpike<A: FixedWidthInteger>(_ row: UnsafeRawPointer, bits: Int, into acc: UnsafeMutablePointer<A>,
                                               count: Int) {
        if bits == 8 {
            let w = row.assumingMemoryBound(to: Int8.self)
            for j in 0..<count { acc[j] &+= A(truncatingIfNeeded: w[j]) }
        } else {
            let b = row.assumingMemoryBound(to: UInt8.self)
            var j = 0
            while j &+ 1 < count {
                let byte = b[j &>> 1]
                acc[j] &+= A(truncatingIfNeeded: Int8(bitPattern: byte &<< 4) &>> 4)
                acc[j &+ 1] &+= A(truncatingIfNeeded: Int8(bitPattern: byte & 0xF0) &>> 4)
                j &+= 2
            }
            if j < count { acc[j] &+= A(truncatingIfNeeded: Int8(bitPattern: b[j &>> 1] &<< 4) &>> 4) }
        }
    }
}
