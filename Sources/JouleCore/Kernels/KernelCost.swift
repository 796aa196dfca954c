/// The cost model with which the selection prices a weighted layer's kernels per input
/// (`KernelSelection.swift`): estimated picoseconds of each kernel, a dot product of the work it
/// does for this input — its **terms** (events × taps, output pixels, blocks, bytes scanned, one
/// `SIMD8<Int64>` per kernel, unused lanes 0) — with the build target's **coefficients**
/// (`KernelCoefficients`, picoseconds per unit of each term). Only the ranking matters: every
/// kernel gives the same results and counters, so a mispriced layer runs slower, never
/// differently.
///
/// In `Int64` on every target: W1's layers run to 10^10 ps and more, past a 32-bit `Int` (the
/// model's counts themselves fit 32 bits, which validation guarantees).
extension WeightedLayer {
    /// Terms of the event gather (`EventGather.swift`) on an input with `nonZero` non-zero values,
    /// per tile of 32 or 64 channels: `[events × taps, output pixels]`.
    public func gatherTerms(nonZero: Int) -> SIMD8<Int64> {
        let r = record
        let taps = Int64(widening: kernelH * kernelW), pixels = Int64(widening: r.outH * r.outW)
        let tiles = Int64(widening: self.tiles)
        return SIMD8(tiles &* Int64(widening: nonZero) &* taps, tiles &* pixels, 0, 0, 0, 0, 0, 0)
    }

    /// Terms of the dense convolution (`x86/DenseConvolution*.swift`) when its input's non-zero
    /// (output block, input-channel group) pairs number `activeGroups` (`denseGroupMasks`):
    /// `[active groups × taps × output channels, blocks of 4 pixels × tiles of 16 channels]` — the
    /// same for codes and model-input bytes (the wide first layers' groups are of 2 values).
    public func denseTerms(activeGroups: Int) -> SIMD8<Int64> {
        let r = record
        let blockTiles = DenseScratch.blockCount(r) * (r.outC / DenseScratch.tileChannels)
        let denseTaps = DenseScratch.kernelH(r) * DenseScratch.kernelW(r)
        return SIMD8(Int64(widening: activeGroups) &* Int64(widening: denseTaps * r.outC), Int64(widening: blockTiles),
                     0, 0, 0, 0, 0, 0)
    }

    /// The dense convolution's (output block, input-channel group) pairs — `denseTerms`'
    /// `activeGroups` where it runs over every group — and whether it may mask the groups of a
    /// sparse input instead (`DenseScratch.masks`; then the active groups depend on the input).
    /// For `Tools/fit-kernel-costs` (`joule bench --json`'s cost terms).
    public var denseGroups: (all: Int, maskable: Bool) {
        (DenseScratch.blockCount(record) * DenseScratch.channels(record) / 4, DenseScratch.masks(record))
    }

    /// Terms of the event scatter (`EventScatter.swift`) on an input with `nonZero` non-zero
    /// values at most `maxValue`: `[event-taps × 16-lane adds (codes: 16-bit sums), event-taps ×
    /// 8-lane adds (8-bit input: int32 sums), event-taps (decoding, kernel rows), outputs (zeroing,
    /// codes), input bytes scanned (the rows that reach a band, once per band)]`.
    public func scatterTerms(nonZero: Int, maxValue: Int) -> SIMD8<Int64> {
        let r = record
        let narrow = ScatterScratch.narrows(r, maxValue: maxValue)
        let taps = eventTaps(nonZero)
        return SIMD8(narrow ? taps &* Int64(widening: (r.outC + 15) / 16) : 0,
                     narrow ? 0 : taps &* Int64(widening: (r.outC + 7) / 8),
                     taps, Int64(widening: r.outputCount), Int64(widening: scannedBytes()), 0, 0, 0)
    }

    /// Terms of the layer-wise SNN's per-step event gather over spike trains of `spikes` spikes
    /// (`T` passes): `[inputs × steps (the event lists), output pixels × tiles × steps, spikes ×
    /// valid taps × tiles, the same × doublings of the weights beyond 256 KiB (rows fetched from
    /// further out)]`.
    public func spikeGatherTerms(spikes: Int, timesteps t: Int) -> SIMD8<Int64> {
        let r = record
        let weightBytes = r.inC * kernelH * kernelW * r.rowBytes
        let doublings = max(0, Int.bitWidth - 1 - (weightBytes / 131_072).leadingZeroBitCount)  // ⌊log2⌋, 0 below 256 KiB
        let steps = Int64(widening: t), tiles = Int64(widening: self.tiles)
        let spikeTaps = eventTaps(spikes) &* tiles
        return SIMD8(steps &* Int64(widening: r.inputCount), steps &* Int64(widening: r.outH * r.outW) &* tiles,
                     spikeTaps, spikeTaps &* Int64(widening: doublings), 0, 0, 0, 0)
    }

