import ArgumentParser
import Foundation
import JouleCore
import JouleHost

/// `joule sweep-t <packed>`: accuracy and spike rate for every T (the paper's Figure 7).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-t",
        abstract: "Accuracy and spike rate against T over a test set; writes an SVG plot (the paper's Figure 7).")

    @Argument(help: "Packed model (.jmod).")
    var model: String

    @Option(help: "Data set (fashion-mnist).")
    var dataset = "fashion-mnist"

    @Option(help: "Smallest T.") var tMin = 1
    @Option(help: "Largest T.") var tMax = 16

    @Option(help: "Evaluate only the first N images per T.")
    var limit: Int?

    @OptionGroup var budget: BudgetOptions

    @Flag(help: "Also measure the streaming SNN's accuracy at every T.")
    var streaming = false

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "SVG output path.")
    var svg = "sweep-t.svg"

    @Option(help: "Also write the results as JSON to this path ('-': standard output, no text; schema: docs/json-output.md).")
    var json: String?

    func validate() throws {
        guard 1 <= tMin, tMin <= tMax, tMax <= 255 else { throw ValidationError("need 1 ≤ --t-min ≤ --t-max ≤ 255") }
    }

    func run() throws {
        try reportingErrors {
            let file = try PackedModelFile(path: model)
            let data = try IDXDataset.load(named: dataset)
            try OutputFile.refuseInputs(json, svg)
            try budget.check(file, modes: streaming ? [.qnn, .snnStreaming] : [.qnn], timesteps: tMax)
            var points: [TimestepSweepPoint] = []
            let out = TextOutput(json: json)
            out(" T  accuracy  spike rate" + (streaming ? "  streaming acc" : ""))
            for t in tMin...tMax {
                let bar = ProgressBar(total: min(limit ?? data.count, data.count), label: "T=\(t)")
                let q = try Evaluation.run(file: file, mode: .qnn, timesteps: t, dataset: data, limit: limit,
                                           threads: threads) { bar.update($0) }
                let s = streaming ? try Evaluation.run(file: file, mode: .snnStreaming, timesteps: t, dataset: data,
                                                       limit: limit, threads: threads) : nil
                bar.finish()
                points.append(TimestepSweepPoint(timesteps: t, accuracy: q.accuracy, streamingAccuracy: s?.accuracy,
                                                 spikeRate: q.spikeRate))
                out(String(format: "%2d  %7.2f %%  %10.4f", t, q.accuracy * 100, q.spikeRate)
                    + (s.map { String(format: "  %12.2f %%", $0.accuracy * 100) } ?? ""))
            }
            try OutputFile.write(TimestepSweepPlot.svg(points, title: "\(URL(fileURLWithPath: model).lastPathComponent): accuracy and spike rate vs T"),
                                 to: svg)
            out("plot: \(svg)")
            if let json {
                try JSONOutput.write(SweepDocument(model: model, dataset: dataset, images: min(limit ?? data.count, data.count),
                                                   points: points), to: json)
            }
        }
    }
}
