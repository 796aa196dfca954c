import ArgumentParser
import Foundation
import JouleCore
import JouleHost

/// `joule run <packed> --mode qnn|snn ... --input FILE`: scores and per-layer counters.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run one input through a packed model; print scores and per-layer event counters.")

    @Argument(help: "Packed model (.jmod).")
    var model: String

    @OptionGroup var options: ModeOptions

    @Option(help: "Input: raw C·H·W bytes (CHW) or an 8-bit binary PGM.")
    var input: String

    @OptionGroup var budget: BudgetOptions

    @Option(help: "Arena size to give the runtime (default: exactly the plan's); to check a device's budget.")
    var arenaBytes: Int?

    func run() throws {
        try reportingErrors {
            let file = try PackedModelFile(path: model)
            let t = options.resolvedTimesteps(file.model)
            try budget.check(file, modes: [options.executionMode(for: file.model)], timesteps: t)
            if let arenaBytes, arenaBytes > budget.maxArena {
                throw JouleHostError("--arena-bytes \(arenaBytes) is over the budget of \(budget.maxArena) (--max-arena BYTES raises it)")
            }
            let bytes = try InputFile.read(path: input, expectedBytes: file.model.inputCount)
            let runner = try ModelRunner(file: file, mode: options.executionMode(for: file.model), arenaBytes: arenaBytes)
            let result = try runner.run(input: bytes, timesteps: t, readout: options.coreReadout)
            print("\(options.label(for: file.model)), T = \(t), arena \(file.model.plan(options.executionMode(for: file.model)).arenaBytes) bytes")
            print("scores: " + result.scores.map(String.init).joined(separator: " "))
            print("predicted class: \(result.predictedClass)")
            let names = (0..<file.model.layerCount).map(file.layerName)
            print(CounterTable.render(names: names, counters: result.counters), terminator: "")
        }
    }
}

/// Runs `body`, turning a `JouleHostError` into a message on stderr and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as JouleHostError {
        FileHandle.standardError.write(Data("joule: error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}
