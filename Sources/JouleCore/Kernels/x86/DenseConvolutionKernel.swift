#if JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
/// Descriptor of the dense convolution (x86: the AVX2 `vpmaddubsw` block, or the AVX-512 VNNI
/// `vpdpbusd` block where built, `DenseConvolutionVNNI.swift`): stride-1 int8 convolutions with
/// codes out and no residual (`DenseScratch.supports`), over values of at most 15 (255 for the
/// model input) — QNN codes, the model input, the layer-wise SNN's spike counts — `T ≤ 15`, byte
/// plans that gave the layer its scratch. Priced only where re-laying the weights amortises
/// (`DenseScratch.amortises`).
enum DenseConvolutionKernel: WeightedKernel {
    static var kernel: LayerKernel { .denseConvolution }
    static var family: KernelFamily { .dense }

    static func supports(_ r: KernelRequest) -> Bool {
        let m = r.maxValue
        return r.mode != .snnStreaming && r.input != .spikeTrains && m >= 1
            && r.timesteps <= WeightedLayer.maxThresholdTimesteps
            && (m <= 15 || (r.record.readsModelInput && m <= 255))
            && DenseScratch.supports(r.record) && r.planGives(DenseScratch.bytes(r.record))
    }

    static func isPriced(_ r: KernelRequest) -> Bool { DenseScratch.amortises(r.record) }

    /// Inputs more than a quarter non-zero, and layers whose groups cannot be masked, run over
    /// every group (priced so); sparser ones are priced at the fixed part alone until `prepare`
    /// has their masks.
    static func price(_ r: KernelRequest, activity: InputActivity) -> Int64 {
        let layer = r.record
        let active = DenseScratch.masksInput(layer, nonZero: activity.nonZero) ? 0 : DenseScratch.blockCount(layer) * DenseScratch.channels(layer) / 4
        return r.weighted.densePicoseconds(activeGroups: active) ?? Int64.max
    }

    /// The group masks (`WeightedLayer.prepareDense`): the AVX2 pixel masks.
    static func prepare(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>,
                        activity: InputActivity?) -> Int64? {
        WeightedLayer.prepareDense(r, x, input: src, activity: activity) { r.weighted.denseGroupMasks(src, layout: $0) }
    }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        let w = r.weighted, i = r.layer, t = r.timesteps, layer = r.record
        let layout = DenseScratch(scratch: x.alignedScratch(layer: i), layer: layer)
        // Codes (spike counts: threshold 2^S) of the window totals; the analog layer's current
        // is integrated T times (`thresholdScale`).
        x.prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
        let prepacked = x.prepackedData(layer: i, layer, kernel: .denseConvolution)
        w.denseConvolution(input: src, maxValue: r.maxValue, layout: layout, prepacked: prepacked,
                           timesteps: t, output: x.bytes(.output, layer: i))
        var tally = WeightedLayer.EventTally()
        guard counting else { return tally }
        // From the kernel's channels-last copy where the layout allows (spike counts: each input
        // weighed by its count), else one pass over the input.
        if DenseScratch.countsFromCopy(layer) {
            let table = x.hasTapTables && DenseScratch.countTableEntries(layer) > 0
                ? prepacked.map { ($0 + DenseScratch.prepackedWeightBytes(layer)).assumingMemoryBound(to: UInt32.self) }
                : nil
            w.countDenseInput(layout: layout, weighted: r.input != .values, table: table,
                              prefix: x.tapPrefix(layer: i, w, scratch: layout.tapPrefix), into: &tally)
        } else {
            tally = x.inputTally(w, layer: i, input: src, weighted: r.input != .values, scratch: layout.tapPrefix)
        }
        return tally
    }

    static func prepackBytes(_ layer: LayerRecord) -> Int { DenseScratch.prepackedBytes(layer) }

    /// The interleaved weights, then (with the tap prefix sums) the count table.
    static func prepack(_ w: WeightedLayer, at: UnsafeMutableRawPointer, tapPrefix: UnsafePointer<UInt32>?) {
        w.prepackDenseWeights(into: at)
        if let tapPrefix, DenseScratch.countTableEntries(w.record) > 0 {
            let table = (at + DenseScratch.prepackedWeightBytes(w.record)).assumingMemoryBound(to: UInt32.self)
            w.fillDenseCountTable(table, prefix: tapPrefix)
        }
    }
}
#endif
