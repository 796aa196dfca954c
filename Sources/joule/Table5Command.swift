import ArgumentParser
import Foundation
import JouleCore
import JouleHost

/// `joule table5 [models…]`: paper 1's Table 5 reproduced on Joule's trained twins, with the
/// paper's CIFAR-10 values beside them and the per-layer breakdown as charts.
struct Table5Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table5",
        abstract: "Paper 1's Table 5 on our trained twins: accuracy, sparsity, spike rate, SNN/QNN energy per board.",
        discussion: "Evaluates each model's QNN and layer-wise SNN on the test set and prices both on every board "
            + "three ways: paper-style (SNN at the measured spike rate against a QNN at the board's reference "
            + "density), against the model's own QNN twin, and counted layer by layer from the runs' events. The "
            + "paper's CIFAR-10 values stand beside the models it has a row for (vgg16, vgg-star). --charts DIR "
            + "writes table5.svg and one per-layer energy breakdown per model and board.")

    @Argument(help: "Models: packed (.jmod) or JSON descriptions (default: those of Models/vgg16.json and Models/vgg-star.json that exist).")
    var models: [String] = []

    @Option(name: [.short, .long], help: "T (default: each model's).")
    var timesteps: Int?

    @Option(help: "Test images per model (default: the whole test set).")
    var images: Int?

    @Option(help: "Data set (fashion-mnist).")
    var dataset = "fashion-mnist"

    @Option(name: .long, parsing: .singleValue, help: "Board profile name or JSON path; repeatable (default: every board in Boards/).")
    var board: [String] = []

    @Option(help: "Write table5.svg and <model>-<board>.svg (per-layer energy) into this folder.")
    var charts: String?

    @OptionGroup var budget: BudgetOptions

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Write the table as JSON to this path ('-': standard output, no text).")
    var json: String?

    static let paperModels = ["Models/vgg16.json", "Models/vgg-star.json"]

    /// The paper's networks that are trained and committed.
    static var defaultModels: [String] { paperModels.filter { FileManager.default.fileExists(atPath: $0) } }

    func validate() throws {
        if let t = timesteps, !(1...255).contains(t) { throw ValidationError("--timesteps must be 1…255, got \(t)") }
        if let n = images, n < 1 { throw ValidationError("--images must be ≥ 1") }
        if threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        if models.isEmpty && Self.defaultModels.isEmpty {
            throw ValidationError("none of \(Self.paperModels.joined(separator: ", ")) exists here: give model paths")
        }
        let names = (models.isEmpty ? Self.defaultModels : models).map(Table5.modelName(path:))
        if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw ValidationError("two models are named \(twice): the table and the charts name models by file name")
        }
    }

    func run() throws {
        try reportingErrors {
            let paths = models.isEmpty ? Self.defaultModels : models
            let boards = try BoardCatalog.loadAll(board)
            let w = try Workload.load(path: WorkloadCatalog.resolve("Workloads/activity-recognition.json"))
            let data = try IDXDataset.load(named: dataset)
            try OutputFile.refuseInputs(json)
            let files = try paths.map { try InferenceEnergy.open(model: $0) }
            for f in files {
                try budget.check(f, modes: [.qnn, .snnLayerwise], timesteps: timesteps ?? f.model.defaultTimesteps)
            }
            let count = min(images ?? data.count, data.count)
            var entries: [Table5.Entry] = []
            for (path, file) in zip(paths, files) {
                let name = Table5.modelName(path: path)
                let bars = ProgressBars()
                let c = try TwinComparison.run(file: file, model: name, dataset: dataset, data: data,
                                               timesteps: timesteps ?? file.model.defaultTimesteps, images: count,
                                               threads: threads, streaming: false, boards: boards, workload: w) {
                    label, done, total in bars.update("\(name) \(label)", done, total)
                }
                bars.finish()
                entries.append(Table5.Entry(name: name, comparison: c))
            }
            let table = Table5(entries: entries)
            if let json { try JSONOutput.write(Table5Document(table), to: json) }
            if let charts {
                let folder = URL(fileURLWithPath: charts)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try OutputFile.write(Table5Chart.svg(table), to: folder.appendingPathComponent("table5.svg").path)
                for e in entries {
                    for b in e.comparison.boards {
                        try OutputFile.write(EnergyBreakdownChart.svg(b.energy),
                                             to: folder.appendingPathComponent("\(e.name)-\(b.board).svg").path)
                    }
                }
            }
            guard json != OutputFile.standardOutput else { return }
            print(table.text())
            if let charts { print("charts: \(charts)/table5.svg and <model>-<board>.svg") }
            if let json { print("json: \(json)") }
        }
    }
}
