/// The cost model's coefficients (`KernelCost.swift`), picoseconds per unit of each kernel's
/// terms, lane for lane, per build target; `KernelCoefficients.built` (chosen in
/// `KernelSelection.swift`) is the one the selection uses.
///
/// Fitted to per-layer times of one thread, `Tools/fit-kernel-costs` (which runs `joule bench
/// --json` with each kernel forced and fits every kernel's terms by non-negative least squares);
/// fits, hosts and their accuracy: `docs/performance-log.md`. The tables are computed properties,
/// not stored globals: constants the optimiser folds, no data symbols in the firmware.
public struct KernelCoefficients: Sendable, Equatable {
    /// `WeightedLayer.gatherTerms`.
    public var eventGather: SIMD8<Int64>
    /// `WeightedLayer.scatterTerms`.
    public var eventScatter: SIMD8<Int64>
    /// `WeightedLayer.spikeGatherTerms`.
    public var spikeGather: SIMD8<Int64>
    /// `WeightedLayer.spikeScatterTerms`.
    public var spikeScatter: SIMD8<Int64>
    /// `WeightedLayer.denseTerms` (0 where the build has no dense convolution).
    public var dense: SIMD8<Int64>

    public init(eventGather: SIMD8<Int64>, eventScatter: SIMD8<Int64>, spikeGather: SIMD8<Int64>,
                spikeScatter: SIMD8<Int64>, dense: SIMD8<Int64>) {
        self.eventGather = eventGather
        self.eventScatter = eventScatter
        self.spikeGather = spikeGather
        self.spikeScatter = spikeScatter
        self.dense = dense
    }

    /// x86-64 with AVX2: the portable kernels and the `vpmaddubsw` dense block (Zen 3, fitted
    /// 2026-11-23 and 2026-11-24).
    public static var x86AVX2: KernelCoefficients {
        KernelCoefficients(eventGather: SIMD8(2_200, 220_000, 0, 0, 0, 0, 0, 0),
                           eventScatter: SIMD8(660, 1_000, 1_520, 750, 1_030, 0, 0, 0),
                           spikeGather: SIMD8(1_300, 50_000, 1_100, 450, 0, 0, 0, 0),
                           spikeScatter: SIMD8(450, 2_440, 1_000, 300, 38_500, 280, 0, 0),
                           dense: SIMD8(112, 42_000, 0, 0, 0, 0, 0, 0))
    }

    /// x86-64 with AVX-512 VNNI: as `x86AVX2`, with the `vpdpbusd` dense block's (Zen 4, fitted
    /// 2026-12-02).
    public static var x86AVX512VNNI: KernelCoefficients {
        var table = x86AVX2
        table.dense = SIMD8(30, 33_000, 0, 0, 0, 0, 0, 0)
        return table
    }

    /// 64-bit ARM with the dot product (`arm/DenseConvolutionNEON.swift`'s `sdot` block, chosen at
    /// run time): the x86 AVX2 table, whose event kernels' prices rank them on the emulated
    /// Cortex-A72 and A76 as their instructions do, with the dense lanes fitted to the dense
    /// layers' instructions there at 68 ps each (the event kernels' ratio of x86 price to
    /// instructions). Fit and data: `docs/performance-log.md`, 2026-12-07, fourth session.
    public static var aarch64Dot: KernelCoefficients {
        var table = x86AVX2
        table.dense = SIMD8(115, 31_000, 0, 0, 0, 0, 0, 0)
        return table
    }

    /// 64-bit ARM without the dot product (the plain NEON block, Cortex-A53/A72): as `aarch64Dot`.
    public static var aarch64Plain: KernelCoefficients {
        var table = x86AVX2
        table.dense = SIMD8(400, 31_000, 0, 0, 0, 0, 0, 0)
        return table
    }

    /// Targets without a fit of their own (portable builds, armv7, Cortex-M): the x86
    /// AVX2 fit stands in — the ranking of the event gather and scatter, which is all it decides
    /// there, follows their work more than the machine; its dense lanes price what the AVX2 block
    /// would cost (`densePicoseconds` answers the same on every build; no kernel uses them where
    /// the build has no dense convolution).
    public static var portable: KernelCoefficients { x86AVX2 }
}
