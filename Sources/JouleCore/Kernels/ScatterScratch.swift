/// Where the QNN's event scatter (`EventScatter.swift`) keeps its working memory in a layer's
/// scratch region (caller-owned), each part 32-byte aligned relative to the region:
///
/// 1. `thresholds`: `15 · outC` int32 code thresholds, channel order (`θ_{j,n}` at
///    `(n − 1) · outC + j`, `Requantize.fillCodeThresholds`), as in `DenseScratch`.
/// 2. `tapPrefix`: the counters' tap prefix sums (`WeightedLayer.countInputEvents`), as in
///    `EventScratch`.
/// 3. `accumulators`: int32 sums of one band of `bandRows(layer)` output rows, one slot of
///    `outC` per pixel, each row's columns reversed: output pixel `(oy, ox)` of the band
///    starting at row `y0`, channel `j`, at `(q · outC + j)` with slot
///    `q = (oy − y0) · outW + outW − 1 − ox` — so that the taps `kx = kxLo…kxHi` of one kernel
///    row reach consecutive slots, in the order of their consecutive weight rows.
/// 4. `narrow`: the same band's int16 sums, same order, where the kernel adds codes
///    (`narrows`); added into `accumulators` whenever the values added since reach
///    `narrowValueBudget`.
/// 5. `spikeList` (the layer-wise SNN's scatter over spike trains only, `spikeTrains`): the
///    band's inputs that fire at all, four `UInt16` each (channel, row, column, spike count),
///    gathered in one sweep and walked once per timestep: room for every input of the rows that
///    reach a band.
///
/// Applies to stride-1 convolutions with int8 weights and `outC` a multiple of 8, fewer than
/// 4096 input channels, without a residual input and with codes as outputs (not the last,
/// scoring layer); the sizes depend only on the layer's shape, so packmodel plans them on any
/// host (`BufferRequirements.denseScratch` takes the larger of this and `DenseScratch`).
struct ScatterScratch {
    /// Bytes of one band's accumulators the kernel aims for: they stay in the L1 data cache.
    static let bandBudget = 16_384

    let thresholds: UnsafeMutablePointer<Int32>
    let tapPrefix: UnsafeMutablePointer<UInt32>
    let accumulators: UnsafeMutableRawPointer
    let narrow: UnsafeMutableRawPointer
    /// Valid only in scratch of `bytes(layer, spikeTrains: true)` (else it points past the parts above).
    let spikeList: UnsafeMutablePointer<UInt16>

    init(scratch: UnsafeMutableRawPointer, layer: LayerRecord) {
        let o = Self.offsets(layer)
        thresholds = (scratch + o.thresholds).assumingMemoryBound(to: Int32.self)
        tapPrefix = (scratch + o.tapPrefix).assumingMemoryBound(to: UInt32.self)
        accumulators = scratch + o.accumulators
        narrow = scratch + o.narrow
        spikeList = (scratch + DenseScratch.aligned32(o.end)).assumingMemoryBound(to: UInt16.self)
    }

    /// Input rows that reach one band at most.
    @inline(__always)
    static func bandInputRows(_ layer: LayerRecord) -> Int {
        min(layer.inH, bandRows(layer) + layer.kernelH - 1)
    }

    /// Largest sum of event values added into the int16 sums between flushes: each event reaches
    /// a pixel through one tap, with a product of magnitude at most `128 · value`, so the sums
    /// stay within `±128 · 255 = ±32640`.
    static let narrowValueBudget = 255

    /// Whether the kernel adds into int16 sums for values up to `maxValue`: codes (`≤ 15`, so that
    /// a flush covers at least 17 events) and `outC` a multiple of 16.
    @inline(__always)
    static func narrows(_ layer: LayerRecord, maxValue: Int) -> Bool { maxValue <= 15 && layer.outC % 16 == 0 }

    /// Whether the event scatter can run `layer` (shape only; the runtime also needs `T ≤ 15`).
    @inline(__always)
    static func supports(_ layer: LayerRecord) -> Bool {
        layer.kind == .conv2d && layer.weightBits == 8 && layer.strideH == 1 && layer.strideW == 1
            && layer.outC % 8 == 0 && layer.inC < 4096 && layer.residualIndex < 0 && layer.activation != .none
    }

    /// Output rows per band: as many as fit `bandBudget`, at least 1, at most `outH`.
    @inline(__always)
    static func bandRows(_ layer: LayerRecord) -> Int {
        max(1, min(layer.outH, bandBudget / max(1, layer.outW * layer.outC * 4)))
    }

    @inline(__always)
    static func offsets(_ layer: LayerRecord) -> (thresholds: Int, tapPrefix: Int, accumulators: Int, narrow: Int, end: Int) {
        let thresholds = 0
        let tapPrefix = DenseScratch.aligned32(thresholds + layer.outC * WeightedLayer.maxThresholdTimesteps * 4)
        let accumulators = DenseScratch.aligned32(tapPrefix + layer.inC * EventScratch.prefixEntries(layer) * 4)
        let sums = bandRows(layer) * layer.outW * layer.outC
        let narrow = DenseScratch.aligned32(accumulators + sums * 4)
        let end = narrow + sums * 2
        return (thresholds, tapPrefix, accumulators, narrow, end)
    }

    /// Scratch bytes the event scatter needs for `layer` (with `spikeTrains`, the SNN's scatter
    /// over spike trains, its spike list too), or 0 where it does not apply. 32 more than the
    /// parts so that the runtime can align them to 32 bytes in a 16-byte aligned region.
    /// The event scatter's scratch for `layer` in `mode`, planned by shape on every target: the
    /// QNN's band, or the layer-wise SNN's band and spike list for a spiking input; 0 elsewhere.
    static func planned(_ layer: LayerRecord, mode: ExecutionMode) -> Int {
        switch mode {
        case .qnn: return bytes(layer)
        case .snnLayerwise: return layer.readsModelInput ? 0 : bytes(layer, spikeTrains: true)
        case .snnStreaming: return 0
        }
    }

    static func bytes(_ layer: LayerRecord, spikeTrains: Bool = false) -> Int {
        guard supports(layer) else { return 0 }
        let end = offsets(layer).end
        return spikeTrains ? DenseScratch.aligned32(end) + layer.inC * bandInputRows(layer) * layer.inW * 8 + 32 : end + 32
    }
}
