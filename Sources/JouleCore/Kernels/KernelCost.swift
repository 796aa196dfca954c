/// The cost model with which the runtime picks a convolution's kernel per layer and input
/// (`ConvolutionKernelPolicy.automatic`): estimated picoseconds of each kernel, linear in the
/// work it does for this input (events × taps, output pixels, blocks, bytes scanned), with
/// coefficients fitted to per-layer times, one thread (fits, hosts and their accuracy:
/// `docs/performance-log.md`, 2026-11-23 to 2026-12-02). Only the ranking matters: every kernel
/// gives the same results and counters, so a mispriced layer runs slower, never differently.
///
/// In `Int64` on every target: W1's layers run to 10^10 ps and more, past a 32-bit `Int` (the
/// model's counts themselves fit 32 bits, which validation guarantees).
extension WeightedLayer {
    /// The event gather (`EventGather.swift`) on an input with `nonZero` non-zero values: per
    /// tile of 32 or 64 channels, a price per event and tap plus one per output pixel (fitted
    /// coefficients: `docs/performance-log.md`, 2026-11-23).
    public func gatherPicoseconds(nonZero: Int) -> Int64 {
        let r = record
        let taps = kernelH * kernelW, pixels = r.outH * r.outW
        return Int64(widening: tiles) * (2_200 * Int64(widening: nonZero) * Int64(widening: taps)
            + 220_000 * Int64(widening: pixels))
    }

    /// The dense convolution (`DenseConvolution.swift`) when its input's non-zero (output block,
    /// input-channel group) pairs number `activeGroups` (`denseGroupMasks`): a price per active
    /// group, tap and output channel (16 multiply-accumulates of 4 codes, or of 2 model-input
    /// values in `wide` layers) plus one per block of 4 pixels and 16 channels — the same for
    /// codes and model-input bytes, since the wide first layers' groups are of 2 values. Each
    /// dense block has its own coefficients (AVX2 and AVX-512 VNNI; fitted coefficients:
    /// `docs/performance-log.md`, 2026-11-24 and 2026-12-02). nil for layers that neither fold
    /// nor have at most 64 KiB of weights per output pixel (`DenseScratch.amortises`): re-laying
    /// their weights each run, from beyond the L2 cache, costs more than the kernel saves.
    public func densePicoseconds(activeGroups: Int) -> Int64? {
        let r = record
        guard DenseScratch.amortises(r) else { return nil }
        let blockTiles = DenseScratch.blockCount(r) * (r.outC / DenseScratch.tileChannels)
        let denseTaps = DenseScratch.kernelH(r) * DenseScratch.kernelW(r)
        #if JOULE_AVX512VNNI
        // `vpdpbusd` (DenseConvolutionVNNI.swift): the same two terms, per active group, tap
        // and output channel and per block and tile, with the VNNI block's coefficients.
        return 30 * Int64(widening: activeGroups) * Int64(widening: denseTaps * r.outC)
            + 33_000 * Int64(widening: blockTiles)
        #else
        return 112 * Int64(widening: activeGroups) * Int64(widening: denseTaps * r.outC)
            + 42_000 * Int64(widening: blockTiles)
        #endif
    }

    /// The event scatter (`EventScatter.swift`) on an input with `nonZero` non-zero values at
    /// most `maxValue`: per event and valid tap, a price per 16-lane add of its 16-bit sums
    /// (codes) or per 8-lane add of int32 ones (8-bit input) plus one for decoding and kernel
    /// rows; a price per output value (zeroing, codes) and per input byte scanned (the rows that
    /// reach a band, once per band). Fitted coefficients: `docs/performance-log.md`, 2026-11-23.
    public func scatterPicoseconds(nonZero: Int, maxValue: Int) -> Int64 {
        let r = record
        let lanes = ScatterScratch.narrows(r, maxValue: maxValue) ? 16 : 8
        let addPicoseconds: Int64 = lanes == 16 ? 660 : 1_000
        return eventTaps(nonZero) * (addPicoseconds * Int64(widening: (r.outC + lanes - 1) / lanes) + 1_520)
            + 750 * Int64(widening: r.outputCount) + 1_030 * Int64(widening: scannedBytes())
    }

    /// The layer-wise SNN's per-step event gather over spike trains of `spikes` spikes in all
    /// (`T` passes): a price per input and step (the event lists), per output pixel, tile and
    /// step, and per spike, valid tap and tile — the last constant while the layer's weights fit
    /// 256 KiB and one step dearer per doubling beyond (rows fetched from further out). Fitted
    /// coefficients: `docs/performance-log.md`, 2026-11-23.
    public func spikeGatherPicoseconds(spikes: Int, timesteps t: Int) -> Int64 {
        let r = record
        let weightBytes = r.inC * kernelH * kernelW * r.rowBytes
        let doublings = max(0, Int.bitWidth - 1 - (weightBytes / 131_072).leadingZeroBitCount)  // ⌊log2⌋, 0 below 256 KiB
        let perSpikeTap = 1_100 + 450 * Int64(widening: doublings)
        return Int64(widening: t) * (1_300 * Int64(widening: r.inputCount) + 50_000 * Int64(widening: r.outH * r.outW * tiles))
            + perSpikeTap * eventTaps(spikes) * Int64(widening: tiles)
    }

    /// The event scatter over spike trains (`eventScatter(spikeTrains:)`): per spike and valid
    /// tap, a price per 16-lane add plus a fixed one; a price per spike and step (walking the list
    /// of firing inputs); one sweep of the input (per byte scanned, per channel and band); and a
    /// price per output. Fitted coefficients: `docs/performance-log.md`, 2026-11-23 and
    /// 2026-11-24.
    public func spikeScatterPicoseconds(spikes: Int, timesteps t: Int) -> Int64 {
        let r = record
        let bands = (r.outH + ScatterScratch.bandRows(r) - 1) / ScatterScratch.bandRows(r)
        return eventTaps(spikes) * (450 * Int64(widening: (r.outC + 15) / 16) + 2_440)
            + 1_000 * Int64(widening: t) * Int64(widening: spikes)
            + 300 * Int64(widening: scannedBytes()) + 38_500 * Int64(widening: r.inC * bands)
            + 280 * Int64(widening: r.outputCount)
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

/// Which block of the dense convolution this build runs and its cost model prices: none (no
/// AVX2, or `JOULE_PLAIN_KERNELS`), the AVX2 `vpmaddubsw` block, or the AVX-512 VNNI `vpdpbusd`
/// block (`DenseConvolutionVNNI.swift`). Tests and reports read it; the kernels do not.
public enum DenseBlock: Sendable {
    case none, avx2, avx512VNNI

    public static var built: DenseBlock {
        #if JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
        #if JOULE_AVX512VNNI
        return .avx512VNNI
        #else
        return .avx2
        #endif
        #else
        return .none
        #endif
    }
}
