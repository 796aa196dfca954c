import Foundation

/// Writes the tools' output files. Every write is atomic: the bytes go to a temporary file in the
/// destination's folder, which is then renamed over the destination, so an interrupted run leaves
/// the old file or the new one, never a part of either. Missing folders are created. A path that
/// names one of this process's inputs (`InputFiles`) is refused: a mistyped output path never
/// destroys a model, its weights, a board, a workload or a data set.
public enum OutputFile {
    /// The path that means standard output for `--json` (and only there).
    public static let standardOutput = "-"

    /// Writes `data` to `path` atomically; `path == "-"` writes to standard output where
    /// `standardOutputAllowed`, and is refused elsewhere (a binary or chart on the terminal).
    /// - Throws: `JouleHostError` naming the path and the reason.
    public static func write(_ data: Data, to path: String, standardOutputAllowed: Bool = false) throws {
        if path == standardOutput {
            guard standardOutputAllowed else {
                throw JouleHostError("'-' (standard output) is only for --json; give a file path")
            }
            FileHandle.standardOutput.write(data)
            return
        }
        try refuseInputs(path)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw JouleHostError("\(path): cannot write: \(error.localizedDescription)")
        }
    }

    /// Throws now, before any work, if one of `paths` (nil: not requested) names an input already
    /// read; the write would refuse it later anyway.
    public static func refuseInputs(_ paths: String?...) throws {
        for case let path? in paths where path != standardOutput && InputFiles.contains(path) {
            throw JouleHostError("\(path): is one of this command's inputs; refusing to write over it")
        }
    }

    /// Writes UTF-8 text to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
