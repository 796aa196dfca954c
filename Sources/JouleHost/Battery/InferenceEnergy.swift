import Foundation
import JouleCore
import JouleEnergy

/// Energy per inference of each twin at the supply rail, and where it came from.
public struct InferenceEnergy: Sendable {
    /// Energy per inference (J) per twin.
    public var joules: [Twin: Double]
    /// One line saying how the numbers were obtained.
    public var origin: String
    /// Measured spike rate of the SNN / activity of the QNN (`ActivityRate`), when a model ran.
    public var snnSpikeRate: Double?, qnnActivity: Double?
    /// What the spike-rate estimate needs when a model ran: the board, `T` and the widest weights.
    public var board: BoardProfile?, timesteps: Int?, weightBits: Int?

    /// Spike-rate estimate for the SNN (`nil` unless a model ran).
    public var spikeRateTarget: SpikeRateTarget? {
        guard let board, let timesteps, let weightBits, let r = snnSpikeRate, let e = joules[.snn] else { return nil }
        return SpikeRateTarget(board: board, timesteps: timesteps, weightBits: weightBits, measuredJoules: e, measuredRate: r)
    }

    public init(joules: [Twin: Double], origin: String, snnSpikeRate: Double? = nil, qnnActivity: Double? = nil) {
        self.joules = joules
        self.origin = origin
        self.snnSpikeRate = snnSpikeRate
        self.qnnActivity = qnnActivity
    }

    /// The workload's explicit overrides.
    public static func overrides(_ w: Workload) -> InferenceEnergy {
        InferenceEnergy(joules: w.model.energyOverride, origin: "\(w.file): model.energyPerInferenceMicrojoules")
    }

    /// Opens a packed model (`.jmod`), or packs a JSON model description in memory.
    public static func open(model path: String) throws -> PackedModelFile {
        guard path.hasSuffix(".json") else { return try PackedModelFile(path: path) }
        let description = try ModelDescription.load(path: path)
        let summary = try Packer.pack(try description.resolve(path: path))
        return try PackedModelFile(bytes: summary.bytes, name: path)
    }

    /// Runs `file` as QNN and SNN on `inputs`, averages the counters and prices both twins on `board`.
    /// A model with leaky neurons runs its SNN streaming, and its QNN is the leak-free twin of the
    /// same weights (`PackedModelFile.leakFreeTwin`; the origin says so).
    /// - Parameter progress: called after each run with (runs done, runs total).
    public static func measure(file: PackedModelFile, board: BoardFile, timesteps t: Int, streaming: Bool,
                               inputs: [[UInt8]], progress: (Int, Int) -> Void = { _, _ in }) throws -> InferenceEnergy {
        let leaky = file.model.hasLeakyNeurons
        let streaming = streaming || leaky
        let snnMode: ExecutionMode = streaming ? .snnStreaming : .snnLayerwise
        let qnnFile = try file.leakFreeTwin()
        var done = 0
        func average(_ mode: ExecutionMode) throws -> [EventCounters] {
            let runner = try ModelRunner(file: mode == .qnn ? qnnFile : file, mode: mode)
            var sums = Array(repeating: EventCounters(), count: file.model.layerCount)
            for input in inputs {
                let r = try runner.run(input: input, timesteps: t)
                for i in sums.indices { sums[i].add(r.counters[i]) }
                done += 1
                progress(done, 2 * inputs.count)
            }
            return sums.map { $0.dividedRounded(by: UInt64(max(1, inputs.count))) }
        }
        let qnn = try average(.qnn), snn = try average(snnMode)
        let report = ModelEnergyReport(
            boardName: board.name, board: board.profile, names: (0..<file.model.layerCount).map(file.layerName),
            qnn: ModelWorkloads.workloads(file, mode: .qnn, timesteps: t, counters: qnn),
            snn: ModelWorkloads.workloads(file, mode: snnMode, timesteps: t, counters: snn))
        var result = InferenceEnergy(
            joules: [.qnn: report.qnnTotal.total * 1e-12, .snn: report.snnTotal.total * 1e-12],
            origin: "\(file.path) on \(board.name), T = \(t), SNN \(streaming ? "streaming" : "layer-wise"), "
                + "counters averaged over \(inputs.count) input(s)"
                + (leaky ? "; leaky neurons: the QNN is the leak-free twin of the same weights" : ""),
            snnSpikeRate: ActivityRate.of(file.model, counters: snn, timesteps: t),
            qnnActivity: ActivityRate.of(file.model, counters: qnn, timesteps: t))
        result.board = board.profile
        result.timesteps = t
        result.weightBits = (0..<file.model.layerCount).map { file.model.layer($0).weightBits }.max() ?? 8
        return result
    }
}
