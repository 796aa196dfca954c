import Foundation

/// Reads a model input: raw bytes (exactly `C·H·W`, CHW order) or a binary PGM (`P5`, 8-bit),
/// whose pixels become a 1-channel input.
public enum InputFile {
    public static func read(path: String, expectedBytes: Int) throws -> [UInt8] {
        guard let data = InputFiles.read(path) else {
            throw JouleHostError("\(path): cannot read the input file")
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: Array("P5".utf8)) {
            bytes = try pgmPixels(bytes, path: path)
        }
        guard bytes.count == expectedBytes else {
            throw JouleHostError("\(path): input has \(bytes.count) bytes, the model expects \(expectedBytes)")
        }
        return bytes
    }

    static func pgmPixels(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        var fields: [Int] = []
        var i = 2
        while fields.count < 3 {
            while i < bytes.count, bytes[i] == 0x23 { while i < bytes.count, bytes[i] != 0x0A { i += 1 } }
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            var v = 0, digits = 0
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { v = v * 10 + Int(bytes[i] - 0x30); i += 1; digits += 1 }
            guard digits > 0 else { throw JouleHostError("\(path): malformed PGM header") }
            fields.append(v)
        }
        guard fields[2] == 255 else { throw JouleHostError("\(path): PGM must be 8-bit (maxval 255)") }
        i += 1
        let n = fields[0] * fields[1]
        guard bytes.count - i >= n else { throw JouleHostError("\(path): PGM pixel data is truncated") }
        return Array(bytes[i..<(i + n)])
    }
}
