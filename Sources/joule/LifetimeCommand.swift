import ArgumentParser
import Foundation
import JouleHost

/// `joule lifetime <workload.json>`: battery lifetime of a smartwatch running a workload, for the QNN
/// and SNN twins, by a time-stepping simulation checked against the closed-form estimate.
struct LifetimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifetime",
        abstract: "Battery lifetime (days) of a smartwatch workload for the QNN and SNN twins.",
        discussion: "Reads a workload (format: Workloads/README.md), prices one inference of each twin on the board "
            + "(from --model, else the workload's energy overrides, else its model path), simulates the duty cycle until "
            + "the battery is empty and compares with the closed form I_avg = Σ I_k t_k / T_cycle. Prints lifetimes, "
            + "their ratio, the average-power breakdown and a sweep over inference rate; writes two SVGs.")

    @Argument(help: "Workload file (.json).")
    var workload: String

    @Option(help: "Packed model (.jmod) or JSON model description to measure (replaces the workload's energy source).")
    var model: String?

    @Option(help: "Board profile name or JSON path (default: the workload's).")
    var board: String?

    @Option(name: [.short, .long], help: "T for both twins (default: the workload's).")
    var timesteps: Int?

    @Option(help: "Average the model's counters over the first N test images (default: one seeded random input).")
    var images: Int = 0

    @Option(help: "Data set for --images.")
    var dataset: String = "fashion-mnist"

    @Option(help: "SVG path prefix: writes <prefix>-charge.svg and <prefix>-sweep.svg (default: out/lifetime/<workload name>).")
    var svgPrefix: String?

    @OptionGroup var budget: BudgetOptions

    @Option(help: "Also write the results as JSON to this path ('-': standard output, no text; schema: docs/json-output.md).")
    var json: String?

    func run() throws {
        try reportingErrors {
            var w = try Workload.load(path: workload)
            if let board { w.board = board }
            if let timesteps {
                guard (1...255).contains(timesteps) else { throw JouleHostError("--timesteps must be 1…255") }
                w.model.timesteps = timesteps
            }
            let energy = try inferenceEnergy(w)
            let started = Date()
            let report = try LifetimeReport(workload: w, energy: energy)
            let out = TextOutput(json: json)
            out(report.text())
            let prefix = svgPrefix ?? "out/lifetime/\(w.name)"
            try write(ChargeChart.svg(report), to: prefix + "-charge.svg", out)
            var sweep: RateSweep?
            if let q = energy.joules[.qnn], let s = energy.joules[.snn] {
                let rates = RateSweep(workload: w, qnnJoules: q, snnJoules: s, spikeRates: energy.spikeRateTarget)
                sweep = rates
                out(rates.conditions(spikeRates: energy.spikeRateTarget))
                out(rates.table())
                try write(RateSweepChart.svg(rates), to: prefix + "-sweep.svg", out)
            }
            if let json { try JSONOutput.write(LifetimeDocument(report: report, sweep: sweep), to: json) }
            let steps = report.rows.map(\.simulation.steps).reduce(0, +)
            out(String(format: "simulated %d events in %.2f s", steps, Date().timeIntervalSince(started)))
        }
    }

    /// Energy per inference from --model, else the workload's overrides (when complete), else its model path.
    func inferenceEnergy(_ w: Workload) throws -> InferenceEnergy {
        let overridesComplete = w.twins.allSatisfy { w.model.energyOverride[$0] != nil }
        guard let path = model ?? (overridesComplete && board == nil && timesteps == nil ? nil : w.model.path) else {
            if overridesComplete { return .overrides(w) }
            throw JouleHostError("\(w.file): field 'model': no energy override for every twin and no model path; pass --model")
        }
        let boardFile: BoardFile
        do { boardFile = try BoardCatalog.load(w.board) } catch { throw JouleHostError("\(error)") }
        let file = try InferenceEnergy.open(model: path)
        // A model with leaky neurons runs its SNN streaming (`InferenceEnergy.measure`).
        let streaming = w.model.streaming || file.model.hasLeakyNeurons
        try budget.check(file, modes: [.qnn, streaming ? .snnStreaming : .snnLayerwise], timesteps: w.model.timesteps)
        let inputs = try EnergyInputs.load(file: file, input: nil, images: images, dataset: dataset)
        try OutputFile.refuseInputs(json, svgPrefix.map { $0 + "-charge.svg" }, svgPrefix.map { $0 + "-sweep.svg" })
        let bar = ProgressBar(total: 2 * inputs.count, label: "measuring QNN and SNN")
        defer { bar.finish() }
        return try InferenceEnergy.measure(file: file, board: boardFile, timesteps: w.model.timesteps,
                                           streaming: streaming, inputs: inputs) { done, _ in bar.update(done) }
    }

    func write(_ svg: String, to path: String, _ out: TextOutput) throws {
        try OutputFile.write(svg, to: path)
        out("chart: \(path)")
    }
}
