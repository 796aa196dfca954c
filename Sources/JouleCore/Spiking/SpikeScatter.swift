/// The event-driven (SNN) kernel of convolution and fully connected layers: for every input
/// spike, add the weight rows it touches to the accumulators of the outputs it reaches. Silent
/// inputs cost one test and nothing else.
extension WeightedLayer {
    /// Scatters one timestep of spikes into `acc`.
    ///
    /// - Parameters:
    ///   - spikes: `fires(i)` tells whether input neuron `i` (CHW index) spikes this step.
    ///   - acc: `outH · outW · outC` int32 accumulators, pixel-major (`(oy · outW + ox) · outC + j`),
    ///     not cleared here.
    ///   - tally: receives the spikes (`events`), the accumulates with non-zero weights
    ///     (`operations`) and the weight rows read.
    @inline(__always)
    func scatter(acc: UnsafeMutablePointer<Int32>, tally: inout EventTally, fires: (Int) -> Bool) {
        let r = record
        let outC = r.outC, bits = r.weightBits
        var events: UInt64 = 0, accumulates: UInt64 = 0, rowsRead: UInt64 = 0
        let unitStride = strideH == 1 && strideW == 1
        var i = 0
        for ci in 0..<r.inC {
            for iy in 0..<r.inH {
                // Kernel rows ky with oy = (iy + padH − ky) / strideH integral and in range.
                let yTop = iy + padH
                let kyMin = max(0, yTop - (r.outH - 1) * strideH)
                let kyMax = min(kernelH - 1, yTop)
                for ix in 0..<r.inW {
                    defer { i += 1 }
                    if !fires(i) { continue }
                    events &+= 1
                    let xLeft = ix + padW
                    let kxMin = max(0, xLeft - (r.outW - 1) * strideW)
                    let kxMax = min(kernelW - 1, xLeft)
                    // Stride 1 (convolutions and every fully connected layer) needs no division:
                    // an integer divide per tap costs more than the accumulate it places.
                    var ky = unitStride ? kyMin : kyMin + (yTop - kyMin) % strideH
                    while ky <= kyMax {
                        let oy = unitStride ? yTop - ky : (yTop - ky) / strideH
                        let rowBase = (ci * kernelH + ky) * kernelW
                        var kx = unitStride ? kxMin : kxMin + (xLeft - kxMin) % strideW
                        while kx <= kxMax {
                            let ox = unitStride ? xLeft - kx : (xLeft - kx) / strideW
                            let rowIndex = rowBase + kx
                            WeightRow.accumulate(row(rowIndex), bits: bits,
                                                 into: acc + (oy * r.outW + ox) * outC, count: outC)
                            accumulates &+= nonZeroWeights(row: rowIndex)
                            rowsRead &+= 1
                            kx += strideW
                        }
                        ky += strideH
                    }
                }
            }
        }
        tally.events &+= events
        tally.operations &+= accumulates
        tally.rowsRead &+= rowsRead
    }
}
