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

        /// The variant `r` of mode `mode`; `layerNames` key the per-layer values (a repeated name
        /// keeps its first layer's value).
        public init(mode: String, kernel: String, result r: Benchmark.ModeResult, layerNames: [String], spikeRate: Double) {
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
        }
    }

    public var model: String
    public var rounds: Int
    public var peakResidentBytes: Int
    public var modelBytes: Int
    /// The dense convolution block this build of the core contains (`DenseBlock.built`: `none`,
    /// `avx2`, `avx512VNNI`), so that a record says which kernels could run.
    public var denseBlock: String
    public var modes: [Variant]

    public init(model: String, rounds: Int, peakResidentBytes: Int, modelBytes: Int, denseBlock: String, modes: [Variant]) {
        self.model = model; self.rounds = rounds; self.peakResidentBytes = peakResidentBytes
        self.modelBytes = modelBytes; self.denseBlock = denseBlock; self.modes = modes
    }
}
