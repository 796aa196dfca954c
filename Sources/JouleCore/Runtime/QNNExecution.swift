/// QNN mode: one pass, activation codes `0…T` (`ceil(log2(T+1))` bits).
extension Interpreter {
    func runQNN(timesteps t: Int, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let codeBits = Requantize.codeBits(timesteps: t)
        let counting = !counters.isEmpty
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            var c = EventCounters()
            let src = source(of: layer)
            let inBits = layer.readsModelInput ? 8 : codeBits
            let n = layer.outputCount
            // A layer's non-zero inputs are its producer's non-zero outputs, already counted.
            if counting {
                c.inputEvents = layer.readsModelInput ? ByteCounts.nonZeroAndSum(src, count: layer.inputCount).nonZero
                    : counters[layer.inputIndex].outputEvents
            }
            c.inputTrafficBits = UInt64(widening: layer.inputCount * inBits)
            switch layer.kind {
            case .conv2d, .linear:
                let w = WeightedLayer(layer, in: model)
                let k: Int64 = layer.readsModelInput ? Int64(widening: t) : 1
                let plane = layer.outH * layer.outW
                c.denseSynapticOps = w.denseSynapticOps()
                let res = residual(of: layer)
                let scores = int64s(.output, layer: i), out = bytes(.output, layer: i)
                let isScores = layer.activation == .none
                /// Re-quantises one output pixel's accumulators into codes (or final scores).
                func emit(_ pixel: Int, _ acc: UnsafeMutablePointer<Int32>) {
                    if isScores {
                        for j in 0..<layer.outC {
                            scores[j] = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                        }
                    } else if let res {
                        for j in 0..<layer.outC {
                            let o = j &* plane &+ pixel
                            let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: Int64(widening: res[o]))
                            out[o] = Requantize.code(a, shift: layer.shift, timesteps: t)
                        }
                    } else {
                        // Two passes: codes in place (a loop the compiler vectorises), then the
                        // strided CHW stores.
                        for j in 0..<layer.outC {
                            let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                            acc[j] = Int32(Requantize.code(a, shift: layer.shift, timesteps: t))
                        }
                        for j in 0..<layer.outC { out[j &* plane &+ pixel] = UInt8(truncatingIfNeeded: acc[j]) }
                    }
                }
                let scratch = pointer(.scratch, layer: i)
                let acc = scratch.assumingMemoryBound(to: Int32.self)
                let maxValue = layer.readsModelInput ? 255 : t
                if usesEventGather(w, layer: i, maxValue: maxValue) {
                    let layout = EventScratch(scratch: scratch, layer: layer, accumulatorBytes: layer.outC * 4)
                    w.prepareCodes(layout, k: k, timesteps: t)
                    let vectorEmit = !isScores && res == nil
                    if vectorEmit {
                        // Codes straight from the gather's sum-ordered sums (thresholds in the same order).
                        w.eventGather(input: src, maxValue: maxValue, spikeMask: nil, layout: layout, accumulators: acc,
                                      pixelStride: 0, clear: true, sumOrderBody: true) { pixel, sums in
                            w.storeCodes(sumOrder: sums, k: k, layout: layout, timesteps: t, temporary: acc,
                                         into: out, plane: plane, pixel: pixel)
                        }
                    } else {
                        w.eventGather(input: src, maxValue: maxValue, spikeMask: nil, layout: layout,
                                      accumulators: acc, pixelStride: 0, clear: true, emit)
                    }
                    if counting { countGatheredInput(w, input: src, layout: layout, inputBits: inBits, into: &c) }
                } else {
                    w.gather(input: src, inputBits: inBits, acc: acc, counters: &c, emit)
                }
                if res != nil, counting {
                    let nz = counters[layer.residualIndex].outputEvents
                    c.inputEvents &+= nz
                    c.effectiveACs &+= nz  // one addition per non-zero residual code
                    c.activationReadBits &+= UInt64(widening: n * codeBits)
                    c.inputTrafficBits &+= UInt64(widening: n * codeBits)
                }
            case .avgPool, .maxPool:
                let pool = PoolingLayer(layer)
                let out = bytes(.output, layer: i)
                let window = pool.windowSize
                let windowShift = window & (window - 1) == 0 ? window.trailingZeroBitCount : -1
                let isAverage = layer.kind == .avgPool
                var nonZeroVisits: UInt64 = 0, valueSum: UInt64 = 0
                pool.reduceWindows(src, nonZeroVisits: &nonZeroVisits, valueVisits: &valueSum) { o, sum, largest in
                    // Power-of-two windows (2×2 and the like) divide by a shift: an integer
                    // division costs tens of cycles per output.
                    let mean = windowShift >= 0 ? sum &>> windowShift : sum / window
                    out[o] = isAverage ? UInt8(truncatingIfNeeded: mean) : largest
                }
                c.denseSynapticOps = UInt64(widening: n * window)
                c.effectiveACs = nonZeroVisits
                c.activationReadBits = UInt64(widening: n * window * inBits)
            }
            if layer.activation == .none {
                c.neuronUpdates = UInt64(widening: layer.outC)
                c.activationWriteBits = UInt64(widening: layer.outC * 32)
                c.outputTrafficBits = c.activationWriteBits
            } else if counting {
                let (nz, sum) = ByteCounts.nonZeroAndSum(bytes(.output, layer: i), count: n)
                c.outputEvents = nz
                c.outputLevelSum = sum
                c.neuronUpdates = UInt64(widening: n)
                c.activationWriteBits = UInt64(widening: n * codeBits)
                c.outputTrafficBits = c.activationWriteBits
            }
            store(c, layer: i, into: counters)
            afterLayer(i)
        }
    }
}
