/// Descriptor of the event scatter (`EventScatter.swift`; portable Swift SIMD): stride-1 int8
/// convolutions with codes out and no residual (`ScatterScratch.supports`), `T ≤ 15` — the QNN
/// over its values, the layer-wise SNN over a spiking input's trains or counts; byte plans that
/// gave the layer its band (`ScatterScratch.planned`).
enum EventScatterKernel: WeightedKernel {
    static var kernel: LayerKernel { .eventScatter }
    static var family: KernelFamily { .eventScatter }

    static func supports(_ r: KernelRequest) -> Bool {
        let modeFits = r.mode == .qnn ? r.input == .values : r.mode == .snnLayerwise && r.input != .values
        return modeFits && r.timesteps <= WeightedLayer.maxThresholdTimesteps
            && r.planGives(ScatterScratch.planned(r.record, mode: r.mode))
    }

    static func price(_ r: KernelRequest, activity: InputActivity) -> Int64 {
        r.input == .spikeTrains ? r.weighted.spikeScatterPicoseconds(spikes: activity.spikes, timesteps: r.timesteps)
            : r.weighted.scatterPicoseconds(nonZero: activity.nonZero, maxValue: r.maxValue)
    }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool, into c: inout EventCounters) {
        let w = r.weighted, i = r.layer, t = r.timesteps
        let layout = ScatterScratch(scratch: x.alignedScratch(layer: i), layer: w.record)
        x.prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
        if r.input == .values {
            // The counters' weight rows and multiplies come from the scatter's own walk.
            var tally = WeightedLayer.EventTally()
            w.eventScatter(input: src, maxValue: r.maxValue, layout: layout, timesteps: t, output: x.bytes(.output, layer: i),
                           counting: counting, into: &tally)
            if counting {
                x.setGatheredCounters(w, tally: tally, inputBits: w.record.readsModelInput ? 8 : Requantize.codeBits(timesteps: t),
                                      into: &c)
            }
        } else {
            var unused = WeightedLayer.EventTally()  // the counters come from the spike trains below
            w.eventScatter(input: src, maxValue: r.maxValue, layout: layout, timesteps: t, output: x.bytes(.output, layer: i),
                           counting: false, into: &unused, spikeTrains: r.input == .spikeTrains)
            if counting { x.countSpikeTrains(w, layer: i, input: src, scratch: layout.tapPrefix, into: &c) }
        }
    }
}
