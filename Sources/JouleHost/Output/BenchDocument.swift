import JouleCore

/// `joule bench --json`: the timings of every benchmarked variant (read by `Tools/bench`).
public struct BenchDocument: JSONDocument {
    public static let format = "joule-bench"

    public struct Variant: Encodable {
        /// `qnn`, `snn-layerwise` or `snn-streaming`.
        public var mode: String
        /// The kernel policy of the convolutions (`automatic`, `gather`, `dense`, `scatter`, `events`).
        public var kernel: String
        /// The kernel each layer ran, by layer name.
        public var layerKernels: [String: String]
        public var timesteps: Int
        public var arenaBytes: Int
        /// Median seconds per inference with counters on, and off.
        public var medianSeconds: Double, uncountedMedianSeconds: Double
        public var imagesPerSecond: Double
        /// Per round, counters-on latency over counters-off latency.
        public var countingRatios: [Double]
        /// Median of `countingRatios` − 1.
        public var countingOverhead: Double
        /// Median seconds per layer with counters on and off, by layer name.
        public var layerSeconds: [String: Double], uncountedLayerSeconds: [String: Double]
        /// `ActivityRate` of the variant's counters.
        public var spikeRate: Double
        /// By layer name: the cost model's terms of the kernel the layer ran and the cost
        /// function they belong to (`KernelCostTerms`), null where not known (pooling, the plain
        /// kernels, a form or a mask the run does not tell).
        public var layerCosts: [String: LayerCost?]

        /// The variant `r` of mode `mode`; `layerNames` key the per-layer values (a repeated name
        /// keeps its first layer's value).
        public init(mode: String, kernel: String, result r: Benchmark.ModeResult, layerNames: [String], spikeRate: Double,
                    costs: [KernelCostTerms.Entry?] = []) {
            func byLayer<V>(_ values: [V]) -> [String: V] {
                Dictionary(zip(layerNames, values), uniquingKeysWith: { first, _ in first })
            }
            self.mode = mode
            self.kernel = kernel
            layerKernels = byLayer(r.kernels.map { "\($0)" })
            timesteps = r.timesteps
            arenaBytes = r.arenaBytes
            medianSeconds = r.totalSeconds
            uncountedMedianSeconds = r.uncountedSeconds
            imagesPerSecond = r.imagesPerSecond
            countingRatios = r.countingRatios
            countingOverhead = r.countingOverhead
            layerSeconds = byLayer(r.layerSeconds)
            uncountedLayerSeconds = byLayer(r.uncountedLayerSeconds)
            self.spikeRate = spikeRate
            layerCosts = byLayer(layerNames.indices.map { i in
                i < costs.count ? costs[i].map(LayerCost.init) : nil
            })
        }
    }

    /// One layer's `KernelCostTerms.Entry`: `function` (a `KernelCoefficients` field) and its 8
    /// `terms`.
    public struct LayerCost: Encodable {
        public var function: String
        public var terms: [Int64]
        public init(_ e: KernelCostTerms.Entry) {
            function = e.function
            terms = (0..<8).map { e.terms[$0] }
        }
    }

    /// A weighted layer's input activity: non-zero values and their sum (`KernelCostTerms`).
    public struct LayerInput: Encodable {
        public var nonZero: Int
        public var sum: Int
    }

    public var model: String
    public var rounds: Int
    public var peakResidentBytes: Int
    public var modelBytes: Int
    /// The dense convolution block this build of the core contains (`DenseBlock.built`: `none`,
    /// `avx2`, `avx512VNNI`, `armDot`), so that a record says which kernels could run.
    public var denseBlock: String
    public var modes: [Variant]
    /// The cost model's coefficients in this build (`KernelCoefficients.built`), by cost
    /// function: 8 picoseconds per unit of each term, the `layerCosts`' lanes.
    public var costCoefficients: [String: [Int64]]
    /// By weighted layer name: its input's activity on the benchmarked input (from a QNN run),
    /// which `layerCosts`' terms are computed from.
    public var layerInputs: [String: LayerInput]

    public init(model: String, rounds: Int, peakResidentBytes: Int, modelBytes: Int, denseBlock: String, modes: [Variant],
                layerNames: [String] = [], activity: [KernelCostTerms.Activity?] = []) {
        self.model = model; self.rounds = rounds; self.peakResidentBytes = peakResidentBytes
        self.modelBytes = modelBytes; self.denseBlock = denseBlock; self.modes = modes
        var inputs: [String: LayerInput] = [:]
        for (name, a) in zip(layerNames, activity) {
            if let a, inputs[name] == nil { inputs[name] = LayerInput(nonZero: a.nonZero, sum: a.sum) }
        }
        layerInputs = inputs
        let c = KernelCoefficients.built
        func lanes(_ v: SIMD8<Int64>) -> [Int64] { (0..<8).map { v[$0] } }
        costCoefficients = ["eventGather": lanes(c.eventGather), "eventScatter": lanes(c.eventScatter),
                            "spikeGather": lanes(c.spikeGather), "spikeScatter": lanes(c.spikeScatter), "dense": lanes(c.dense)]
    }
}