    /// Terms of the event scatter over spike trains (`eventScatter(spikeTrains:)`): `[spike-taps ×
    /// 16-lane adds, spike-taps, spikes × steps (walking the list of firing inputs), input bytes
    /// scanned, input channels × bands, outputs]`.
    public func spikeScatterTerms(spikes: Int, timesteps t: Int) -> SIMD8<Int64> {
        let r = record
        let bands = (r.outH + ScatterScratch.bandRows(r) - 1) / ScatterScratch.bandRows(r)
        let taps = eventTaps(spikes)
        return SIMD8(taps &* Int64(widening: (r.outC + 15) / 16), taps, Int64(widening: t) &* Int64(widening: spikes),
                     Int64(widening: scannedBytes()), Int64(widening: r.inC * bands), Int64(widening: r.outputCount), 0, 0)
    }

    /// Estimated picoseconds of the event gather: `gatherTerms` priced with `coefficients`.
    public func gatherPicoseconds(nonZero: Int, coefficients: KernelCoefficients = .built) -> Int64 {
        (gatherTerms(nonZero: nonZero) &* coefficients.eventGather).wrappedSum()
    }

    /// Estimated picoseconds of the dense convolution; nil for layers that neither fold nor have
    /// at most `DenseScratch.amortisedWeightBytesPerPixel` of weights per output pixel
    /// (`DenseScratch.amortises`): re-laying their weights each run costs more than the kernel
    /// saves.
    public func densePicoseconds(activeGroups: Int, coefficients: KernelCoefficients = .built) -> Int64? {
        guard DenseScratch.amortises(record) else { return nil }
        return (denseTerms(activeGroups: activeGroups) &* coefficients.dense).wrappedSum()
    }

    /// Estimated picoseconds of the event scatter over values.
    public func scatterPicoseconds(nonZero: Int, maxValue: Int, coefficients: KernelCoefficients = .built) -> Int64 {
        (scatterTerms(nonZero: nonZero, maxValue: maxValue) &* coefficients.eventScatter).wrappedSum()
    }

    /// Estimated picoseconds of the per-step event gather over spike trains.
    public func spikeGatherPicoseconds(spikes: Int, timesteps t: Int, coefficients: KernelCoefficients = .built) -> Int64 {
        (spikeGatherTerms(spikes: spikes, timesteps: t) &* coefficients.spikeGather).wrappedSum()
    }

    /// Estimated picoseconds of the event scatter over spike trains.
    public func spikeScatterPicoseconds(spikes: Int, timesteps t: Int, coefficients: KernelCoefficients = .built) -> Int64 {
        (spikeScatterTerms(spikes: spikes, timesteps: t) &* coefficients.spikeScatter).wrappedSum()
    }

    /// Channel tiles of the event gather: 64 channels each, or 32.
    var tiles: Int { record.outC % 64 == 0 ? record.outC / 64 : (record.outC + 31) / 32 }

    /// Input bytes the event scatter scans in one sweep: the rows that reach each band.
    func scannedBytes() -> Int {
        let r = record
        let band = ScatterScratch.bandRows(r)
        return r.inC * r.inW * min(r.inH, r.outH + (r.outH + band - 1) / band * (kernelH - 1))
    }

    /// Event-taps of `events` events: each input reaches `validTaps / (inH · inW)` outputs on
    /// average.
    func eventTaps(_ events: Int) -> Int64 {
        Int64(widening: events) * Int64(widening: validTaps()) / Int64(widening: max(1, record.inH * record.inW))
    }

    /// Whether the dense convolution is expected to be faster than the event gather
    /// (`densePicoseconds` against `gatherPicoseconds`).
    public func prefersDense(nonZero: Int, activeGroups: Int) -> Bool {
        guard let dense = densePicoseconds(activeGroups: activeGroups) else { return false }
        return dense < gatherPicoseconds(nonZero: nonZero)
    }
}
