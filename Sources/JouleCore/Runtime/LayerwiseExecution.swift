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
                // The input's non-zero values and sum price the kernels: one pass for all.
                let (nonZero, sum) = ByteCounts.nonZeroAndSum(src, count: nIn)
                let activity = (nonZero: Int(truncatingIfNeeded: nonZero), spikes: Int(truncatingIfNeeded: sum))
                if !isScores && res == nil && runSpikeCountDense(w, layer: i, input: src, activity: activity, timesteps: t,
                                                                 counting: counting, into: &c) {
                    // Done: spike counts, synaptic ops and counters (`runSpikeCountDense`).
                } else if layer.readsModelInput {
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
                        log(.eventGather, layer: i)
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
                        log(.plainGather, layer: i)
                        w.gather(input: src, inputBits: 8, acc: acc, counters: &c, emitPixel)
                    }
                } else if !isScores && res == nil && runSpikeScatter(w, layer: i, input: src, activity: activity, timesteps: t,
                                                                     counting: counting, into: &c) {
                    c.denseSynapticOps = steps &* w.denseSynapticOps()
                } else if countsSpikes && !usesPerStepEventGather(w, layer: i, timesteps: t) {
                    // No event-driven kernel but the plain per-step scatter: the plain gather over
                    // the spike counts instead (`countsSpikes`), one multiply-add per non-zero
                    // input and tap, tallying the spike trains' accumulates and weight rows.
                    log(.plainGather, layer: i)
                    c.denseSynapticOps = steps &* w.denseSynapticOps()
                    c.inputEvents &+= UInt64(widening: activity.spikes)
                    w.gather(input: src, inputBits: 1, acc: int32s(.scratch, layer: i), counters: &c,
                             spikeCounts: true) { pixel, sums in
                        for j in 0..<layer.outC {
                            let o = j * plane + pixel
                            let r = res.map { Int64(widening: $0[o]) } ?? 0
                            emit(o, w.preActivation(channel: j, acc: sums[j], k: 1, timesteps: t, residual: r))
                        }
                    }
                } else {
                    c.denseSynapticOps = steps &* w.denseSynapticOps()
                    let acc = int32s(.scratch, layer: i)
                    for o in 0..<n { acc[o] = 0 }
                    let fast = usesPerStepEventGather(w, layer: i, timesteps: t)
                    log(fast ? .eventGather : .plainScatter, layer: i)
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
                            if t <= Requantize.spikeMaskTimesteps {
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
                if let res, counting {
                    let spikes = ByteCounts.sum(res, count: n)
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
                // The producer's output spikes, counted already.
                let inputSpikes = !counting ? 0
                    : layer.inputIndex >= 0 ? counters[layer.inputIndex].outputEvents : ByteCounts.sum(src, count: nIn)
                if pool.isTwoByTwoAverage {
                    // ⌊Σ / 4⌋ of four counts ≤ T is at most T: the neuron's clamp never bites.
                    // Every input spike but those no window reaches is visited once.
                    pool.averageTwoByTwo(src, output: out)
                    if counting { spikeVisits = inputSpikes &- pool.unvisited(src).sum }
                } else {
                    pool.reduceWindows(src, nonZeroVisits: &nonZeroVisits, valueVisits: &spikeVisits) { o, sum, largest in
                        out[o] = isAverage
                            ? Requantize.integrateAndFire(total: Int64(widening: sum), threshold: window, timesteps: t)
                            : largest
                    }
                }
                c.inputEvents = inputSpikes
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

    /// Runs layer `i` of the layer-wise SNN with the dense convolution over its input's spike
    /// counts (the model input's bytes for the analog first layer; `countsSpikes` says why that
    /// is exact) where it applies and the policy picks it — `.dense`, or `.automatic` when the
    /// cost model prices it below the event-driven kernels and the scatter over spike counts
    /// (inputs where many neurons fire, several spikes each) — its spike counts into its
    /// output, its synaptic ops and, when `counting`, the spike trains' counters (those of the
    /// event-driven kernels) into `c`. False (nothing done) otherwise. `activity`: the input's
    /// non-zero values and their sum (its spikes), which price the kernels.
    @inline(__always)
    func runSpikeCountDense(_ w: WeightedLayer, layer i: Int, input src: UnsafePointer<UInt8>,
                            activity: (nonZero: Int, spikes: Int), timesteps t: Int,
                            counting: Bool, into c: inout EventCounters) -> Bool {
        #if JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
        let layer = w.record
        let analog = layer.readsModelInput
        let maxValue = analog ? 255 : t
        guard usesDenseConvolution(layer, layer: i, maxValue: maxValue, timesteps: t) else { return false }
        let nonZero = activity.nonZero
        var events = Int64.max  // the event-driven kernels' price
        if convolutionKernel == .automatic {
            if analog {
                if usesEventGather(w, layer: i, maxValue: 255) { events = w.gatherPicoseconds(nonZero: nonZero) }
            } else {
                // The per-step gather, or (`runSpikeScatter`) the scatter over trains or counts.
                let p = spikingKernelPrices(w, layer: i, activity: activity, timesteps: t)
                events = min(p.gather, min(p.trains, p.counts))
            }
            // The fixed part alone first: the masks are built only where it undercuts them.
            if w.densePicoseconds(activeGroups: 0) ?? Int64.max >= events { return false }
        }
        let layout = DenseScratch(scratch: alignedScratch(layer: i), layer: layer)
        let masked = DenseScratch.masks(layer) && (convolutionKernel == .dense || nonZero * 4 < layer.inputCount)
        let active = masked ? w.denseGroupMasks(src, layout: layout) : w.denseAllGroups(layout)
        if convolutionKernel == .automatic, w.densePicoseconds(activeGroups: active) ?? Int64.max >= events {
            return false
        }
        log(.denseConvolution, layer: i)
        // Spike counts = codes (threshold 2^S) of the window totals; the analog layer's current
        // is integrated T times (`thresholdScale`).
        prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
        w.denseConvolution(input: src, maxValue: maxValue, layout: layout, prepacked: prepackedWeights(layer: i, w.record),
                           timesteps: t, output: bytes(.output, layer: i))
        c.denseSynapticOps = (analog ? 1 : UInt64(widening: t)) &* w.denseSynapticOps()
        if counting {
            if analog {
                countDenseRun(w, layer: i, layout: layout, input: src, maxValue: maxValue, inputBits: 8, into: &c)
            } else if DenseScratch.countsFromCopy(layer) {
                // From the kernel's channels-last copy, each input weighed by its spike count.
                var tally = WeightedLayer.EventTally()
                w.countDenseInput(layout: layout, weighted: true, table: denseCountTable(layer: i, w.record),
                                  prefix: tapPrefix(layer: i, w, scratch: layout.tapPrefix), into: &tally)
                setSpikeTrainCounters(w, tally: tally, into: &c)
            } else {
                countSpikeTrains(w, layer: i, input: src, scratch: layout.tapPrefix, into: &c)
            }
        }
        return true
        #else
        return false
        #endif
    }

    /// The cost model's prices (picoseconds) of spiking layer `i`'s kernels for an input with
    /// `activity` (non-zero values, spikes) at `T` timesteps: the per-step event gather, the
    /// event scatter over spike trains and over spike counts — `Int64.max` where one does not
    /// apply or (counts) the policy excludes it (`countsSpikes`).
    @inline(__always)
    func spikingKernelPrices(_ w: WeightedLayer, layer i: Int, activity: (nonZero: Int, spikes: Int), timesteps t: Int)
        -> (gather: Int64, trains: Int64, counts: Int64) {
        let scatters = usesSpikeScatter(w.record, layer: i, timesteps: t)
        return (usesPerStepEventGather(w, layer: i, timesteps: t)
                    ? w.spikeGatherPicoseconds(spikes: activity.spikes, timesteps: t) : Int64.max,
                scatters ? w.spikeScatterPicoseconds(spikes: activity.spikes, timesteps: t) : Int64.max,
                scatters && countsSpikes ? w.scatterPicoseconds(nonZero: activity.nonZero, maxValue: t) : Int64.max)
    }

    /// Runs spiking layer `i` with the event scatter where it applies (`usesSpikeScatter`) and
    /// the policy, or the cost model against the per-step gather, picks it — over its input
    /// spike trains (an accumulate per spike), or, under `.dense` or where `countsSpikes` and
    /// the cost model prefers it, over the spike counts (the QNN's scatter: a multiply-add per
    /// firing input, which pays where inputs fire several times) —: the layer's spike counts
    /// into its output, the spike trains' counters into `c`. False (nothing done) otherwise.
    /// `activity` as for `runSpikeCountDense`.
    @inline(__always)
    func runSpikeScatter(_ w: WeightedLayer, layer i: Int, input src: UnsafePointer<UInt8>,
                         activity: (nonZero: Int, spikes: Int), timesteps t: Int,
                         counting: Bool, into c: inout EventCounters) -> Bool {
        let layer = w.record
        guard usesSpikeScatter(layer, layer: i, timesteps: t) else { return false }
        var overCounts = convolutionKernel == .dense
        if convolutionKernel == .automatic || convolutionKernel == .eventDriven {
            let p = spikingKernelPrices(w, layer: i, activity: activity, timesteps: t)
            if min(p.trains, p.counts) >= p.gather { return false }
            overCounts = p.counts < p.trains
        }
        log(.eventScatter, layer: i)
        let layout = ScatterScratch(scratch: alignedScratch(layer: i), layer: layer)
        // Spike counts = codes (threshold 2^S) of the window totals.
        prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
        var unused = WeightedLayer.EventTally()  // the counters come from the spike trains below
        w.eventScatter(input: src, maxValue: overCounts ? t : 1, layout: layout, timesteps: t,
                       output: bytes(.output, layer: i), counting: false, into: &unused, spikeTrains: !overCounts)
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
        setSpikeTrainCounters(w, tally: tally, into: &c)
    }

    /// Adds a spiking layer's counters from the spike trains' `tally` (`countInputEvents` or
    /// `countDenseInput`, weighted): spikes in, an accumulate per spike and non-zero weight of
    /// each valid tap, a weight row read per spike and valid tap.
    @inline(__always)
    func setSpikeTrainCounters(_ w: WeightedLayer, tally: WeightedLayer.EventTally, into c: inout EventCounters) {
        c.inputEvents &+= tally.events
        c.effectiveACs &+= tally.operations
        c.weightReadBits &+= tally.rowsRead &* UInt64(widening: w.record.outC * w.record.weightBits)
    }
}
