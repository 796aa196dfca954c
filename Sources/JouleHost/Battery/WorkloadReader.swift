import Foundation

/// Strict field access for workload files: every error is a `JouleHostError` that names the file
/// and the dotted field (`x.json: missing field 'battery.nominalVolts'`); records constants' sources.
struct WorkloadReader {
    let file: String
    var sources: [String: String] = [:]

    init(file: String) { self.file = file }

    func fail(_ field: String, _ reason: String) -> JouleHostError {
        JouleHostError("\(file): field '\(field)': \(reason)")
    }

    func path(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    func field(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> JSONValue {
        guard let v = o[key] else { throw JouleHostError("\(file): missing field '\(path(parent, key))'") }
        return v
    }

    func wrongType(_ at: String, _ expected: String, _ v: JSONValue) -> JouleHostError {
        JouleHostError("\(file): field '\(at.isEmpty ? "(top level)" : at)' should be \(expected), found \(v.typeName)")
    }

    func object(_ v: JSONValue, _ at: String) throws -> [String: JSONValue] {
        guard case .object(let o) = v else { throw wrongType(at, "an object", v) }
        return o
    }

    /// The object at `parent.key`.
    func section(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> [String: JSONValue] {
        try object(try field(o, key, parent), path(parent, key))
    }

    func string(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> String {
        let v = try field(o, key, parent)
        guard case .string(let s) = v else { throw wrongType(path(parent, key), "a string", v) }
        return s
    }

    func int(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> Int {
        let v = try field(o, key, parent)
        guard case .number(let d) = v, d == d.rounded(), abs(d) < 9e15 else {
            throw wrongType(path(parent, key), "an integer", v)
        }
        return Int(d)
    }

    /// Opens the `{value, source}` constant at `parent.key`, records its source, returns its value.
    mutating func constant(_ o: [String: JSONValue], _ key: String, _ parent: String) throws -> JSONValue {
        let at = path(parent, key)
        let c = try object(try field(o, key, parent), at)
        let source = try string(c, "source", at)
        if source.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail(at + ".source", "every constant needs a source (or \"*assumed*: …\")")
        }
        sources[at] = source
        return try field(c, "value", at)
    }

    /// A finite number constant in `range`; `positive` excludes 0.
    mutating func number(_ o: [String: JSONValue], _ key: String, _ parent: String,
                         positive: Bool = false, max: Double? = nil) throws -> Double {
        let at = path(parent, key) + ".value"
        let v = try constant(o, key, parent)
        guard case .number(let d) = v, d.isFinite else { throw wrongType(at, "a number", v) }
        if d < 0 || (positive && d == 0) {
            throw fail(at, "must be \(positive ? "> 0" : "≥ 0"), found \(format(d))")
        }
        if let max, d > max { throw fail(at, "must be ≤ \(format(max)), found \(format(d))") }
        return d
    }

    /// An integer constant ≥ `min` (and ≤ `max`).
    mutating func integer(_ o: [String: JSONValue], _ key: String, _ parent: String, min: Int, max: Int? = nil) throws -> Int {
        let at = path(parent, key) + ".value"
        let v = try constant(o, key, parent)
        guard case .number(let d) = v, d == d.rounded(), abs(d) < 9e15 else { throw wrongType(at, "an integer", v) }
        if Int(d) < min { throw fail(at, "must be ≥ \(min), found \(Int(d))") }
        if let max, Int(d) > max { throw fail(at, "must be ≤ \(max), found \(Int(d))") }
        return Int(d)
    }

    func format(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
}
