import Foundation
import JouleCore

/// Times a packed model in each execution mode on one input: per-layer and total time (medians
/// over rounds), throughput, arena bytes and the process's peak resident memory.
public enum Benchmark {
    public struct ModeResult: Sendable {
        public var mode: ExecutionMode
        public var timesteps: Int
        public var arenaBytes: Int
        /// Median seconds per layer (over rounds).
        public var layerSeconds: [Double]
        /// Median seconds per inference.
        public var totalSeconds: Double
        /// Median seconds per inference with the event counters switched off.
        public var uncountedSeconds: Double
        /// Cost of counting: `totalSeconds / uncountedSeconds − 1`.
        public var countingOverhead: Double { uncountedSeconds > 0 ? totalSeconds / uncountedSeconds - 1 : 0 }
        public var denseMACs: Int
        /// Counters of one inference, per layer.
        public var counters: [EventCounters]
        public var total: EventCounters { counters.reduce(into: EventCounters()) { $0.add($1) } }
        public var imagesPerSecond: Double { 1 / totalSeconds }
        public var macsPerSecond: Double { Double(denseMACs) / totalSeconds }
    }

    /// Runs `rounds` timed inferences per mode after one warm-up, modes interleaved round by round
    /// so machine noise hits them alike; each round also times every mode once with the counters
    /// off (order alternating), for the counting overhead. `dense`: when the QNN runs the dense
    /// convolution (x86 with AVX2), to compare kernels.
    public static func run(file: PackedModelFile, modes: [ExecutionMode], timesteps: Int, input: [UInt8],
                           rounds: Int, denseMACs: Int, dense: DenseConvolutionPolicy = .automatic,
                           progress: (Int) -> Void = { _ in }) throws -> [ModeResult] {
        let runners = try modes.map { try ModelRunner(file: file, mode: $0) }
        for runner in runners { runner.denseConvolution = dense }
        let n = file.model.layerCount
        var layerSamples = Array(repeating: Array(repeating: [Double](), count: n), count: modes.count)
        var totalSamples = Array(repeating: [Double](), count: modes.count)
        var uncountedSamples = Array(repeating: [Double](), count: modes.count)
        var counters = Array(repeating: [EventCounters](), count: modes.count)
        for (m, runner) in runners.enumerated() { counters[m] = try runner.run(input: input, timesteps: timesteps).counters }
        for round in 0..<rounds {
            for (m, runner) in runners.enumerated() {
                func uncounted() throws {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = try runner.run(input: input, timesteps: timesteps, counting: false)
                    uncountedSamples[m].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
                }
                if round % 2 == 1 { try uncounted() }
                var perLayer = Array(repeating: 0.0, count: n)
                let start = DispatchTime.now().uptimeNanoseconds
                var mark = start
                _ = try runner.run(input: input, timesteps: timesteps) { layer in
                    let now = DispatchTime.now().uptimeNanoseconds
                    perLayer[layer] += Double(now - mark) * 1e-9
                    mark = now
                }
                totalSamples[m].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
                for i in 0..<n { layerSamples[m][i].append(perLayer[i]) }
                if round % 2 == 0 { try uncounted() }
            }
            progress(round + 1)
        }
        return modes.enumerated().map { m, mode in
            ModeResult(mode: mode, timesteps: timesteps, arenaBytes: file.model.plan(mode).arenaBytes,
                       layerSeconds: layerSamples[m].map(median), totalSeconds: median(totalSamples[m]),
                       uncountedSeconds: median(uncountedSamples[m]),
                       denseMACs: denseMACs, counters: counters[m])
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
