/// SNN, streaming schedule: all layers advance one timestep at a time, as neuromorphic hardware
/// does. Every layer keeps an int64 membrane per neuron (its `state` buffer) and writes a spike
/// map (1 byte per neuron, 0 or 1) that its consumers read in the same timestep. The analog first
/// layer computes its constant input current once (MACs) and integrates it every step. Reset by
/// subtraction, threshold `2^S` (weighted layers) or `kh·kw` (average pooling); max pooling emits
/// a spike whenever the running maximum of its inputs' spike counts grows.
/// Results approach, but need not equal, the QNN's.
extension Interpreter {
    func runStreaming(timesteps t: Int, readout: Readout, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let layerCount = model.layerCount
        // Start from rest: membranes, running counts and scores at zero.
        for i in 0..<layerCount {
            let state = plan.region(.state, layer: i)
            (arena + state.offset).initializeMemory(as: UInt8.self, repeating: 0, count: state.bytes)
            if i == layerCount - 1 {
                let out = plan.region(.output, layer: i)
                (arena + out.offset).initializeMemory(as: UInt8.self, repeating: 0, count: out.bytes)
            }
            if !counters.isEmpty { counters[i] = EventCounters() }
            // One kernel per layer form: the plain gather for the analog first layer's current
            // (computed once), the plain per-spike scatter for spiking layers.
            let layer = model.layer(i)
            log(!layer.isWeighted ? .pooling : layer.readsModelInput ? .plainGather : .plainScatter, layer: i)
        }
        for step in 0..<t {
            for i in 0..<layerCount {
                var c = EventCounters()
                let layer = model.layer(i)
                switch layer.kind {
                case .conv2d, .linear: streamWeighted(layer, index: i, step: step, timesteps: t, readout: readout, counters: &c)
                case .avgPool, .maxPool: streamPooling(layer, index: i, counters: &c)
                }
                if !counters.isEmpty { counters[i].add(c) }
                afterLayer(i)
            }
        }
    }

    /// Fires `membrane` against `threshold` (reset by subtraction); returns 1 for a spike.
    @inline(__always)
    static func fire(_ membrane: inout Int64, threshold: Int64) -> UInt8 {
        if membrane >= threshold {
            membrane -= threshold
            return 1
        }
        return 0
    }

    func streamWeighted(_ layer: LayerRecord, index i: Int, step: Int, timesteps t: Int,
                        readout: Readout, counters c: inout EventCounters) {
        let w = WeightedLayer(layer, in: model)
        let n = layer.outputCount, plane = layer.outH * layer.outW, outC = layer.outC
        let threshold = Int64(1) &<< Int64(widening: layer.shift)
        let membrane = int64s(.state, layer: i)
        let isScores = layer.activation == .none
        let scores = int64s(.output, layer: i), spikeMap = bytes(.output, layer: i)
        let src = source(of: layer)
        /// Integrates `current` into neuron `o` and records its output for this step.
        func integrate(_ o: Int, _ current: Int64) {
            if isScores && readout == .membrane {
                scores[o] += current
                return
            }
            membrane[o] += current
            let spike = Interpreter.fire(&membrane[o], threshold: threshold)
            if isScores { scores[o] += Int64(widening: spike) } else { spikeMap[o] = spike }
            c.outputEvents &+= UInt64(widening: spike)
        }
        if layer.readsModelInput {
            let current = membrane + n  // second half of the state: the constant input current
            if step == 0 {
                c.denseSynapticOps = w.denseSynapticOps()
                c.inputEvents = ByteCounts.nonZeroAndSum(src, count: layer.inputCount).nonZero
                c.inputTrafficBits = UInt64(widening: layer.inputCount * 8)
                var tally = WeightedLayer.EventTally()
                w.gather(input: src, acc: int32s(.scratch, layer: i), tally: &tally) { pixel, acc in
                    for j in 0..<outC {
                        current[j * plane + pixel] = w.preActivation(channel: j, acc: acc[j], k: 1, timesteps: 1, residual: 0)
                    }
                }
                setGatheredCounters(w, tally: tally, inputBits: 8, into: &c)
            }
            for o in 0..<n { integrate(o, current[o]) }
        } else {
            let acc = int32s(.scratch, layer: i)
            for o in 0..<n { acc[o] = 0 }
            var tally = WeightedLayer.EventTally()
            w.scatter(acc: acc, tally: &tally) { src[$0] != 0 }
            setSpikeTrainCounters(w, tally: tally, into: &c)
            c.denseSynapticOps = w.denseSynapticOps()
            c.activationReadBits = UInt64(widening: layer.inputCount)
            c.inputTrafficBits = UInt64(widening: layer.inputCount)
            let res = residual(of: layer)
            for pixel in 0..<plane {
                for j in 0..<outC {
                    let o = j * plane + pixel
                    let r: Int64 = res.map { Int64(widening: $0[o]) } ?? 0
                    integrate(o, w.preActivation(channel: j, acc: acc[pixel * outC + j], k: 1, timesteps: 1, residual: r))
                }
            }
            if let res {
                let spikes = ByteCounts.nonZeroAndSum(res, count: n).sum
                c.inputEvents &+= spikes
                c.effectiveACs &+= spikes
                c.activationReadBits &+= UInt64(widening: n)
                c.inputTrafficBits &+= UInt64(widening: n)
            }
        }
        let updated = UInt64(widening: isScores ? outC : n)
        c.neuronUpdates = updated
        c.membraneReads = updated
        c.membraneWrites = updated
        if isScores {
            if step == t - 1 {
                c.activationWriteBits = UInt64(widening: outC * 32)
                c.outputTrafficBits = c.activationWriteBits
            }
        } else {
            c.activationWriteBits = UInt64(widening: n)
            c.outputTrafficBits = UInt64(widening: n)
        }
        c.outputLevelSum = c.outputEvents
    }

