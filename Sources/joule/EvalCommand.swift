import ArgumentParser
import Foundation
import JouleCore
import JouleHost

/// `joule eval <packed> --dataset fashion-mnist --mode qnn|snn --timesteps T`: accuracy, sparsity,
/// spike rate per layer and in total, counters summed over the test set.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Accuracy, activation sparsity, spike rates and summed counters over a test set.")

    @Argument(help: "Packed model (.jmod).")
    var model: String

    @OptionGroup var options: ModeOptions

    @OptionGroup var budget: BudgetOptions

    @Option(help: "Data set: fashion-mnist (Debian's dataset-fashion-mnist, test split).")
    var dataset = "fashion-mnist"

    @Option(help: "Evaluate only the first N images.")
    var limit: Int?

    @Option(help: "Worker threads (each with its own arena).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Compare predictions with a reference file (one byte per image, e.g. Models/<m>.test-predictions).")
    var expect: String?

    @Option(help: "Write the predictions (one byte per image) to this file.")
    var writePredictions: String?

    @Option(help: "Also write the results as JSON to this path ('-': standard output, no text; schema: docs/json-output.md).")
    var json: String?

    func run() throws {
        try reportingErrors {
            let file = try PackedModelFile(path: model)
            let t = options.resolvedTimesteps(file.model)
            let data = try IDXDataset.load(named: dataset)
            if let expect { InputFiles.register(expect) }  // read after the run: protect it now
            try OutputFile.refuseInputs(json, writePredictions)
            try budget.check(file, modes: [options.executionMode(for: file.model)], timesteps: t)
            let count = min(limit ?? data.count, data.count)
            let bar = ProgressBar(total: count, label: "\(options.label(for: file.model)) T=\(t)")
            let e = try Evaluation.run(file: file, mode: options.executionMode(for: file.model), timesteps: t, dataset: data,
                                       limit: limit, threads: threads, readout: options.coreReadout) { bar.update($0) }
            bar.finish()
            let out = TextOutput(json: json)
            out("\(model) on \(dataset) test (\(e.images) images), \(options.label(for: file.model)), T = \(t)")
            out(String(format: "accuracy %.2f %% (%d/%d)", e.accuracy * 100, e.correct, e.images))
            out(String(format: "activation sparsity %.2f %%, spike rate s_r %.4f (hidden layers)", e.sparsity * 100, e.spikeRate))
            out("per layer:  sparsity  spike rate")
            for i in e.hiddenLayers {
                out(file.layerName(i).padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "%8.2f %%  %9.4f", e.sparsity(layer: i) * 100, e.spikeRate(layer: i)))
            }
            out("counters summed over the test set:")
            out(CounterTable.render(names: (0..<file.model.layerCount).map(file.layerName), counters: e.counters),
                  terminator: "")
            out("scores digest \(e.hexScoresDigest) (FNV-1a of every image's scores, in order)")
            if let json {
                try JSONOutput.write(EvalDocument(model: model, dataset: dataset,
                                                  layerNames: (0..<file.model.layerCount).map(file.layerName), evaluation: e),
                                     to: json)
            }
            if let writePredictions {
                try OutputFile.write(Data(e.predictions), to: writePredictions)
            }
            if let expect {
                guard let reference = InputFiles.read(expect) else {
                    throw JouleHostError("\(expect): cannot read the reference predictions")
                }
                let ref = [UInt8](reference)
                guard ref.count >= e.images else { throw JouleHostError("\(expect): \(ref.count) predictions for \(e.images) images") }
                let mismatches = (0..<e.images).filter { ref[$0] != e.predictions[$0] }
                out("predictions vs \(expect): \(e.images - mismatches.count)/\(e.images) identical")
                if !mismatches.isEmpty {
                    throw JouleHostError("\(mismatches.count) predictions differ from \(expect) (first: image \(mismatches[0]))")
                }
            }
        }
    }
}
