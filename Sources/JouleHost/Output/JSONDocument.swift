import Foundation

/// The `--json` output of the `joule` commands: one JSON object per command run, with a `format`
/// name and `formatVersion` at the top (schema: docs/json-output.md). Keys are sorted and the text
/// is indented, so files diff well. Energies are in picojoules (`…PJ`) or microjoules
/// (`…Microjoules`) as the key says; rates and fractions are in 0…1, never percent.
public protocol JSONDocument: Encodable {
    /// The format name, `joule-<command>`.
    static var format: String { get }
}

/// Wraps a document with its format header.
private struct Headed<D: JSONDocument>: Encodable {
    let document: D
    enum Keys: String, CodingKey { case format, formatVersion }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(D.format, forKey: .format)
        try c.encode(JSONOutput.formatVersion, forKey: .formatVersion)
        try document.encode(to: encoder)
    }
}

public enum JSONOutput {
    /// Version of every `joule-*` JSON format this build writes.
    public static let formatVersion = 1

    /// The document as JSON text (UTF-8), ending in a newline. Non-finite numbers are written as
    /// the strings "inf", "-inf" and "nan".
    public static func encode<D: JSONDocument>(_ document: D) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try encoder.encode(Headed(document: document)) + Data("\n".utf8)
        } catch {
            throw JouleHostError("cannot encode \(D.format) as JSON: \(error)")
        }
    }

    /// Encodes `document` and writes it to `path` (`-`: standard output), atomically.
    public static func write<D: JSONDocument>(_ document: D, to path: String) throws {
        try OutputFile.write(try encode(document), to: path, standardOutputAllowed: true)
    }
}
