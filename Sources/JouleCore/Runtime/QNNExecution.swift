/// QNN mode: one pass, activation codes `0…T` (`ceil(log2(T+1))` bits).
extension Interpreter {
    func runQNN(timesteps t: Int, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let codeBits = Requantize.codeBits(timesteps: t)
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            var c = EventCounters()
            let src = source(of: layer)
            let inBits = layer.readsModelInput ? 8 : codeBits
            let n = layer.outputCount
            c.inputEvents = Tally.nonZeroAndSum(src, count: layer.inputCount).nonZero
            c.inputTrafficBits = UInt64(widening: layer.inputCount * inBits)
            switch layer.kind {
            case .conv2d, .linear:
                let w = WeightedLayer(layer, in: model)
                let k: Int64 = layer.readsModelInput ? Int64(widening: t) : 1
                let plane = layer.outH * layer.outW
                c.denseSynapticOps = w.denseSynapticOps()
                if layer.activation == .none {
                    let scores = int64s(.output, layer: i)
                    w.gather(input: src, inputBits: inBits, acc: int32s(.scratch, layer: i), counters: &c) { _, acc in
                        for j in 0..<layer.outC {
                            scores[j] = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                        }
                    }
                } else {
                    let out = bytes(.output, layer: i)
                    let res = residual(of: layer)
                    w.gather(input: src, inputBits: inBits, acc: int32s(.scratch, layer: i), counters: &c) { pixel, acc in
                        for j in 0..<layer.outC {
                            let o = j * plane + pixel
                            let r = res.map { Int64(widening: $0[o]) } ?? 0
                            let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: r)
                            out[o] = Requantize.code(a, shift: layer.shift, timesteps: t)
                        }
                    }
                    if let res {
                        let nz = Tally.nonZeroAndSum(res, count: n).nonZero
                        c.inputEvents &+= nz
                        c.effectiveACs &+= nz  // one addition per non-zero residual code
                        c.activationReadBits &+= UInt64(widening: n * codeBits)
                        c.inputTrafficBits &+= UInt64(widening: n * codeBits)
                    }
                }
            case .avgPool, .maxPool:
                let pool = PoolingLayer(layer)
                let out = bytes(.output, layer: i)
                let window = pool.windowSize
                let isAverage = layer.kind == .avgPool
                var nonZeroVisits: UInt64 = 0, valueSum: UInt64 = 0
                pool.reduceWindows(src, nonZeroVisits: &nonZeroVisits, valueVisits: &valueSum) { o, sum, largest in
                    out[o] = isAverage ? UInt8(sum / window) : largest
                }
                c.denseSynapticOps = UInt64(widening: n * window)
                c.effectiveACs = nonZeroVisits
                c.activationReadBits = UInt64(widening: n * window * inBits)
            }
            if layer.activation == .none {
                c.neuronUpdates = UInt64(widening: layer.outC)
                c.activationWriteBits = UInt64(widening: layer.outC * 32)
                c.outputTrafficBits = c.activationWriteBits
            } else {
                let (nz, sum) = Tally.nonZeroAndSum(bytes(.output, layer: i), count: n)
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
