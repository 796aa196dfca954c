/// QNN mode: one pass, activation codes `0…T` (`ceil(log2(T+1))` bits), stored one byte per code
/// or — in a plan with `codeBits > 0` (packmodel `--compact`) — bit-packed (`PackedCodes`).
extension Interpreter {
    func runQNN(timesteps t: Int, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let codeBits = Requantize.codeBits(timesteps: t)
        let packBits = plan.codeBits
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
            let out = bytes(.output, layer: i)
            switch layer.kind {
            case .conv2d, .linear:
                let w = WeightedLayer(layer, in: model)
                if counting { c.denseSynapticOps = w.denseSynapticOps() }
                // The kernel the selection picks (`KernelSelection.swift`) runs it; its non-zero
                // inputs, where counted, price the candidates.
                runWeighted(w, layer: i, timesteps: t, input: src,
                            activity: counting ? InputActivity(nonZero: Int(truncatingIfNeeded: c.inputEvents), spikes: 0) : nil,
                            readout: .membrane, counting: counting, into: &c)
                let res = residual(of: layer)
                if res != nil, counting {
                    let nz = counters[layer.residualIndex].outputEvents
                    c.inputEvents &+= nz
                    c.effectiveACs &+= nz  // one addition per non-zero residual code
                    c.activationReadBits &+= UInt64(widening: n * codeBits)
                    c.inputTrafficBits &+= UInt64(widening: n * codeBits)
                }
            case .avgPool, .maxPool:
                runPoolingQNN(PoolingLayer(layer), layer: i, input: src, inputBits: inBits,
                              nonZeroInputs: counting ? c.inputEvents : nil, into: &c)
            }
            if layer.activation == .none {
                c.neuronUpdates = UInt64(widening: layer.outC)
                c.activationWriteBits = UInt64(widening: layer.outC * 32)
                c.outputTrafficBits = c.activationWriteBits
            } else if counting {
                let (nz, sum) = packBits == 0 ? ByteCounts.nonZeroAndSum(out, count: n)
                    : PackedCodes.nonZeroAndSum(out, count: n, bits: packBits)
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
