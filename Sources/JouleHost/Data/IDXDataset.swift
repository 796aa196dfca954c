import Foundation

/// A labelled image set in the IDX format (MNIST, Fashion-MNIST), optionally gzip-compressed:
/// images are `count × rows × cols` unsigned bytes, labels `count` bytes.
public struct IDXDataset: Sendable {
    public var images: [UInt8]
    public var labels: [UInt8]
    public var rows: Int
    public var cols: Int
    public var count: Int { labels.count }

    /// The folder Debian's `dataset-fashion-mnist` installs.
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"

    /// Loads a named data set's split (`test` or `train`).
    public static func load(named name: String, split: String = "test") throws -> IDXDataset {
        guard name == "fashion-mnist" else {
            throw JouleHostError("unknown data set '\(name)' (known: fashion-mnist)")
        }
        let prefix = split == "train" ? "train" : "t10k"
        let folder = ProcessInfo.processInfo.environment["JOULE_FASHION_MNIST"] ?? fashionMNISTFolder
        return try load(images: "\(folder)/\(prefix)-images-idx3-ubyte.gz", labels: "\(folder)/\(prefix)-labels-idx1-ubyte.gz")
    }

    public static func load(images: String, labels: String) throws -> IDXDataset {
        try parse(images: try read(images), labels: try read(labels), imagesName: images, labelsName: labels)
    }

    /// Decodes an IDX image file (magic 0x00000803: count, rows, columns, then bytes) and its
    /// IDX label file (magic 0x00000801: count, then one byte per image); the names are for messages.
    public static func parse(images imageBytes: [UInt8], labels labelBytes: [UInt8], imagesName images: String,
                             labelsName labels: String) throws -> IDXDataset {
        func be32(_ b: [UInt8], _ o: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(b[o + $1]) } }
        guard imageBytes.count >= 16, be32(imageBytes, 0) == 0x0803 else {
            throw JouleHostError("\(images): not an IDX image file (magic 0x00000803)")
        }
        guard labelBytes.count >= 8, be32(labelBytes, 0) == 0x0801 else {
            throw JouleHostError("\(labels): not an IDX label file (magic 0x00000801)")
        }
        let n = be32(imageBytes, 4), rows = be32(imageBytes, 8), cols = be32(imageBytes, 12)
        let (pixels, o1) = rows.multipliedReportingOverflow(by: cols)
        let (total, o2) = pixels.multipliedReportingOverflow(by: n)
        guard !o1, !o2, rows >= 1, cols >= 1, imageBytes.count - 16 == total else {
            throw JouleHostError("\(images): \(imageBytes.count - 16) bytes of pixels for \(n) images of \(rows)×\(cols)")
        }
        guard be32(labelBytes, 4) == n, labelBytes.count == 8 + n else {
            throw JouleHostError("\(labels): \(be32(labelBytes, 4)) labels for \(n) images")
        }
        return IDXDataset(images: Array(imageBytes[16...]), labels: Array(labelBytes[8...]), rows: rows, cols: cols)
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw JouleHostError("\(path): not found (install Debian's dataset-fashion-mnist: Tools/setup)")
        }
        InputFiles.register(path)
        guard path.hasSuffix(".gz") else { return [UInt8](InputFiles.read(path) ?? Data()) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw JouleHostError("\(path): gzip could not decompress it") }
        return [UInt8](data)
    }

    /// Image `i` as a model input of `height × width` (one channel), zero-padded evenly when the
    /// model is larger than the images (28×28 → 32×32 for VGG*).
    public func input(_ i: Int, height: Int, width: Int) throws -> [UInt8] {
        guard height >= rows, width >= cols else {
            throw JouleHostError("the model's input \(height)×\(width) is smaller than the images (\(rows)×\(cols))")
        }
        let image = images[(i * rows * cols)..<((i + 1) * rows * cols)]
        if height == rows, width == cols { return Array(image) }
        var out = [UInt8](repeating: 0, count: height * width)
        let top = (height - rows) / 2, left = (width - cols) / 2
        for y in 0..<rows {
            for x in 0..<cols { out[(top + y) * width + left + x] = image[image.startIndex + y * cols + x] }
        }
        return out
    }
}
