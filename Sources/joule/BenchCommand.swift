import ArgumentParser
import Foundation
import JouleCore
import JouleHost

/// `joule bench <packed>`: per-layer and total time, throughput, arena and peak memory for the QNN
/// and both SNN schedules, side by side in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark a packed model in every mode: per-layer time, throughput, arena bytes, peak memory.")

    @Argument(help: "Packed model (.jmod).")
    var model: String

    @Option(name: [.short, .long], help: "T (default: the model's).")
    var timesteps: Int?

    @Option(help: "Timed rounds per mode (medians are reported).")
    var rounds = 7

    @Option(help: "Input file (raw bytes or PGM); default: seeded random bytes.")
    var input: String?

    @OptionGroup var budget: BudgetOptions

    @Option(help: "Seed for the random input.")
    var seed: UInt64 = 1

    @Option(help: "Modes to time, comma-separated: qnn, snn-layerwise, snn-streaming (default: all three; snn-streaming alone for a model with leaky neurons).")
    var modes: String?

    @Option(help: "Also write the results as JSON to this path (for Tools/bench; '-': standard output, no text; schema: docs/json-output.md).")
    var json: String?

    @Option(help: ArgumentHelp("Kernels of the convolutions, comma-separated, each timed as its own QNN and layer-wise SNN column (interleaved): automatic (a cost model picks per layer and input), gather (the event gather; per timestep in the SNN), dense (the dense convolution, x86 with AVX2; in the SNN over spike counts), scatter (the event scatter; over the spike trains in the SNN), events (the cost model's pick among the event-driven kernels only: in the SNN every synaptic event an accumulate of its own); where the one named does not apply, the event gather.",
                               valueName: "kernels"))
    var kernel = "automatic"

    func run() throws {
        try reportingErrors {
            let file = try PackedModelFile(path: model)
            let t = timesteps ?? file.model.defaultTimesteps
            let n = file.model.inputCount
            var rng = SplitMix64(seed: seed)
            let bytes = try input.map { try InputFile.read(path: $0, expectedBytes: n) }
                ?? (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) }
            let macs = (0..<file.model.layerCount).reduce(0) { sum, i in
                let r = file.model.layer(i)
                return sum + (r.isWeighted ? r.outputCount * r.fanIn : 0)
            }
            let known: [(String, ExecutionMode, String)] = [("qnn", .qnn, "QNN"), ("snn-layerwise", .snnLayerwise, "SNN layer-wise"),
                                                             ("snn-streaming", .snnStreaming, "SNN streaming")]
            let modes = self.modes ?? (file.model.hasLeakyNeurons ? "snn-streaming" : "qnn,snn-layerwise,snn-streaming")
            let names = modes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for name in names where !known.contains(where: { $0.0 == name }) {
                throw JouleHostError("--modes: unknown mode '\(name)' (known: qnn, snn-layerwise, snn-streaming)")
            }
            let chosen = known.filter { names.contains($0.0) }
            guard !chosen.isEmpty else { throw JouleHostError("--modes: no mode given") }
            try budget.check(file, modes: chosen.map(\.1), timesteps: t)
            var kernels: [ConvolutionKernelPolicy] = []
            for name in kernel.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let k = ConvolutionKernelPolicy(argument: name) else {
                    throw JouleHostError("--kernel: unknown kernel '\(name)' (known: \(ConvolutionKernelPolicy.allValueStrings.joined(separator: ", ")))")
                }
                kernels.append(k)
            }
            guard !kernels.isEmpty else { throw JouleHostError("--kernel: no kernel given") }
            // The QNN and the layer-wise SNN once per kernel; the streaming SNN does not take one.
            var variants: [Benchmark.Variant] = [], labels: [String] = [], modeNames: [String] = []
            for (name, mode, label) in chosen {
                let perKernel = mode != .snnStreaming
                for k in perKernel ? kernels : [.automatic] {
                    variants.append(Benchmark.Variant(mode: mode, kernel: k))
                    labels.append(perKernel && kernels.count > 1 ? "\(label) \(k.defaultValueDescription)" : label)
                    modeNames.append(name)
                }
            }
            FileHandle.standardError.write(Data("benchmarking \(model): \(rounds) rounds × \(variants.count) variants, T = \(t)\n".utf8))
            let results = try Benchmark.run(file: file, variants: variants, timesteps: t, input: bytes, rounds: rounds,
                                            denseMACs: macs) { round in
                FileHandle.standardError.write(Data("\r  round \(round)/\(rounds)".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            let out = TextOutput(json: json)
            var header = "layer".padding(toLength: 14, withPad: " ", startingAt: 0)
            for l in labels { header += l.leftPadded(22) }
            out("per-layer median time (µs) with counters on, kernel, and what counting adds (µs, on − off); T = \(t), one thread, batch 1")
            out(header)
            for i in 0..<file.model.layerCount {
                var line = file.layerName(i).padding(toLength: 14, withPad: " ", startingAt: 0)
                for r in results {
                    line += (String(format: "%.1f", r.layerSeconds[i] * 1e6) + " " + r.kernels[i].tag
                        + String(format: "%+6.1f", (r.layerSeconds[i] - r.uncountedLayerSeconds[i]) * 1e6)).leftPadded(22)
                }
                out(line)
            }
            var total = "total".padding(toLength: 14, withPad: " ", startingAt: 0)
            for r in results {
                total += (String(format: "%.1f", r.totalSeconds * 1e6) + "  "
                    + String(format: "%+6.1f", (r.totalSeconds - r.uncountedSeconds) * 1e6)).leftPadded(22)
            }
            out(total)
            out("kernels: D dense convolution, S event scatter, G event gather, P plain gather, s plain spike scatter, - pooling")
            out("")
            out("mode".padding(toLength: 24, withPad: " ", startingAt: 0) + "latency ms".leftPadded(12)
                + "images/s".leftPadded(11) + "GMAC/s*".leftPadded(10) + "vs first".leftPadded(10)
                + "arena B".leftPadded(10) + "spike/act rate".leftPadded(16) + "counting cost".leftPadded(15))
            for (k, r) in results.enumerated() {
                let rate = ActivityRate.of(file.model, counters: r.counters, timesteps: t)
                out(labels[k].padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(format: "%.3f", r.totalSeconds * 1e3).leftPadded(12)
                    + String(format: "%.1f", r.imagesPerSecond).leftPadded(11)
                    + String(format: "%.2f", r.macsPerSecond / 1e9).leftPadded(10)
                    + String(format: "%.2f×", r.totalSeconds / results[0].totalSeconds).leftPadded(10)
                    + "\(r.arenaBytes)".leftPadded(10) + String(format: "%.4f", rate).leftPadded(16)
                    + String(format: "%+.1f %%", r.countingOverhead * 100).leftPadded(15))
            }
            out("* dense MACs of one QNN pass, zero-padding taps included as in benchmarks.md (\(macs)), per second")
            out("counting cost: median over rounds of the latency with event counters on over that with them off (run back to back), minus 1")
            let peak = Benchmark.peakResidentBytes()
            out("peak resident memory of this process: \(peak) bytes; model file \(file.buffer.count) bytes")
            out("dense convolution block in this build: \(DenseBlock.built) (JOULE_ISA; see Package.swift)")
            if let json {
                let names = (0..<file.model.layerCount).map(file.layerName)
                // Each layer's input activity (one QNN run) and the cost terms of the kernel it ran.
                let activity = try KernelCostTerms.activity(file: file, input: bytes, timesteps: t)
                let variants = results.enumerated().map { k, r in
                    BenchDocument.Variant(mode: modeNames[k], kernel: r.kernel.defaultValueDescription, result: r,
                                          layerNames: names,
                                          spikeRate: ActivityRate.of(file.model, counters: r.counters, timesteps: t),
                                          costs: KernelCostTerms.terms(file: file, mode: r.mode, policy: r.kernel, kernels: r.kernels,
                                                                       activity: activity, timesteps: t))
                }
                try JSONOutput.write(BenchDocument(model: model, rounds: rounds, peakResidentBytes: peak,
                                                   modelBytes: file.buffer.count, denseBlock: "\(DenseBlock.built)",
                                                   modes: variants, layerNames: names, activity: activity), to: json)
            }
        }
    }
}

extension LayerKernel {
    /// One letter for the per-layer table.
    var tag: String {
        switch self {
        case .denseConvolution: "D"
        case .eventScatter: "S"
        case .eventGather: "G"
        case .plainGather: "P"
        case .dspGather: "M"
        case .plainScatter: "s"
        case .pooling: "-"
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? " " + self : String(repeating: " ", count: n - count) + self }
}

extension ConvolutionKernelPolicy: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "automatic": self = .automatic
        case "gather": self = .eventGather
        case "dense": self = .dense
        case "scatter": self = .eventScatter
        case "events": self = .eventDriven
        default: return nil
        }
    }

    public static var allValueStrings: [String] { ["automatic", "gather", "dense", "scatter", "events"] }

    public var defaultValueDescription: String {
        switch self {
        case .automatic: "automatic"
        case .eventGather: "gather"
        case .dense: "dense"
        case .eventScatter: "scatter"
        case .eventDriven: "events"
        }
    }
}
