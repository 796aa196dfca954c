import Foundation

/// Finds board files: `--board` takes a name (looked up as `Boards/<name>.json` under the current
/// directory, then under the package that built this tool) or a path to a `.json` file.
public enum BoardCatalog {
    /// The package's `Boards/` folder, located from this source file's path at build time.
    public static var packageBoardsDirectory: URL {
        URL(fileURLWithPath: #filePath)  // …/Sources/JouleHost/Energy/BoardCatalog.swift
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Boards")
    }

    /// Folders searched for board names, in order.
    public static func searchDirectories(currentDirectory: URL) -> [URL] {
        let local = currentDirectory.appendingPathComponent("Boards")
        let package = packageBoardsDirectory
        return local.standardizedFileURL == package.standardizedFileURL ? [local] : [local, package]
    }

    /// Resolves `nameOrPath` to a board file URL.
    /// - Throws: `BoardFileError.unknownBoard` listing the folders searched and the boards found.
    public static func resolve(_ nameOrPath: String,
                               currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                               searchDirectories dirs: [URL]? = nil) throws -> URL {
        let fm = FileManager.default
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            let url = nameOrPath.hasPrefix("/") ? URL(fileURLWithPath: nameOrPath)
                : currentDirectory.appendingPathComponent(nameOrPath)
            if fm.fileExists(atPath: url.path) { return url }
        }
        let folders = dirs ?? searchDirectories(currentDirectory: currentDirectory)
        for dir in folders {
            let url = dir.appendingPathComponent(nameOrPath + ".json")
            if fm.fileExists(atPath: url.path) { return url }
        }
        throw BoardFileError.unknownBoard(name: nameOrPath, searched: folders.map(\.path),
                                          available: available(in: folders))
    }

    /// Board names (file base names) present in `folders`, sorted, without duplicates.
    public static func available(in folders: [URL]) -> [String] {
        var names = Set<String>()
        for dir in folders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for f in files where f.hasSuffix(".json") { names.insert(String(f.dropLast(5))) }
        }
        return names.sorted()
    }

    /// Loads the boards named (names or paths); none named: every board in the search folders.
    /// - Throws: `JouleHostError` with the board error's message, or when no board is found.
    public static func loadAll(_ names: [String],
                               currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        throws -> [BoardFile] {
        let chosen = names.isEmpty ? available(in: searchDirectories(currentDirectory: currentDirectory)) : names
        guard !chosen.isEmpty else { throw JouleHostError("no board profiles found (looked for Boards/*.json)") }
        return try chosen.map { name in
            do { return try load(name, currentDirectory: currentDirectory) } catch { throw JouleHostError("\(error)") }
        }
    }

    /// Resolves and loads a board.
    public static func load(_ nameOrPath: String,
                            currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        throws -> BoardFile {
        try BoardFile.load(resolve(nameOrPath, currentDirectory: currentDirectory))
    }
}
