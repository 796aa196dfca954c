import Foundation

/// What went wrong reading a board profile, naming the file and the field.
public enum BoardFileError: Error, Equatable, CustomStringConvertible {
    /// No board of that name in any searched folder, and no such file.
    case unknownBoard(name: String, searched: [String], available: [String])
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not JSON.
    case invalidJSON(file: String, reason: String)
    /// A required field is absent (`field` is a dotted path, e.g. `memory.onChipPJPerBit.value`).
    case missingField(file: String, field: String)
    /// A field has the wrong JSON type.
    case wrongType(file: String, field: String, expected: String, found: String)
    /// A field has the right type but an unusable value.
    case invalidValue(file: String, field: String, reason: String)
    /// The file's `formatVersion` is not one this build reads.
    case unsupportedVersion(file: String, found: Int, supported: Int)

    public var description: String {
        switch self {
        case let .unknownBoard(name, searched, available):
            return "unknown board '\(name)': no such file, and no '\(name).json' in "
                + searched.joined(separator: ", ")
                + (available.isEmpty ? "" : "; available boards: " + available.joined(separator: ", "))
        case let .unreadable(file, reason):
            return "\(file): cannot read board file: \(reason)"
        case let .invalidJSON(file, reason):
            return "\(file): not valid JSON: \(reason)"
        case let .missingField(file, field):
            return "\(file): missing field '\(field)'"
        case let .wrongType(file, field, expected, found):
            return "\(file): field '\(field)' should be \(expected), found \(found)"
        case let .invalidValue(file, field, reason):
            return "\(file): field '\(field)': \(reason)"
        case let .unsupportedVersion(file, found, supported):
            return "\(file): board format version \(found) is not supported (this build reads version \(supported))"
        }
    }
}
