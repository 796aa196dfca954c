/// A growable little-endian byte buffer for writing packed files.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    var count: Int { bytes.count }

    /// Appends zeros until the length is a multiple of `alignment`.
    mutating func align(_ alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func reserve(_ n: Int) -> Int {
        let at = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: n))
        return at
    }

    mutating func append(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { raw in
            for (k, b) in raw.enumerated() { bytes[offset + k] = b }
        }
    }

    mutating func putASCII(_ s: String, at offset: Int, max: Int) {
        for (k, b) in s.utf8.prefix(max).enumerated() { bytes[offset + k] = b }
    }
}
