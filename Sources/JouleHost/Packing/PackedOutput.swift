import Foundation
import JouleCore

/// Where `packmodel` may write: never over one of its inputs (the JSON description, its weights),
/// and over an existing file only if that file is a packed model (it starts with the `JMOD` magic)
/// or the user forces it. The write itself is atomic (`OutputFile`).
public enum PackedOutput {
    /// Throws when `path` must not receive the packed model.
    /// - Parameter force: allow replacing an existing file that is not a packed model (inputs stay refused).
    public static func check(_ path: String, force: Bool) throws {
        if InputFiles.contains(path) {
            throw JouleHostError("\(path): is one of the files this packmodel reads (the model description or its "
                + "weights); refusing to write the packed model over it (choose another -o)")
        }
        guard FileManager.default.fileExists(atPath: path), !force else { return }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw JouleHostError("\(path): exists and cannot be read to check what it is; refusing to replace it (--force replaces it)")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 4)) ?? Data())
        let magic = withUnsafeBytes(of: PackedFormat.magic.littleEndian) { [UInt8]($0) }
        guard head == magic else {
            throw JouleHostError("\(path): exists and is not a packed model (it does not start with \"JMOD\"); "
                + "refusing to replace it (--force replaces it)")
        }
    }
}
