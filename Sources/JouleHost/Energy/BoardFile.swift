import Foundation
import JouleEnergy

/// A board profile read from `Boards/<name>.json` (format documented in `Boards/README.md`).
///
/// Every constant in the file is an object `{"value": …, "source": "…"}`; the source must be
/// non-empty (a citation, or text starting with `*assumed*`). Decoding is strict: a missing or
/// mistyped field is an error naming the file and the dotted field path.
public struct BoardFile: Equatable {
    /// The board format version this build reads.
    public static let formatVersion = 1
    /// Board name (the `name` field; by convention the file's base name).
    public var name: String
    /// One-line description.
    public var description: String
    /// The decoded constants.
    public var profile: BoardProfile
    /// Source text of every constant, by dotted path (`memory.onChipPJPerBit`).
    public var sources: [String: String]

    /// Reads and decodes the board file at `url`.
    public static func load(_ url: URL) throws -> BoardFile {
        let data: Data
        InputFiles.register(url.path)
        do { data = try Data(contentsOf: url) } catch {
            throw BoardFileError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(data, file: url.path)
    }

    /// Decodes board JSON `data`; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> BoardFile {
        if let syntax = JSONSyntax.error(in: data) { throw BoardFileError.invalidJSON(file: file, reason: syntax) }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw BoardFileError.invalidJSON(file: file, reason: String(describing: error))
        }
        var r = Reader(file: file)
        let top = try r.object(root, "")
        let format = try r.string(top, "format", "")
        if format != "joule-board" {
            throw BoardFileError.invalidValue(file: file, field: "format",
                                              reason: "expected \"joule-board\", found \"\(format)\"")
        }
        let version = try r.int(top, "formatVersion", "")
        if version != formatVersion {
            throw BoardFileError.unsupportedVersion(file: file, found: version, supported: formatVersion)
        }
        let name = try r.string(top, "name", "")
        let description = try r.string(top, "description", "")
        let familyText = try r.string(top, "family", "")
        guard let family = ["classic": HardwareFamily.classic, "dataflow": .dataflow][familyText] else {
            throw BoardFileError.invalidValue(file: file, field: "family",
                                              reason: "expected \"classic\" or \"dataflow\", found \"\(familyText)\"")
        }
        let ops = try r.object(try r.field(top, "operations", ""), "operations")
        let operations = OperationEnergies(
            referenceBits: try r.constantInt(ops, "referenceBits", "operations", min: 1),
            addPJ: try r.constantDouble(ops, "addPJ", "operations"),
            multiplyPJ: try r.constantDouble(ops, "multiplyPJ", "operations"),
            comparePJ: try r.constantDouble(ops, "comparePJ", "operations"),
            bitWidthScaling: try r.constantBool(ops, "bitWidthScaling", "operations"))
        let mem = try r.object(try r.field(top, "memory", ""), "memory")
        let memory = MemoryParameters(
            onChipPJPerBit: try r.constantDouble(mem, "onChipPJPerBit", "memory"),
            offChipPJPerBit: try r.constantDouble(mem, "offChipPJPerBit", "memory"),
            membranePJPerBit: try r.constantDouble(mem, "membranePJPerBit", "memory"),
            onChipBytes: try r.constantInt(mem, "onChipBytes", "memory", min: 0),
            accumulatorBits: try r.constantInt(mem, "accumulatorBits", "memory", min: 1),
            partialSumAccessesPerSynapticOp: try r.constantInt(mem, "partialSumAccessesPerSynapticOp", "memory", min: 0),
            activationsInOnChipMemory: try r.constantBool(mem, "activationsInOnChipMemory", "memory"),
            weightsStationaryAcrossTimesteps: try r.constantBool(mem, "weightsStationaryAcrossTimesteps", "memory"))
        let noc = try r.object(try r.field(top, "network", ""), "network")
        let network = NetworkOnChip(
            averageHops: try r.constantDouble(noc, "averageHops", "network"),
            densePJPerBitHop: try r.constantDouble(noc, "densePJPerBitHop", "network"),
            sparsePJPerBitHop: try r.constantDouble(noc, "sparsePJPerBitHop", "network"),
            sparsePacketPJ: try r.constantDouble(noc, "sparsePacketPJ", "network"),
            qnnEncoding: try r.constantEncoding(noc, "qnnEncoding", "network"),
            snnEncoding: try r.constantEncoding(noc, "snnEncoding", "network"))
        let syn = try r.object(try r.field(top, "synapse", ""), "synapse")
        let synapse = SynapseCalibration(
            reuseFactor: try r.constantDouble(syn, "reuseFactor", "synapse", positive: true),
            fanIn: try r.constantDouble(syn, "fanIn", "synapse", positive: true),
            qnnDensity: try r.constantDouble(syn, "qnnDensity", "synapse", max: 1),
            snnSpikeSynapsePJ: syn["snnSpikeSynapsePJ"] == nil ? nil
                : try r.constantDouble(syn, "snnSpikeSynapsePJ", "synapse"),
            snnWeightReloadLimit: syn["snnWeightReloadLimit"] == nil ? nil
                : try r.constantDouble(syn, "snnWeightReloadLimit", "synapse"))
        let profile = BoardProfile(family: family, operations: operations, memory: memory,
                                   network: network, synapse: synapse)
        return BoardFile(name: name, description: description, profile: profile, sources: r.sources)
    }
}

