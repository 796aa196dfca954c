import Foundation
import JouleCore

/// Times a packed model in each execution mode on one input: per-layer and total time (medians
/// over rounds), throughput, arena bytes and the process's peak resident memory.
public enum Benchmark {
    /// One configuration to time: an execution mode and, for the QNN, the kernel policy of its
    /// convolutions.
    public struct Variant: Sendable {
        public var mode: ExecutionMode
        public var kernel: ConvolutionKernelPolicy
        public init(mode: ExecutionMode, kernel: ConvolutionKernelPolicy = .automatic) {
            self.mode = mode
            self.kernel = kernel
        }
    }

    public struct ModeResult: Sendable {
        public var mode: ExecutionMode
        public var kernel: ConvolutionKernelPolicy
        public var timesteps: Int
        public var arenaBytes: Int
        /// Median seconds per layer (over rounds).
        public var layerSeconds: [Double]
        /// Median seconds per inference.
        public var totalSeconds: Double
        /// Median seconds per layer with the event counters switched off (same per-layer clock
        /// reads as `layerSeconds`, so the difference is what counting costs in that layer).
        public var uncountedLayerSeconds: [Double]
        /// Median seconds per inference with the event counters switched off.
        public var uncountedSeconds: Double
        /// Per round, the inference with counters on over the one with them off, run back to
        /// back: paired, so that drifts of the machine between rounds cancel.
        public var countingRatios: [Double]
        /// Cost of counting: the median of `countingRatios`, minus 1.
        public var countingOverhead: Double { countingRatios.isEmpty ? 0 : Benchmark.median(countingRatios) - 1 }
        public var denseMACs: Int
        /// Counters of one inference, per layer.
        public var counters: [EventCounters]
        /// The kernel each layer ran with (`ModelRunner.lastKernels` of the warm-up run).
        public var kernels: [LayerKernel]
        public var total: EventCounters { counters.reduce(into: EventCounters()) { $0.add($1) } }
        public var imagesPerSecond: Double { 1 / totalSeconds }
        public var macsPerSecond: Double { Double(denseMACs) / totalSeconds }
    }

    /// Runs `rounds` timed inferences per variant (mode and kernel policy) after one warm-up,
    /// variants interleaved round by round so machine noise hits them alike; each round also
    /// times every variant once with the counters off (order alternating), for the counting
    /// overhead, both after one untimed inference of the same variant (warm caches, as the
    /// peers' back-to-back runs in `Tools/bench`).
    public static func run(file: PackedModelFile, variants: [Variant], timesteps: Int, input: [UInt8],
                           rounds: Int, denseMACs: Int, progress: (Int) -> Void = { _ in }) throws -> [ModeResult] {
        let modes = variants.map(\.mode)
        // One prepacked copy of the model for the QNN and the layer-wise SNN, as one deployment
        // would keep (and as the peers keep one per session).
        var runners: [ModelRunner] = []
        for variant in variants {
            let owner = runners.first { $0.mode != .snnStreaming && $0.prepackedBytes > 0 }
            let runner = try ModelRunner(file: file, mode: variant.mode,
                                         sharingPrepackOf: variant.mode == .snnStreaming ? nil : owner)
            runner.convolutionKernel = variant.kernel
            runners.append(runner)
        }
        let n = file.model.layerCount
        var layerSamples = Array(repeating: Array(repeating: [Double](), count: n), count: modes.count)
        var totalSamples = Array(repeating: [Double](), count: modes.count)
        var uncountedSamples = Array(repeating: [Double](), count: modes.count)
        var uncountedLayerSamples = layerSamples
        var ratioSamples = Array(repeating: [Double](), count: modes.count)
        var counters = Array(repeating: [EventCounters](), count: modes.count)
        var kernels = Array(repeating: [LayerKernel](), count: modes.count)
        for (m, runner) in runners.enumerated() {
            counters[m] = try runner.run(input: input, timesteps: timesteps).counters
            kernels[m] = runner.lastKernels
        }
        for round in 0..<rounds {
            for (m, runner) in runners.enumerated() {
                /// One timed inference, each layer clocked by the same hook with counters on or off.
                func timed(counting: Bool) throws -> (total: Double, layers: [Double]) {
                    var perLayer = Array(repeating: 0.0, count: n)
                    let start = DispatchTime.now().uptimeNanoseconds
                    var mark = start
                    _ = try runner.run(input: input, timesteps: timesteps, counting: counting) { layer in
                        let now = DispatchTime.now().uptimeNanoseconds
                        perLayer[layer] += Double(now - mark) * 1e-9
                        mark = now
                    }
                    return (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, perLayer)
                }
                func uncounted() throws {
                    let (total, layers) = try timed(counting: false)
                    uncountedSamples[m].append(total)
                    for i in 0..<n { uncountedLayerSamples[m][i].append(layers[i]) }
                }
                // One untimed inference first, counters on, so that it touches all that either
                // timed run touches: the previous variant (another mode's arena and weights)
                // leaves the caches cold, which would otherwise fall on whichever of the two
                // timed runs comes first and bias the counting overhead.
                _ = try runner.run(input: input, timesteps: timesteps, counting: true)
                if round % 2 == 1 { try uncounted() }
                let (total, layers) = try timed(counting: true)
                totalSamples[m].append(total)
                for i in 0..<n { layerSamples[m][i].append(layers[i]) }
                if round % 2 == 0 { try uncounted() }
                if let off = uncountedSamples[m].last, off > 0 { ratioSamples[m].append(total / off) }
            }
            progress(round + 1)
        }
        return modes.enumerated().map { m, mode in
            ModeResult(mode: mode, kernel: variants[m].kernel, timesteps: timesteps, arenaBytes: file.model.plan(mode).arenaBytes,
                       layerSeconds: layerSamples[m].map(median), totalSeconds: median(totalSamples[m]),
                       uncountedLayerSeconds: uncountedLayerSamples[m].map(median),
                       uncountedSeconds: median(uncountedSamples[m]), countingRatios: ratioSamples[m],
                       denseMACs: denseMACs, counters: counters[m], kernels: kernels[m])
        }
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }

    /// Peak resident set size of this process in bytes (`getrusage`).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
