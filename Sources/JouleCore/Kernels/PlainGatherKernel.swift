/// Descriptor of the plain gather (`WeightedGather.swift`): every weighted layer over values —
/// QNN codes (bytes or the packed codes of `--compact` plans), the model input's bytes — and the
/// layer-wise SNN's spike counts; any target, no scratch beyond the layer's accumulators.
enum PlainGatherKernel: WeightedKernel {
    static var kernel: LayerKernel { .plainGather }
    static var family: KernelFamily { .plain }

    static func supports(_ r: KernelRequest) -> Bool {
        switch r.input {
        case .values: return true
        case .spikeCounts: return r.mode == .snnLayerwise
        case .spikeTrains: return false
        }
    }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        var rows = ImmediateRows(weightBits: r.record.weightBits, count: r.record.outC)
        return run(r, x, input: src, activity: activity, readout: readout, counting: counting, rows: &rows)
    }

    /// The plain gather's run with the weight rows added by `rows` (`RowAccumulator`): this
    /// kernel's, or an instruction set's variant of the same walk (`arm/DSPGatherKernel.swift`).
    @inline(__always)
    static func run<A: RowAccumulator>(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>,
                                       activity: InputActivity?, readout: Readout, counting: Bool,
                                       rows: inout A) -> WeightedLayer.EventTally {
        let w = r.weighted, i = r.layer, t = r.timesteps
        let acc = x.int32s(.scratch, layer: i)
        let k = Interpreter.thresholdScale(w.record, timesteps: t)
        var tally = WeightedLayer.EventTally()
        if r.input == .spikeCounts {
            // One multiply-add per non-zero input and tap, tallying the spike trains'
            // accumulates and weight rows (`gather(spikeCounts: true)`).
            if counting {
                tally.events = UInt64(widening: activity?.spikes ?? Int(truncatingIfNeeded: ByteCounts.sum(src, count: w.record.inputCount)))
            }
            w.gather(input: src, acc: acc, rows: &rows, tally: &tally, spikeCounts: true) { pixel, sums in
                x.storePixel(w, layer: i, pixel: pixel, sums: sums, k: 1, timesteps: t, readout: readout)
            }
            return tally
        }
        let bits = r.codeBits
        let res = x.residual(of: w.record)
        if bits == 0 {
            w.gather(input: src, acc: acc, rows: &rows, tally: &tally) { pixel, sums in
                x.storePixel(w, layer: i, pixel: pixel, sums: sums, k: k, timesteps: t, readout: readout,
                             residual: res, output: x.bytes(.output, layer: i))
            }
            return tally
        }
        // Packed codes (QNN `--compact` plans): every buffer but the model input packed.
        let out = PackedCodeWriter(x.bytes(.output, layer: i), bits: bits)
        let packedRes = res.map { PackedCodeReader($0, bits: bits) }
        func store(_ pixel: Int, _ sums: UnsafeMutablePointer<Int32>) {
            x.storePixel(w, layer: i, pixel: pixel, sums: sums, k: k, timesteps: t, readout: readout,
                         residual: packedRes, output: out)
        }
        if r.record.readsModelInput {
            w.gather(input: src, acc: acc, rows: &rows, tally: &tally, store)
        } else {
            w.gather(input: PackedCodeReader(src, bits: bits), acc: acc, rows: &rows, tally: &tally, store)
        }
        return tally
    }
}

/// Descriptor of the plain per-spike scatter (`Spiking/SpikeScatter.swift`): the layer-wise
/// SNN's spiking layers over their spike trains, step by step — the kernel every policy falls
/// back to there; any target.
enum PlainScatterKernel: WeightedKernel {
    static var kernel: LayerKernel { .plainScatter }
    static var family: KernelFamily { .plain }

    static func supports(_ r: KernelRequest) -> Bool { r.input == .spikeTrains && r.mode != .qnn }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        let w = r.weighted, i = r.layer, t = r.timesteps, layer = w.record
        let acc = x.int32s(.scratch, layer: i)
        for o in 0..<layer.outputCount { acc[o] = 0 }
        var tally = WeightedLayer.EventTally()
        for step in 0..<t {
            if t <= Requantize.spikeMaskTimesteps {
                let fires = Requantize.spikeMask(step: step, timesteps: t)
                w.scatter(acc: acc, tally: &tally) { (fires &>> UInt64(widening: src[$0] & 63)) & 1 != 0 }
            } else {
                w.scatter(acc: acc, tally: &tally) { Requantize.spikes(count: Int(src[$0]), step: step, timesteps: t) }
            }
        }
        for pixel in 0..<layer.outH * layer.outW {
            x.storePixel(w, layer: i, pixel: pixel, sums: acc + pixel * layer.outC, k: 1, timesteps: t, readout: readout)
        }
        return tally
    }
}
