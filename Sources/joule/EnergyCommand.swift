import ArgumentParser
import Foundation
import JouleCore
import JouleEnergy
import JouleHost

/// `joule energy <packed> --board B`: per-layer and total energy of both twins from the counters of
/// real runs, as a table and an SVG breakdown chart.
struct EnergyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "energy",
        abstract: "Energy per inference of the QNN and SNN twins on a board, from counted events.",
        discussion: "Runs the model as QNN and as SNN (same T) on the input(s), feeds the per-layer counters to "
            + "the board's analytical model (Boards/README.md) and prints compute / on-chip / off-chip / NoC energy.")

    @Argument(help: "Packed model (.jmod).")
    var model: String

    @Option(name: .long, parsing: .singleValue, help: "Board profile name or JSON path; repeat for several; 'all' for every board in Boards/.")
    var board: [String] = ["all"]

    @Option(name: [.short, .long], help: "T (default: the model's).")
    var timesteps: Int?

    @Option(help: "SNN schedule: layerwise or streaming (the default, and the only one, for leaky neurons).")
    var schedule: Schedule?

    @OptionGroup var budget: BudgetOptions

    @Option(help: "Input file (raw bytes or PGM). Default: --dataset images, or seeded random bytes.")
    var input: String?

    @Option(help: "Average the counters over the first N test images of a data set (fashion-mnist).")
    var images: Int = 0

    @Option(help: "Data set for --images.")
    var dataset: String = "fashion-mnist"

    @Option(help: "Write the breakdown chart(s) as SVG to this path (the board name is appended for several boards).")
    var svg: String?

    @Option(help: "Also write the results as JSON to this path ('-': standard output, no text; schema: docs/json-output.md).")
    var json: String?

    func run() throws {
        try reportingErrors {
            let file = try PackedModelFile(path: model)
            let t = timesteps ?? file.model.defaultTimesteps
            guard (1...255).contains(t) else { throw JouleHostError("--timesteps must be 1…255") }
            let leaky = file.model.hasLeakyNeurons
            let schedule = self.schedule ?? (leaky ? .streaming : .layerwise)
            if leaky && schedule == .layerwise {
                throw JouleHostError("\(model): leaky neurons run only in the streaming schedule (leave out --schedule, "
                    + "or --schedule streaming)")
            }
            let snnMode: ExecutionMode = schedule == .layerwise ? .snnLayerwise : .snnStreaming
            // A leaky SNN has no exact QNN twin: the QNN of the same weights stands in, and is named.
            let qnnFile = try file.leakFreeTwin()
            let boards = try BoardCatalog.loadAll(board == ["all"] ? [] : board)
            try budget.check(file, modes: [.qnn, snnMode], timesteps: t)
            let inputs = try EnergyInputs.load(file: file, input: input, images: images, dataset: dataset)
            try OutputFile.refuseInputs(json, svg)
            let qnn = try AveragedCounters.run(file: qnnFile, mode: .qnn, timesteps: t, inputs: inputs)
            let snn = try AveragedCounters.run(file: file, mode: snnMode, timesteps: t, inputs: inputs)
            let names = (0..<file.model.layerCount).map(file.layerName)
            let out = TextOutput(json: json)
            var documents: [EnergyDocument.Board] = []
            if leaky {
                out("\(model) has leaky neurons (a leak, a reset to zero or a strict threshold), which have no exact "
                    + "QNN twin: the QNN below is the same weights without the leak and firing rules "
                    + "(integrate-and-fire), an estimate of a QNN of this network")
            }
            out("\(model): T = \(t), SNN \(schedule.rawValue), counters averaged over \(inputs.count) input(s); "
                + String(format: "QNN activity %.4f, SNN spike rate %.4f",
                         ActivityRate.of(file.model, counters: qnn, timesteps: t),
                         ActivityRate.of(file.model, counters: snn, timesteps: t)))
            for boardFile in boards {
                let report = ModelEnergyReport(
                    boardName: boardFile.name, board: boardFile.profile, names: names,
                    qnn: ModelWorkloads.workloads(file, mode: .qnn, timesteps: t, counters: qnn),
                    snn: ModelWorkloads.workloads(file, mode: snnMode, timesteps: t, counters: snn))
                documents.append(EnergyDocument.Board(report))
                out("")
                out(report.table())
                if let svg {
                    let path = boards.count == 1 ? svg
                        : (svg.hasSuffix(".svg") ? String(svg.dropLast(4)) : svg) + "-\(boardFile.name).svg"
                    try OutputFile.write(EnergyBreakdownChart.svg(report), to: path)
                    out("chart: \(path)")
                }
            }
            if let json {
                try JSONOutput.write(EnergyDocument(
                    model: model, timesteps: t, snnMode: snnMode.jsonName, inputs: inputs.count,
                    qnnActivity: ActivityRate.of(file.model, counters: qnn, timesteps: t),
                    snnSpikeRate: ActivityRate.of(file.model, counters: snn, timesteps: t),
                    qnnIsLeakFreeTwin: leaky, boards: documents), to: json)
            }
        }
    }
}
