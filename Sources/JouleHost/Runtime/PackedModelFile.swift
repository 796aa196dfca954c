import Foundation
import JouleCore

/// An error a host tool reports: what went wrong and where, in words.
public struct JouleHostError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A packed model loaded into a 16-byte-aligned buffer the host owns, validated by the core.
public final class PackedModelFile: @unchecked Sendable {
    public let path: String
    /// The file's bytes (owned; freed on deinit).
    public let buffer: UnsafeMutableRawBufferPointer
    public let model: PackedModel

    /// Reads and validates `path`.
    /// - Throws: `JouleHostError` naming the file, the problem, the layer and byte offset.
    public convenience init(path: String) throws {
        guard let data = InputFiles.read(path) else {
            throw JouleHostError("\(path): cannot read the file")
        }
        try self.init(bytes: [UInt8](data), name: path)
    }

    /// Builds from bytes (e.g. fresh from the packer).
    public init(bytes: [UInt8], name: String) throws {
        path = name
        let storage = HostBuffer.allocate(byteCount: bytes.count)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        do {
            model = try PackedModel.open(UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count]))
        } catch {
            let layerName = Self.rawLayerName(bytes, layer: error.layer)
            storage.deallocate()
            throw JouleHostError("\(name): \(Self.describe(error, layerName: layerName))")
        }
        buffer = storage
    }

    deinit { buffer.deallocate() }

    /// The name stored in layer `layer`'s record of an unvalidated file, if it can be read safely.
    static func rawLayerName(_ bytes: [UInt8], layer: Int) -> String? {
        guard layer >= 0 else { return nil }
        return bytes.withUnsafeBytes { raw -> String? in
            let view = ByteView(raw)
            guard let count = view.u32(PackedFormat.offSectionCount), let table = view.u32(PackedFormat.offSectionTable),
                  count <= UInt32(PackedFormat.maxSections) else { return nil }
            for s in 0..<Int(count) {
                let e = Int(table) + s * PackedFormat.sectionEntryBytes
                guard view.u32(e) == SectionKind.layers.rawValue, let at = view.u32(e + 4) else { continue }
                let o = Int(at) + layer * PackedFormat.layerRecordBytes + PackedFormat.offLayerName
                guard let name = view.slice(offset: o, length: PackedFormat.layerNameBytes) else { return nil }
                let text = String(decoding: name.prefix { $0 != 0 && $0 < 128 }, as: UTF8.self)
                return text.isEmpty ? nil : text
            }
            return nil
        }
    }

    /// Validates packed `bytes` with the core.
    public static func validate(_ bytes: [UInt8], name: String) throws {
        _ = try PackedModelFile(bytes: bytes, name: name)
    }

    /// Name of layer `i` as stored in the file.
    public func layerName(_ i: Int) -> String {
        String(decoding: model.layerNameBytes(i), as: UTF8.self)
    }

    /// A sentence for a core error: its message, layer (and its name when known) and byte offset.
    public static func describe(_ error: JouleError, layerName: String? = nil) -> String {
        var s = "\(error.code.message) [\(error.code)]"
        if error.layer >= 0 { s += ", layer \(error.layer)" + (layerName.map { " ('\($0)')" } ?? "") }
        if error.byteOffset >= 0 { s += ", at byte \(error.byteOffset)" }
        return s
    }
}

extension JouleErrorCode: CustomStringConvertible {
    public var description: String { "JOULE_E_\(name)" }

    /// The code's name as in the C header.
    public var name: String {
        switch self {
        case .truncated: return "TRUNCATED"
        case .badMagic: return "BAD_MAGIC"
        case .unsupportedVersion: return "UNSUPPORTED_VERSION"
        case .checksumMismatch: return "CHECKSUM_MISMATCH"
        case .sectionOutOfRange: return "SECTION_OUT_OF_RANGE"
        case .missingSection: return "MISSING_SECTION"
        case .badLayerRecord: return "BAD_LAYER_RECORD"
        case .shapeMismatch: return "SHAPE_MISMATCH"
        case .badLayerIndex: return "BAD_LAYER_INDEX"
        case .tensorOutOfRange: return "TENSOR_OUT_OF_RANGE"
        case .badQuantization: return "BAD_QUANTIZATION"
        case .weightOutOfRange: return "WEIGHT_OUT_OF_RANGE"
        case .badRowCounts: return "BAD_ROW_COUNTS"
        case .badArenaPlan: return "BAD_ARENA_PLAN"
        case .arenaTooSmall: return "ARENA_TOO_SMALL"
        case .badTimesteps: return "BAD_TIMESTEPS"
        case .bufferSizeMismatch: return "BUFFER_SIZE_MISMATCH"
        case .counterBufferTooSmall: return "COUNTER_BUFFER_TOO_SMALL"
        case .badOutputLayer: return "BAD_OUTPUT_LAYER"
        case .timestepsExceedPlan: return "TIMESTEPS_EXCEED_PLAN"
        case .neuronsNeedStreaming: return "NEURONS_NEED_STREAMING"
        }
    }

    /// What the code means, in words.
    public var message: String {
        switch self {
        case .truncated: return "the file is truncated (shorter than its header says)"
        case .badMagic: return "not a packed Joule model (magic is not JMOD)"
        case .unsupportedVersion: return "unsupported packed-format version"
        case .checksumMismatch: return "CRC-32 mismatch: the file is corrupted"
        case .sectionOutOfRange: return "a section lies outside the file or is misaligned"
        case .missingSection: return "a required section is missing or duplicated"
        case .badLayerRecord: return "a layer record has an unknown kind, format or reserved field"
        case .shapeMismatch: return "layer shapes do not chain"
        case .badLayerIndex: return "a layer refers to a layer that does not precede it"
        case .tensorOutOfRange: return "a tensor lies outside the data section or has the wrong length"
        case .badQuantization: return "a multiplier, shift or bias is out of range or could overflow"
        case .weightOutOfRange: return "a weight is out of range for its format"
        case .badRowCounts: return "stored non-zero weight counts do not match the weights"
        case .badArenaPlan: return "the arena plan is malformed or overlapping"
        case .arenaTooSmall: return "the arena is smaller than the plan needs or misaligned"
        case .badTimesteps: return "T must be between 1 and 255"
        case .bufferSizeMismatch: return "an input or output buffer has the wrong size"
        case .counterBufferTooSmall: return "the counter buffer has fewer entries than layers"
        case .badOutputLayer: return "only the last layer may (and must) produce raw scores"
        case .timestepsExceedPlan:
            return "this compact plan was made for a smaller T (QNN codes packed in fewer bits, or streaming state sized for fewer steps): repack for this T"
        case .neuronsNeedStreaming:
            return "the model has leaky (or snnTorch-style) neurons, which only the streaming SNN runs (joule run/eval: --mode snn --schedule streaming, or leave both out; joule energy: --schedule streaming)"
        }
    }
}
