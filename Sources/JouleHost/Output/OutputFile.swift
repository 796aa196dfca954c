import Foundation

/// Writes the tools' output files. Every write is atomic: the bytes go to a temporary file in the
/// destination's folder, which is then renamed over the destination, so an interrupted run leaves
/// the old file or the new one, never a part of either. Missing folders are created.
public enum OutputFile {
    /// The path that means standard output for `--json`.
    public static let standardOutput = "-"

    /// Writes `data` to `path` atomically (`path == "-"`: to standard output).
    /// - Throws: `JouleHostError` naming the path and the reason.
    public static func write(_ data: Data, to path: String) throws {
        if path == standardOutput {
            FileHandle.standardOutput.write(data)
            return
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw JouleHostError("\(path): cannot write: \(error.localizedDescription)")
        }
    }

    /// Writes UTF-8 text to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