/// Strict field access with errors that name the file and dotted path; records constants' sources.
private struct Reader {
    let file: String
    var sources: [String: String] = [:]

    init(file: String) { self.file = file }

    func path(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    func field(_ object: [String: JSONValue], _ key: String, _ parent: String) throws -> JSONValue {
        guard let v = object[key] else {
            throw BoardFileError.missingField(file: file, field: path(parent, key))
        }
        return v
    }

    func object(_ value: JSONValue, _ at: String) throws -> [String: JSONValue] {
        guard case .object(let o) = value else {
            throw BoardFileError.wrongType(file: file, field: at.isEmpty ? "(top level)" : at,
                                           expected: "an object", found: value.typeName)
        }
        return o
    }

    func string(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> String {
        let v = try field(o, key, parent)
        guard case .string(let s) = v else {
            throw BoardFileError.wrongType(file: file, field: path(parent, key), expected: "a string", found: v.typeName)
        }
        return s
    }

    func int(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> Int {
        let v = try field(o, key, parent)
        guard case .number(let d) = v, d == d.rounded(), abs(d) < 9e15 else {
            throw BoardFileError.wrongType(file: file, field: path(parent, key), expected: "an integer", found: v.typeName)
        }
        return Int(d)
    }

    /// Opens the `{value, source}` object at `parent.key`, records its source, returns its value.
    mutating func constant(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> JSONValue {
        let at = path(parent, key)
        let c = try object(try field(o, key, parent), at)
        let source = try string(c, "source", at)
        if source.trimmingCharacters(in: .whitespaces).isEmpty {
            throw BoardFileError.invalidValue(file: file, field: at + ".source",
                                              reason: "every constant needs a source (or \"*assumed*: …\")")
        }
        sources[at] = source
        return try field(c, "value", at)
    }

    mutating func constantDouble(_ o: [String: JSONValue], _ key: String, _ parent: String,
                                 positive: Bool = false, max: Double? = nil) throws -> Double {
        let at = path(parent, key) + ".value"
        let v = try constant(o, key, parent)
        guard case .number(let d) = v else {
            throw BoardFileError.wrongType(file: file, field: at, expected: "a number", found: v.typeName)
        }
        if d < 0 || (positive && d == 0) || !d.isFinite {
            throw BoardFileError.invalidValue(file: file, field: at,
                                              reason: "must be \(positive ? "> 0" : "≥ 0"), found \(d)")
        }
        if let max, d > max {
            throw BoardFileError.invalidValue(file: file, field: at, reason: "must be ≤ \(max), found \(d)")
        }
        return d
    }

    mutating func constantInt(_ o: [String: JSONValue], _ key: String, _ parent: String, min: Int) throws -> Int {
        let at = path(parent, key) + ".value"
        let v = try constant(o, key, parent)
        guard case .number(let d) = v, d == d.rounded(), abs(d) < 9e15 else {
            throw BoardFileError.wrongType(file: file, field: at, expected: "an integer", found: v.typeName)
        }
        if Int(d) < min {
            throw BoardFileError.invalidValue(file: file, field: at, reason: "must be ≥ \(min), found \(Int(d))")
        }
        return Int(d)
    }

    mutating func constantBool(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> Bool {
        let v = try constant(o, key, parent)
        guard case .bool(let b) = v else {
            throw BoardFileError.wrongType(file: file, field: path(parent, key) + ".value",
                                           expected: "a boolean", found: v.typeName)
        }
        return b
    }

    mutating func constantEncoding(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> PacketEncoding {
        let at = path(parent, key) + ".value"
        let v = try constant(o, key, parent)
        guard case .string(let s) = v else {
            throw BoardFileError.wrongType(file: file, field: at, expected: "a string", found: v.typeName)
        }
        let table: [String: PacketEncoding] = ["sparse": .sparse, "dense": .dense, "cheapest": .cheapest]
        guard let e = table[s] else {
            throw BoardFileError.invalidValue(file: file, field: at,
                                              reason: "expected \"sparse\", \"dense\" or \"cheapest\", found \"\(s)\"")
        }
        return e
    }
}
