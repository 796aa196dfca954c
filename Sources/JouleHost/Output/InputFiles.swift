import Foundation

/// The files this process reads (models, weights, boards, workloads, data sets, references):
/// `OutputFile` refuses to write over any of them, so that a mistyped output path never destroys
/// an input. Readers register a path when they open it. Thread-safe.
public enum InputFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: Set<String> = []

    /// Records `path` as an input of this process.
    public static func register(_ path: String) {
        let key = canonical(path)
        lock.lock(); defer { lock.unlock() }
        paths.insert(key)
    }

    /// Registers `path` as an input and reads it (nil when it cannot be read).
    public static func read(_ path: String) -> Data? {
        register(path)
        // An empty regular file reads as empty `Data` without `contents(atPath:)`, which leaks its
        // 4 KiB read buffer on an empty file.
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           attributes[.type] as? FileAttributeType == .typeRegular, (attributes[.size] as? Int) == 0,
           FileManager.default.isReadableFile(atPath: path) {
            return Data()
        }
        return FileManager.default.contents(atPath: path)
    }

    /// Whether `path` names a file registered as an input (symbolic links and `..` resolved).
    public static func contains(_ path: String) -> Bool {
        let key = canonical(path)
        lock.lock(); defer { lock.unlock() }
        return paths.contains(key)
    }

    /// The absolute path with links resolved (an absent file: its folder resolved).
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
