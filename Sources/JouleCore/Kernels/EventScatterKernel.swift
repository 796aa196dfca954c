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
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        let w = r.weighted, i = r.layer, t = r.timesteps
        let layout = ScatterScratch(scratch: x.alignedScratch(layer: i), layer: w.record)
        x.prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
        var tally = WeightedLayer.EventTally()
        if r.input == .values {
            // The multiplies and weight rows from the scatter's own walk.
            w.eventScatter(input: src, maxValue: r.maxValue, layout: layout, timesteps: t, output: x.bytes(.output, layer: i),
                           counting: counting, into: &tally)
        } else {
            // Over spikes: the trains' tally from one pass over the input (cheaper than one per
            // listed input and band).
            w.eventScatter(input: src, maxValue: r.maxValue, layout: layout, timesteps: t, output: x.bytes(.output, layer: i),
                           counting: false, into: &tally, spikeTrains: r.input == .spikeTrains)
            if counting { tally = x.inputTally(w, layer: i, input: src, weighted: true, scratch: layout.tapPrefix) }
        }
        return tally
    }
}
