import ArgumentParser
import Foundation
import JouleCore
import JouleHost

/// `joule compare <model>`: the main job's answer — per board, QNN and SNN energy per inference,
/// who wins, the break-even spike rates and the battery lifetime of each twin — then one sentence
/// on what decides it.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Does the SNN twin save energy over the QNN twin? A verdict per board, from real runs.",
        discussion: "Evaluates the QNN and the layer-wise SNN (and the streaming SNN's accuracy) on the test set, prices "
            + "both twins on every board from the averaged counters, solves the break-even spike rate against the "
            + "paper's QNN and against the model's own QNN twin, and gives the battery lifetime of each twin on a "
            + "smartwatch workload (closed form, Workloads/README.md). --json writes everything for scripts and "
            + "Tools/report (schema: docs/json-output.md).")

    @Argument(help: "Model: packed (.jmod) or a JSON model description (packed in memory).")
    var model: String

    @Option(name: [.short, .long], help: "T (default: the model's).")
    var timesteps: Int?

    @Option(help: "Test images to evaluate; their averaged counters price the energy (default: the whole test set).")
    var images: Int?

    @Option(help: "Data set (fashion-mnist).")
    var dataset = "fashion-mnist"

    @Option(name: .long, parsing: .singleValue, help: "Board profile name or JSON path; repeatable (default: every board in Boards/).")
    var board: [String] = []

    @Option(help: "Smartwatch workload for the battery lifetimes.")
    var workload = "Workloads/activity-recognition.json"

    @OptionGroup var budget: BudgetOptions

    @Flag(help: "Skip the streaming SNN's accuracy.")
    var noStreaming = false

    @Flag(help: "Also print the per-layer activity, energy tables and break-even sweeps.")
    var detail = false

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Write the whole comparison as JSON to this path ('-': standard output, no text).")
    var json: String?

    func validate() throws {
        if let t = timesteps, !(1...255).contains(t) { throw ValidationError("--timesteps must be 1…255, got \(t)") }
        if let n = images, n < 1 { throw ValidationError("--images must be ≥ 1") }
        if threads < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        try reportingErrors {
            let file = try InferenceEnergy.open(model: model)
            guard !file.model.hasLeakyNeurons else {
                throw JouleHostError("\(model): leaky neurons have no exact QNN twin and no layer-wise schedule, which "
                    + "this report compares; use `joule energy` (the streaming SNN against the leak-free QNN of the same "
                    + "weights), `joule lifetime --model` or `joule eval`")
            }
            let t = timesteps ?? file.model.defaultTimesteps
            let boards = try BoardCatalog.loadAll(board)
            let w = try Workload.load(path: WorkloadCatalog.resolve(workload))
            let data = try IDXDataset.load(named: dataset)
            try OutputFile.refuseInputs(json)
            try budget.check(file, modes: noStreaming ? [.qnn, .snnLayerwise] : [.qnn, .snnLayerwise, .snnStreaming], timesteps: t)
            let count = min(images ?? data.count, data.count)
            let bars = ProgressBars()
            let c = try TwinComparison.run(file: file, model: model, dataset: dataset, data: data, timesteps: t,
                                           images: count, threads: threads, streaming: !noStreaming, boards: boards,
                                           workload: w) { label, done, total in bars.update(label, done, total) }
            bars.finish()
            if let json { try JSONOutput.write(CompareDocument(c), to: json) }
            guard json != OutputFile.standardOutput else { return }
            if detail { print(c.detail()) }
            print(c.verdictTable())
            print(c.verdictSentence().wrapped(width: 100))
            if let json { print("\njson: \(json)") }
        }
    }
}

/// One progress bar per stage, the previous one finished when the next starts.
final class ProgressBars: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (label: String, bar: ProgressBar)?

    func update(_ label: String, _ done: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        if current?.label != label {
            current?.bar.finish()
            current = (label, ProgressBar(total: total, label: label))
        }
        current?.bar.update(done)
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        current?.bar.finish()
        current = nil
    }
}
