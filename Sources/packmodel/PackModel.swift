import ArgumentParser
import Foundation
import JouleHost

/// `packmodel <model.json> [-o out.jmod]`: validate a JSON model description and its
/// safetensors, pack it (arena plans included), print a summary. The output is written
/// atomically, never over the model's own files, and over an existing file only if it is a
/// packed model (or with `--force`).
@main
struct PackModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packmodel",
        abstract: "Pack a JSON model description and its .safetensors weights into a .jmod file.",
        discussion: "The JSON format is documented in Models/README.md, the packed format in "
            + "Sources/JouleCore/Packed/README.md. Exits non-zero on any error, naming file, layer and field.")

    @Argument(help: "The model description (.json).")
    var model: String

    @Option(name: .shortAndLong, help: "Output file (default: the JSON's path with .jmod).")
    var output: String?

    @Flag(help: "Only validate; write nothing.")
    var check = false

    @Flag(help: "Replace an existing output file even if it is not a packed model (the model's own files are never replaced).")
    var force = false

    @Flag(help: "Plan the smallest arenas: no scratch for the vectorised event gather, so every layer runs the plain kernels, and QNN activation codes bit-packed at ceil(log2(T+1)) bits for the model's default T (runs with a T needing more bits are refused). For microcontrollers without SIMD, where RAM is what counts.")
    var compact = false

    func run() throws {
        do {
            let description = try ModelDescription.load(path: model)
            let packable = try description.resolve(path: model)
            let out = output ?? (model.hasSuffix(".json") ? String(model.dropLast(5)) : model) + ".jmod"
            if !check { try PackedOutput.check(out, force: force) }
            let summary = try Packer.pack(packable, compact: compact)
            if !check { try OutputFile.write(Data(summary.bytes), to: out) }
            print(summary.report(model: packable, outputPath: check ? "(not written: --check)" : out))
        } catch let error as JouleHostError {
            FileHandle.standardError.write(Data("packmodel: error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
