/// The cost model with which the QNN picks a convolution's kernel per layer and input
/// (`ConvolutionKernelPolicy.automatic`): estimated picoseconds of each kernel, fitted to
/// per-layer times of all three on this project's workloads (Zen 3, AVX2, one thread; see
/// `Sources/README.md`). Only the ranking matters: the kernels give the same results.
extension WeightedLayer {
    /// The event gather (`EventGather.swift`) on an input with `nonZero` non-zero values:
    /// ≈ 2.2 ns per event and tap and ≈ 220 ns per output pixel, per tile of 32 or 64 channels.
    public func gatherPicoseconds(nonZero: Int) -> Int {
        let r = record
        let taps = kernelH * kernelW, pixels = r.outH * r.outW
        let tiles = r.outC % 64 == 0 ? r.outC / 64 : (r.outC + 31) / 32
        return tiles * (2_200 * nonZero * taps + 220_000 * pixels)
    }

    /// The dense convolution (`DenseConvolution.swift`) when its input's non-zero (output block,
    /// input-channel group) pairs number `activeGroups` (`denseGroupMasks`; `maxValue` as in
    /// `denseConvolution`): ≈ 200 ps per active group, tap and output channel (16
    /// multiply-accumulates; twice for 8-bit input) and ≈ 60 ns per block of 4 pixels and 16
    /// channels. nil for layers with more than 64 KiB of weights per output pixel (W1's last
    /// convolution: 4.7 MB for 4 pixels): re-laying their weights each run, from beyond the L2
    /// cache, costs more than the kernel saves.
    public func densePicoseconds(activeGroups: Int, maxValue: Int) -> Int? {
        let r = record
        guard DenseScratch.amortises(r) else { return nil }
        let blockTiles = r.outH * DenseScratch.blocks(r) * (r.outC / DenseScratch.tileChannels)
        let denseTaps = DenseScratch.kernelH(r) * DenseScratch.kernelW(r)
        return 200 * activeGroups * denseTaps * r.outC * (maxValue > 15 ? 2 : 1) + 60_000 * blockTiles
    }

    /// The event scatter (`EventScatter.swift`) on an input with `nonZero` non-zero values at
    /// most `maxValue`: ≈ 660 ps per 16-lane add of its 16-bit sums (codes) or 1 ns per 8-lane
    /// add of int32 ones (8-bit input), ≈ 1.5 ns per event and valid tap (decoding, kernel rows),
    /// ≈ 750 ps per output value (zeroing, codes) and ≈ 1 ns per input byte scanned (the rows
    /// that reach a band, once per band). Fitted within ±15 % on 16 of the 17 layers of W1,
    /// seeded W2 and trained W2 (Zen 3; `Sources/README.md`).
    public func scatterPicoseconds(nonZero: Int, maxValue: Int) -> Int {
        let r = record
        let band = ScatterScratch.bandRows(r)
        let scanned = r.inC * r.inW * min(r.inH, r.outH + (r.outH + band - 1) / band * (kernelH - 1))
        // Event-taps: each input reaches validTaps / (inH · inW) outputs on average.
        let eventTaps = nonZero * validTaps() / max(1, r.inH * r.inW)
        let lanes = ScatterScratch.narrows(r, maxValue: maxValue) ? 16 : 8
        let addPicoseconds = lanes == 16 ? 660 : 1_000
        return addPicoseconds * eventTaps * ((r.outC + lanes - 1) / lanes) + 1_520 * eventTaps
            + 750 * r.outH * r.outW * r.outC + 1_030 * scanned
    }

    /// Whether the dense convolution is expected to be faster than the event gather
    /// (`densePicoseconds` against `gatherPicoseconds`).
    public func prefersDense(nonZero: Int, activeGroups: Int, maxValue: Int) -> Bool {
        guard let dense = densePicoseconds(activeGroups: activeGroups, maxValue: maxValue) else { return false }
        return dense < gatherPicoseconds(nonZero: nonZero)
    }
}