    func streamPooling(_ layer: LayerRecord, index i: Int, counters c: inout EventCounters) {
        let pool = PoolingLayer(layer)
        let n = layer.outputCount, nIn = layer.inputCount
        let src = source(of: layer)
        let spikeMap = bytes(.output, layer: i)
        var nonZeroVisits: UInt64 = 0, spikeVisits: UInt64 = 0
        let inputSpikes = ByteCounts.nonZeroAndSum(src, count: nIn).sum
        if layer.kind == .avgPool {
            let membrane = int64s(.state, layer: i)
            let threshold = Int64(widening: pool.windowSize)
            pool.reduceWindows(src, nonZeroVisits: &nonZeroVisits, valueVisits: &spikeVisits) { o, sum, _ in
                membrane[o] += Int64(widening: sum)
                spikeMap[o] = Interpreter.fire(&membrane[o], threshold: threshold)
            }
        } else {
            // State: running input spike counts (nIn bytes), then emitted counts (n bytes).
            let seen = bytes(.state, layer: i)
            let emitted = seen + PackedFormat.aligned(nIn)
            for k in 0..<nIn { seen[k] &+= src[k] }
            var ignoredNonZero: UInt64 = 0, ignoredSum: UInt64 = 0
            pool.reduceWindows(UnsafePointer(seen), nonZeroVisits: &ignoredNonZero, valueVisits: &ignoredSum) { o, _, largest in
                let spike: UInt8 = largest > emitted[o] ? 1 : 0
                emitted[o] &+= spike
                spikeMap[o] = spike
            }
            // One compare per input spike per window it belongs to.
            var unusedNonZero: UInt64 = 0
            pool.reduceWindows(src, nonZeroVisits: &unusedNonZero, valueVisits: &spikeVisits) { _, _, _ in }
        }
        let spikes = ByteCounts.nonZeroAndSum(spikeMap, count: n).sum
        c.inputEvents = inputSpikes
        c.effectiveACs = spikeVisits
        c.denseSynapticOps = UInt64(widening: n * pool.windowSize)
        c.activationReadBits = UInt64(widening: nIn)
        c.inputTrafficBits = UInt64(widening: nIn)
        c.neuronUpdates = UInt64(widening: n)
        c.membraneReads = UInt64(widening: n)
        c.membraneWrites = UInt64(widening: n)
        c.outputEvents = spikes
        c.outputLevelSum = spikes
        c.activationWriteBits = UInt64(widening: n)
        c.outputTrafficBits = UInt64(widening: n)
    }
}
