import Foundation
import JouleCore
import JouleEnergy

/// The main job's answer for one model: both twins evaluated on a data set, their energy per
/// inference on every board from the counters of those runs, the break-even spike rate against the
/// paper's QNN and against the model's own QNN twin, and the battery lifetime of each twin on a
/// smartwatch workload priced on each board.
public struct TwinComparison {
    /// One board's numbers.
    public struct BoardResult {
        public var board: String
        /// Per-layer and total energy of both twins (pJ).
        public var energy: ModelEnergyReport
        /// The measured point against the paper's QNN (the board's reference density).
        public var paper: BreakevenDocument.Measured
        /// The measured point against this model's QNN twin (its measured density).
        public var twin: BreakevenDocument.Measured
        /// Break-even sweeps over `T` at both densities (for the curves).
        public var paperSweep: BreakEvenSweep, twinSweep: BreakEvenSweep
        /// Closed-form lifetime of each twin on the workload with this board's energy per inference.
        public var qnnBattery: PowerBudget, snnBattery: PowerBudget
        /// Both twins' lifetimes against the inference rate.
        public var rateSweep: RateSweep

        public var qnnMicrojoules: Double { energy.qnnTotal.total * 1e-6 }
        public var snnMicrojoules: Double { energy.snnTotal.total * 1e-6 }
        /// SNN energy over QNN energy per inference.
        public var ratio: Double { energy.ratio }
        /// The twin with the smaller energy per inference (`qnn` on a tie).
        public var winner: Twin { ratio < 1 ? .snn : .qnn }
    }

    public var model: String
    public var dataset: String
    public var timesteps: Int
    public var weightBits: Int
    public var layerNames: [String]
    public var qnn: Evaluation, snn: Evaluation
    /// The streaming schedule's evaluation, when it ran.
    public var streaming: Evaluation?
    /// The workload the lifetimes are for.
    public var workload: Workload
    public var boards: [BoardResult]

    /// The SNN's measured spike rate `s_r` (layer-wise; equal to the QNN's Σ codes / (N·T)).
    public var spikeRate: Double { snn.spikeRate }
    /// The QNN twin's non-zero activation fraction `1 − γ` (hidden layers).
    public var qnnDensity: Double { 1 - qnn.sparsity }

    /// Largest `T` of the break-even sweeps.
    public static let sweepTimesteps = 16

    /// Runs the comparison.
    /// - Parameters:
    ///   - images: test images to evaluate (their averaged counters price the energy).
    ///   - streaming: also evaluate the streaming SNN schedule's accuracy.
    ///   - progress: called with (stage label, images done, images total).
    public static func run(file: PackedModelFile, model: String, dataset: String, data: IDXDataset, timesteps t: Int,
                           images: Int, threads: Int, streaming: Bool, boards: [BoardFile], workload: Workload,
                           progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in })
        throws -> TwinComparison {
        let count = min(images, data.count)
        func evaluate(_ mode: ExecutionMode, _ label: String) throws -> Evaluation {
            try Evaluation.run(file: file, mode: mode, timesteps: t, dataset: data, limit: count, threads: threads) {
                progress(label, $0, count)
            }
        }
        let q = try evaluate(.qnn, "QNN")
        let s = try evaluate(.snnLayerwise, "SNN layer-wise")
        let st = streaming ? try evaluate(.snnStreaming, "SNN streaming") : nil
        let n = UInt64(max(1, q.images))
        let qAvg = q.counters.map { $0.dividedRounded(by: n) }, sAvg = s.counters.map { $0.dividedRounded(by: n) }
        let names = (0..<file.model.layerCount).map(file.layerName)
        let bits = (0..<file.model.layerCount).map { file.model.layer($0).weightBits }.max() ?? 8
        let density = 1 - q.sparsity, rate = s.spikeRate
        let results = boards.map { b -> BoardResult in
            let report = ModelEnergyReport(
                boardName: b.name, board: b.profile, names: names,
                qnn: ModelWorkloads.workloads(file, mode: .qnn, timesteps: t, counters: qAvg),
                snn: ModelWorkloads.workloads(file, mode: .snnLayerwise, timesteps: t, counters: sAvg))
            let qJ = report.qnnTotal.total * 1e-12, sJ = report.snnTotal.total * 1e-12
            let target = SpikeRateTarget(board: b.profile, timesteps: t, weightBits: bits, measuredJoules: sJ, measuredRate: rate)
            return BoardResult(
                board: b.name, energy: report,
                paper: BreakEven.measured(board: b.profile, timesteps: t, spikeRate: rate, qnnDensity: nil, weightBits: bits),
                twin: BreakEven.measured(board: b.profile, timesteps: t, spikeRate: rate, qnnDensity: density, weightBits: bits),
                paperSweep: BreakEvenSweep(label: b.name, board: b.profile, timestepsMax: max(sweepTimesteps, t), weightBits: bits),
                twinSweep: BreakEvenSweep(label: b.name, board: b.profile, timestepsMax: max(sweepTimesteps, t),
                                          qnnDensity: density, weightBits: bits),
                qnnBattery: PowerBudget(workload: workload, inferenceJoules: qJ),
                snnBattery: PowerBudget(workload: workload, inferenceJoules: sJ),
                rateSweep: RateSweep(workload: workload, qnnJoules: qJ, snnJoules: sJ, spikeRates: target))
        }
        return TwinComparison(model: model, dataset: dataset, timesteps: t, weightBits: bits, layerNames: names,
                              qnn: q, snn: s, streaming: st, workload: workload, boards: results)
    }
}
