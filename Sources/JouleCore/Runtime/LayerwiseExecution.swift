/// SNN, layer-wise schedule: each layer integrates its input spikes over all `T` steps, then its
/// integrate-and-fire neurons emit their spike trains (the paper's conversion). A layer's output
/// buffer holds its spike counts `0…T`; its consumer replays them as evenly spread trains, one
/// timestep at a time. Spike counts equal the QNN codes exactly.
extension Interpreter {
    func runLayerwise(timesteps t: Int, readout: Readout, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let steps = UInt64(widening: t)
        let counting = !counters.isEmpty
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            var c = EventCounters()
            let src = source(of: layer)
            let nIn = layer.inputCount, n = layer.outputCount
            let isScores = layer.activation == .none
            // Every layer reads its input spike map once per step (1 bit per neuron) — except the
            // analog first layer, which reads its input bytes once.
            if layer.readsModelInput {
                if counting { c.inputEvents = ByteCounts.nonZero(src, count: nIn) }
                c.inputTrafficBits = UInt64(widening: nIn * 8)
            } else {
                c.activationReadBits = steps * UInt64(widening: nIn)
                c.inputTrafficBits = steps * UInt64(widening: nIn)
            }
            switch layer.kind {
            case .conv2d, .linear:
                let w = WeightedLayer(layer, in: model)
                let res = residual(of: layer)
                // The analog layer's constant current is computed once (MACs) and integrated for
                // T steps; a spiking layer's synapses see T steps.
                c.denseSynapticOps = (layer.readsModelInput ? 1 : steps) &* w.denseSynapticOps()
                // The input's non-zero values and sum (its spikes) price the kernels: one pass
                // for all. The kernel the selection picks (`KernelSelection.swift`) runs it.
                let (nonZero, sum) = ByteCounts.nonZeroAndSum(src, count: nIn)
                let activity = InputActivity(nonZero: Int(truncatingIfNeeded: nonZero), spikes: Int(truncatingIfNeeded: sum))
                runWeighted(w, layer: i, timesteps: t, input: src, activity: activity, readout: readout,
                            counting: counting, into: &c)
                if let res, counting {
                    let spikes = ByteCounts.sum(res, count: n)
                    c.inputEvents &+= spikes
                    c.effectiveACs &+= spikes  // each residual spike adds one threshold to a membrane
                    c.activationReadBits &+= steps * UInt64(widening: n)
                    c.inputTrafficBits &+= steps * UInt64(widening: n)
                }
            case .avgPool, .maxPool:
                // The producer's output spikes, counted already.
                let inputSpikes = !counting ? 0
                    : layer.inputIndex >= 0 ? counters[layer.inputIndex].outputEvents : ByteCounts.sum(src, count: nIn)
                runPoolingLayerwise(PoolingLayer(layer), layer: i, input: src, timesteps: t, inputSpikes: inputSpikes,
                                    counting: counting, into: &c)
            }
            c.neuronUpdates = steps * UInt64(widening: isScores ? layer.outC : n)
            c.membraneReads = c.neuronUpdates
            c.membraneWrites = c.neuronUpdates
            if isScores {
                c.activationWriteBits = UInt64(widening: layer.outC * 32)
                c.outputTrafficBits = c.activationWriteBits
                if readout == .spikeCount {
                    let scores = int64s(.output, layer: i)
                    for j in 0..<layer.outC { c.outputEvents &+= UInt64(bitPattern: scores[j]) }
                    c.outputLevelSum = c.outputEvents
                }
            } else if counting {
                let spikes = ByteCounts.sum(bytes(.output, layer: i), count: n)
                c.outputEvents = spikes
                c.outputLevelSum = spikes
                c.activationWriteBits = steps * UInt64(widening: n)
                c.outputTrafficBits = c.activationWriteBits
            }
            store(c, layer: i, into: counters)
            afterLayer(i)
        }
    }
}
