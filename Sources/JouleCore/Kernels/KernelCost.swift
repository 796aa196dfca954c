/// The cost model with which the runtime picks a convolution's kernel per layer and input
/// (`ConvolutionKernelPolicy.automatic`): estimated picoseconds of each kernel, fitted to
/// per-layer times of each on this project's workloads (Zen 3, AVX2, one thread; see
/// `Sources/README.md`). Only the ranking matters: the kernels give the same results.
///
/// In `Int64` on every target: W1's layers run to 10^10 ps and more, past a 32-bit `Int` (the
/// model's counts themselves fit 32 bits, which validation guarantees).
extension WeightedLayer {
    /// The event gather (`EventGather.swift`) on an input with `nonZero` non-zero values:
    /// ≈ 2.2 ns per event and tap and ≈ 220 ns per output pixel, per tile of 32 or 64 channels.
    public func gatherPicoseconds(nonZero: Int) -> Int64 {
        let r = record
        let taps = kernelH * kernelW, pixels = r.outH * r.outW
        return Int64(widening: tiles) * (2_200 * Int64(widening: nonZero) * Int64(widening: taps)
            + 220_000 * Int64(widening: pixels))
    }

    /// The dense convolution (`DenseConvolution.swift`) when its input's non-zero (output block,
    /// input-channel group) pairs number `activeGroups` (`denseGroupMasks`): ≈ 112 ps per active group, tap and output channel (16
    /// multiply-accumulates of 4 codes, or of 2 model-input values in `wide` layers) and ≈ 42 ns
    /// per block of 4 pixels and 16 channels (refitted within ±12 % on the first six layers of W1
    /// and the five of seeded W2 after the weight-bound budget and the wide first layers; the
    /// 88 ns before overpriced every layer by 10–30 %); the same for codes and model-input bytes,
    /// since the wide first layers' groups are of 2 values. nil for layers that neither fold nor
    /// have at most 64 KiB of weights per output pixel (`DenseScratch.amortises`): re-laying
    /// their weights each run, from beyond the L2 cache, costs more than the kernel saves.
    public func densePicoseconds(activeGroups: Int) -> Int64? {
        let r = record
        guard DenseScratch.amortises(r) else { return nil }
        let blockTiles = DenseScratch.blockCount(r) * (r.outC / DenseScratch.tileChannels)
        let denseTaps = DenseScratch.kernelH(r) * DenseScratch.kernelW(r)
        #if JOULE_AVX512VNNI
        // `vpdpbusd` (DenseConvolutionVNNI.swift): ≈ 30 ps per active group, tap and output
        // channel and ≈ 33 ns per block and tile (fitted on seeded W2's five layers, Zen 5:
        // within ±15 % on conv2–conv5; the folded first layer 25 % over).
        return 30 * Int64(widening: activeGroups) * Int64(widening: denseTaps * r.outC)
            + 33_000 * Int64(widening: blockTiles)
        #else
        return 112 * Int64(widening: activeGroups) * Int64(widening: denseTaps * r.outC)
            + 42_000 * Int64(widening: blockTiles)
        #endif
    }

    /// The event scatter (`EventScatter.swift`) on an input with `nonZero` non-zero values at
    /// most `maxValue`: ≈ 660 ps per 16-lane add of its 16-bit sums (codes) or 1 ns per 8-lane
    /// add of int32 ones (8-bit input), ≈ 1.5 ns per event and valid tap (decoding, kernel rows),
    /// ≈ 750 ps per output value (zeroing, codes) and ≈ 1 ns per input byte scanned (the rows
    /// that reach a band, once per band). Fitted within ±15 % on 16 of the 17 layers of W1,
    /// seeded W2 and trained W2 (Zen 3; `Sources/README.md`).
    public func scatterPicoseconds(nonZero: Int, maxValue: Int) -> Int64 {
        let r = record
        let lanes = ScatterScratch.narrows(r, maxValue: maxValue) ? 16 : 8
        let addPicoseconds: Int64 = lanes == 16 ? 660 : 1_000
        return eventTaps(nonZero) * (addPicoseconds * Int64(widening: (r.outC + lanes - 1) / lanes) + 1_520)
            + 750 * Int64(widening: r.outputCount) + 1_030 * Int64(widening: scannedBytes())
    }

    /// The layer-wise SNN's per-step event gather over spike trains of `spikes` spikes in all
    /// (`T` passes): ≈ 1.3 ns per input and step (the event lists), ≈ 50 ns per output pixel,
    /// tile and step, and per spike, valid tap and tile ≈ 1.1 ns while the weights fit 256 KiB,
    /// 450 ps more per doubling beyond (rows fetched from further out: 2.9 ns on W1's 2.4 MB
    /// layers). Fitted on the spiking convolutions of W1, seeded and trained W2 (Zen 3;
    /// `Sources/README.md`).
    public func spikeGatherPicoseconds(spikes: Int, timesteps t: Int) -> Int64 {
        let r = record
        let weightBytes = r.inC * kernelH * kernelW * r.rowBytes
        let doublings = max(0, Int.bitWidth - 1 - (weightBytes / 131_072).leadingZeroBitCount)  // ⌊log2⌋, 0 below 256 KiB
        let perSpikeTap = 1_100 + 450 * Int64(widening: doublings)
        return Int64(widening: t) * (1_300 * Int64(widening: r.inputCount) + 50_000 * Int64(widening: r.outH * r.outW * tiles))
            + perSpikeTap * eventTaps(spikes) * Int64(widening: tiles)
    }

    /// The event scatter over spike trains (`eventScatter(spikeTrains:)`): ≈ 450 ps per 16-lane
    /// add and ≈ 2.4 ns per spike and valid tap, ≈ 1 ns per spike and step (walking the list of
    /// firing inputs), one sweep of the input (≈ 300 ps per byte scanned, ≈ 39 ns per channel and
    /// band) and ≈ 280 ps per output. Fitted as above.
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
