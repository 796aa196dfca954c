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
                c.inputEvents = ByteCounts.nonZeroAndSum(src, count: nIn).nonZero
                c.inputTrafficBits = UInt64(widening: nIn * 8)
            } else {
                c.activationReadBits = steps * UInt64(widening: nIn)
                c.inputTrafficBits = steps * UInt64(widening: nIn)
            }
            switch layer.kind {
            case .conv2d, .linear:
                let w = WeightedLayer(layer, in: model)
                let threshold = Int64(1) &<< Int64(widening: layer.shift)
                let plane = layer.outH * layer.outW
                let res = residual(of: layer)
                let scores = int64s(.output, layer: i), out = bytes(.output, layer: i)
                /// Emits output `o` (CHW) from its total pre-activation `a` over the window.
                func emit(_ o: Int, _ a: Int64) {
                    if !isScores {
                        out[o] = Requantize.integrateAndFire(total: a, threshold: threshold, timesteps: t)
                    } else {
                        scores[o] = readout == .membrane ? a
                            : Int64(widening: Requantize.integrateAndFire(total: a, threshold: threshold, timesteps: t))
                    }
                }
                if layer.readsModelInput {
                    // Direct encoding: the constant current M·acc + B is computed once (MACs) and
                    // integrated for T steps, so the window total is T times it.
                    c.denseSynapticOps = w.denseSynapticOps()
                    func emitPixel(_ pixel: Int, _ acc: UnsafeMutablePointer<Int32>) {
                        for j in 0..<layer.outC {
                            emit(j * plane + pixel, w.preActivation(channel: j, acc: acc[j], k: Int64(widening: t), timesteps: t, residual: 0))
                        }
                    }
                    let acc = int32s(.scratch, layer: i)
                    if usesEventGather(w, layer: i, maxValue: 255) {
                        let layout = EventScratch(scratch: pointer(.scratch, layer: i), layer: layer,
                                                  accumulatorBytes: layer.outC * 4)
                        w.prepareCodes(layout, k: Int64(widening: t), timesteps: t)
                        if isScores {
                            w.eventGather(input: src, maxValue: 255, spikeMask: nil, layout: layout,
                                          accumulators: acc, pixelStride: 0, clear: true, emitPixel)
                        } else {
                            // Spike counts = codes (threshold 2^S): from the gather's sum-ordered sums.
                            w.eventGather(input: src, maxValue: 255, spikeMask: nil, layout: layout, accumulators: acc,
                                          pixelStride: 0, clear: true, sumOrderBody: true) { pixel, sums in
                                w.storeCodes(sumOrder: sums, k: Int64(widening: t), layout: layout, timesteps: t,
                                             temporary: acc, into: out, plane: plane, pixel: pixel)
                            }
                        }
                        if counting { countGatheredInput(w, input: src, prefix: tapPrefix(layer: i, w, scratch: layout.tapPrefix), inputBits: 8, into: &c) }
                    } else {
                        w.gather(input: src, inputBits: 8, acc: acc, counters: &c, emitPixel)
                    }
                } else if !isScores && res == nil && runSpikeScatter(w, layer: i, input: src, timesteps: t, counting: counting, into: &c) {
                    c.denseSynapticOps = steps &* w.denseSynapticOps()
                } else {
                    c.denseSynapticOps = steps &* w.denseSynapticOps()
                    let acc = int32s(.scratch, layer: i)
                    for o in 0..<n { acc[o] = 0 }
                    let fast = t <= 63 && usesEventGather(w, layer: i, maxValue: 1)
                    let layout = EventScratch(scratch: pointer(.scratch, layer: i), layer: layer, accumulatorBytes: n * 4)
                    if fast {
                        for step in 0..<t {
                            w.eventGather(input: src, maxValue: 1, spikeMask: Requantize.spikeMask(step: step, timesteps: t), layout: layout,
                                          accumulators: acc, pixelStride: layer.outC, clear: false, permuted: true) { _, _ in }
                        }
                        // The passes kept every pixel's sums in sum order: back to channel order
                        // unless the codes are taken straight from them (below).
                        if isScores || res != nil {
                            for pixel in 0..<plane {
                                WeightedLayer.unpermute(acc + pixel * layer.outC, channels: layer.outC, temporary: layout.wide)
                            }
                        }
                        if counting { countSpikeTrains(w, layer: i, input: src, scratch: layout.tapPrefix, into: &c) }
                    } else {
                        for step in 0..<t {
                            if t <= 63 {
                                let fires = Requantize.spikeMask(step: step, timesteps: t)
                                w.scatter(acc: acc, counters: &c) { (fires &>> UInt64(widening: src[$0] & 63)) & 1 != 0 }
                            } else {
                                w.scatter(acc: acc, counters: &c) { Requantize.spikes(count: Int(src[$0]), step: step, timesteps: t) }
                            }
                        }
                    }
                    if fast && !isScores && res == nil {
                        // Spike counts = codes (threshold 2^S): per pixel, from its sum-ordered sums.
                        w.prepareCodes(layout, k: 1, timesteps: t)
                        let temporary = layout.wide.assumingMemoryBound(to: Int32.self)
                        for pixel in 0..<plane {
                            w.storeCodes(sumOrder: acc + pixel * layer.outC, k: 1, layout: layout, timesteps: t,
                                         temporary: temporary, into: out, plane: plane, pixel: pixel)
                        }
                    } else {
                        for pixel in 0..<plane {
                            for j in 0..<layer.outC {
                                let o = j * plane + pixel
                                let r = res.map { Int64(widening: $0[o]) } ?? 0
                                emit(o, w.preActivation(channel: j, acc: acc[pixel * layer.outC + j], k: 1, timesteps: t, residual: r))
                            }
                        }
                    }
                }
                if let res {
                    let spikes = ByteCounts.nonZeroAndSum(res, count: n).sum
                    c.inputEvents &+= spikes
                    c.effectiveACs &+= spikes  // each residual spike adds one threshold to a membrane
                    c.activationReadBits &+= steps * UInt64(widening: n)
                    c.inputTrafficBits &+= steps * UInt64(widening: n)
                }
            case .avgPool, .maxPool:
                let pool = PoolingLayer(layer)
                let out = bytes(.output, layer: i)
                let window = Int64(widening: pool.windowSize)
                let isAverage = layer.kind == .avgPool
                var nonZeroVisits: UInt64 = 0, spikeVisits: UInt64 = 0
                if pool.isTwoByTwoAverage {
                    // ⌊Σ / 4⌋ of four counts ≤ T is at most T: the neuron's clamp never bites.
                    pool.averageTwoByTwo(src, output: out, nonZeroVisits: &nonZeroVisits, valueVisits: &spikeVisits)
                } else {
                    pool.reduceWindows(src, nonZeroVisits: &nonZeroVisits, valueVisits: &spikeVisits) { o, sum, largest in
                        out[o] = isAverage
                            ? Requantize.integrateAndFire(total: Int64(widening: sum), threshold: window, timesteps: t)
                            : largest
                    }
                }
                c.inputEvents = ByteCounts.nonZeroAndSum(src, count: nIn).sum
                c.denseSynapticOps = steps * UInt64(widening: n * pool.windowSize)
                c.effectiveACs = spikeVisits  // one accumulate (or compare) per spike per window
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
            } else {
                let spikes = ByteCounts.nonZeroAndSum(bytes(.output, layer: i), count: n).sum
                c.outputEvents = spikes
                c.outputLevelSum = spikes
                c.activationWriteBits = steps * UInt64(widening: n)
                c.outputTrafficBits = c.activationWriteBits
            }
            store(c, layer: i, into: counters)
            afterLayer(i)
        }
    }

    /// Runs spiking layer `i` with the event scatter over its input spike trains where it
    /// applies (`usesSpikeScatter`) and the policy, or the cost model against the per-step
    /// gather, picks it: the layer's spike counts into its output, the input's spikes,
    /// accumulates and weight reads into `c`. False (nothing done) otherwise.
    @inline(__always)
    func runSpikeScatter(_ w: WeightedLayer, layer i: Int, input src: UnsafePointer<UInt8>, timesteps t: Int,
                         counting: Bool, into c: inout EventCounters) -> Bool {
        let layer = w.record
        guard usesSpikeScatter(layer, layer: i, timesteps: t) else { return false }
        if convolutionKernel == .automatic {
            let n = Int(truncatingIfNeeded: ByteCounts.sum(src, count: layer.inputCount))
            let gather = t <= 63 && usesEventGather(w, layer: i, maxValue: 1)
                ? w.spikeGatherPicoseconds(spikes: n, timesteps: t) : Int64.max
            if w.spikeScatterPicoseconds(spikes: n, timesteps: t) >= gather { return false }
        }
        log(.eventScatter, layer: i)
        let layout = ScatterScratch(scratch: alignedScratch(layer: i), layer: layer)
        // Spike counts = codes (threshold 2^S) of the window totals.
        w.prepareChannelCodes(layout.thresholds, k: 1, timesteps: t)
        var unused = WeightedLayer.EventTally()  // the spike-train scatter tallies nothing
        w.eventScatter(input: src, maxValue: 1, layout: layout, timesteps: t, output: bytes(.output, layer: i),
                       counting: false, into: &unused, spikeTrains: true)
        if counting { countSpikeTrains(w, layer: i, input: src, scratch: layout.tapPrefix, into: &c) }
        return true
    }

    /// Adds the counters of spiking layer `i`'s pass over its input spike trains (either kernel):
    /// over the T steps an input with spike count c fires c times, through its valid taps — one
    /// pass over the input (`countInputEvents(weighted: true)`; `scratch`: the layout's tap
    /// prefix sums, used where none are prepacked).
    @inline(__always)
    func countSpikeTrains(_ w: WeightedLayer, layer i: Int, input src: UnsafePointer<UInt8>,
                          scratch: UnsafeMutablePointer<UInt32>, into c: inout EventCounters) {
        var tally = WeightedLayer.EventTally()
        w.countInputEvents(src, weighted: true, prefix: tapPrefix(layer: i, w, scratch: scratch), into: &tally)
        c.inputEvents &+= tally.events
        c.effectiveACs &+= tally.operations
        c.weightReadBits &+= tally.rowsRead &* UInt64(widening: w.record.outC * w.record.weightBits)
    }
}
