/// Descriptor of the vectorised event gather (`EventGather.swift`; portable Swift SIMD): int8
/// layers of a multiple of 32 output channels over values (QNN codes, the model input's bytes)
/// and, one pass per timestep, over the layer-wise SNN's spike trains; byte plans that gave the
/// layer its scratch (`EventScratch.planned`).
enum EventGatherKernel: WeightedKernel {
    static var kernel: LayerKernel { .eventGather }
    static var family: KernelFamily { .eventGather }

    static func supports(_ r: KernelRequest) -> Bool {
        switch r.input {
        case .values: break
        case .spikeTrains: guard r.timesteps <= Requantize.spikeMaskTimesteps else { return false }
        case .spikeCounts: return false
        }
        return r.mode != .snnStreaming && r.planGives(EventScratch.planned(r.record, mode: r.mode))
            && r.weighted.supportsEventGather(maxValue: r.maxValue)
    }

    static func price(_ r: KernelRequest, activity: InputActivity) -> Int64 {
        r.input == .spikeTrains ? r.weighted.spikeGatherPicoseconds(spikes: activity.spikes, timesteps: r.timesteps)
            : r.weighted.gatherPicoseconds(nonZero: activity.nonZero)
    }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        let w = r.weighted, i = r.layer, t = r.timesteps, layer = w.record
        let plane = layer.outH * layer.outW
        let acc = x.int32s(.scratch, layer: i)
        let out = x.bytes(.output, layer: i)
        var tally = WeightedLayer.EventTally()
        if r.input == .spikeTrains {
            // One pass per step over the step's spikes, accumulating every pixel's sums in sum
            // order; codes straight from those, else back to channel order first.
            for o in 0..<layer.outputCount { acc[o] = 0 }
            let layout = EventScratch(scratch: x.pointer(.scratch, layer: i), layer: layer, accumulatorBytes: layer.outputCount * 4)
            for step in 0..<t {
                w.eventGather(input: src, maxValue: 1, spikeMask: Requantize.spikeMask(step: step, timesteps: t), layout: layout,
                              accumulators: acc, pixelStride: layer.outC, clear: false, permuted: true) { _, _ in }
            }
            if !r.writesPlainCodes {
                for pixel in 0..<plane {
                    WeightedLayer.unpermute(acc + pixel * layer.outC, channels: layer.outC, temporary: layout.wide)
                }
            }
            if counting { tally = x.inputTally(w, layer: i, input: src, weighted: true, scratch: layout.tapPrefix) }
            if r.writesPlainCodes {
                w.prepareCodes(layout, k: 1, timesteps: t)
                let temporary = layout.wide.assumingMemoryBound(to: Int32.self)
                for pixel in 0..<plane {
                    w.storeCodes(sumOrder: acc + pixel * layer.outC, k: 1, layout: layout, timesteps: t,
                                 temporary: temporary, into: out, plane: plane, pixel: pixel)
                }
            } else {
                for pixel in 0..<plane {
                    x.storePixel(w, layer: i, pixel: pixel, sums: acc + pixel * layer.outC, k: 1, timesteps: t, readout: readout)
                }
            }
            return tally
        }
        let k = Interpreter.thresholdScale(layer, timesteps: t)
        let layout = EventScratch(scratch: x.pointer(.scratch, layer: i), layer: layer, accumulatorBytes: layer.outC * 4)
        w.prepareCodes(layout, k: k, timesteps: t)
        if r.writesPlainCodes {
            // Codes straight from the gather's sum-ordered sums (thresholds in the same order).
            w.eventGather(input: src, maxValue: r.maxValue, spikeMask: nil, layout: layout, accumulators: acc,
                          pixelStride: 0, clear: true, sumOrderBody: true) { pixel, sums in
                w.storeCodes(sumOrder: sums, k: k, layout: layout, timesteps: t, temporary: acc,
                             into: out, plane: plane, pixel: pixel)
            }
        } else {
            w.eventGather(input: src, maxValue: r.maxValue, spikeMask: nil, layout: layout,
                          accumulators: acc, pixelStride: 0, clear: true) { pixel, sums in
                x.storePixel(w, layer: i, pixel: pixel, sums: sums, k: k, timesteps: t, readout: readout)
            }
        }
        if counting { tally = x.inputTally(w, layer: i, input: src, weighted: false, scratch: layout.tapPrefix) }
        return tally
    }
}
