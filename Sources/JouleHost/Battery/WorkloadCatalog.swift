import Foundation

/// Finds workload files: a path as given, else relative to the package that built this tool (so
/// the default `Workloads/activity-recognition.json` works from any folder).
public enum WorkloadCatalog {
    /// The package's root folder (the one holding `Boards/`).
    static var packageDirectory: URL { BoardCatalog.packageBoardsDirectory.deletingLastPathComponent() }

    /// `path` when it exists, else the same relative path under the package; else `path` (the
    /// loader then names it in its error).
    public static func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) { return path }
        let packaged = packageDirectory.appendingPathComponent(path).path
        return FileManager.default.fileExists(atPath: packaged) ? packaged : path
    }
}
