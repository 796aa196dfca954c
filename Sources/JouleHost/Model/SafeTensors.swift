import Foundation

/// A `.safetensors` file read into memory: an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw
/// little-endian tensor bytes (offsets relative to the end of the header).
public struct SafeTensors: Sendable {
    public struct Tensor: Sendable {
        public var dtype: String
        public var shape: [Int]
        public var data: Data
    }

    public let path: String
    public let tensors: [String: Tensor]

    /// Reads and checks `path`: header length, JSON, dtype, shape and offsets of every tensor.
    public init(path: String) throws {
        guard let data = InputFiles.read(path) else {
            throw JouleHostError("\(path): cannot read the file")
        }
        try self.init(data: data, path: path)
    }

    public init(data: Data, path: String) throws {
        self.path = path
        guard data.count >= 8 else { throw JouleHostError("\(path): truncated safetensors file (\(data.count) bytes)") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw JouleHostError("\(path): safetensors header length \(headerLength) exceeds the file size \(data.count)")
        }
        let start = 8 + Int(headerLength)
        let headerData = data.subdata(in: 8..<start)
        if let syntax = JSONSyntax.error(in: headerData) {
            throw JouleHostError("\(path): safetensors header (bytes 8…\(start - 1)) is not valid JSON: \(syntax)")
        }
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw JouleHostError("\(path): safetensors header is not a JSON object")
        }
        let sizes = ["I8": 1, "U8": 1, "I16": 2, "I32": 4, "I64": 8, "F16": 2, "BF16": 2, "F32": 4, "F64": 8, "BOOL": 1]
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                  offsets.count == 2
            else { throw JouleHostError("\(path): tensor '\(name)': header entry needs dtype, shape and data_offsets") }
            guard let size = sizes[dtype] else { throw JouleHostError("\(path): tensor '\(name)': unknown dtype \(dtype)") }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] >= offsets[0],
                  offsets[1] - offsets[0] == count * size, start + offsets[1] <= data.count
            else {
                throw JouleHostError("\(path): tensor '\(name)': data_offsets \(offsets) do not fit shape \(shape) "
                    + "× \(size) bytes inside the file")
            }
            tensors[name] = Tensor(dtype: dtype, shape: shape,
                                   data: data.subdata(in: (start + offsets[0])..<(start + offsets[1])))
        }
        self.tensors = tensors
    }

    /// The tensor `name`, checked to have `dtype` and `shape`.
    public func tensor(_ name: String, dtype: String, shape: [Int], for layer: String) throws -> Tensor {
        guard let t = tensors[name] else {
            throw JouleHostError("\(path): layer '\(layer)': tensor '\(name)' is missing")
        }
        guard t.dtype == dtype else {
            throw JouleHostError("\(path): layer '\(layer)': tensor '\(name)' has dtype \(t.dtype), expected \(dtype)")
        }
        guard t.shape == shape else {
            throw JouleHostError("\(path): layer '\(layer)': tensor '\(name)' has shape \(t.shape), expected \(shape)")
        }
        return t
    }

    /// Little-endian integers of a tensor.
    public static func integers<T: FixedWidthInteger>(_ t: Tensor, as: T.Type) -> [T] {
        t.data.withUnsafeBytes { raw in
            (0..<(raw.count / MemoryLayout<T>.size)).map {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
            }
        }
    }

    /// Writes tensors as a `.safetensors` file (used by tests and tools that generate models).
    public static func encode(_ tensors: [(name: String, dtype: String, shape: [Int], data: Data)]) -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for t in tensors {
            header[t.name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, offset + t.data.count]]
            offset += t.data.count
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        for t in tensors { out.append(t.data) }
        return out
    }

    /// Raw little-endian bytes of integers.
    public static func bytes<T: FixedWidthInteger>(_ values: [T]) -> Data {
        var d = Data(capacity: values.count * MemoryLayout<T>.size)
        for v in values {
            var le = v.littleEndian
            withUnsafeBytes(of: &le) { d.append(contentsOf: $0) }
        }
        return d
    }
}
