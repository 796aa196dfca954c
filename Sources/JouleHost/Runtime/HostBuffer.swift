#if canImport(Glibc)
import Glibc
#endif

/// Host buffers for packed models and arenas: 16-byte aligned as the core requires; from 2 MiB
/// on, aligned to 2 MiB and marked for transparent huge pages (Linux `MADV_HUGEPAGE`), so that
/// the kernels' strided walks over megabytes of weight rows do not miss the TLB at every row.
enum HostBuffer {
    static let hugePage = 2 << 20

    /// Allocates `byteCount` bytes (at least 16); the caller deallocates.
    static func allocate(byteCount: Int, alignment: Int = 16) -> UnsafeMutableRawBufferPointer {
        let size = max(16, byteCount)
        guard size >= hugePage else { return .allocate(byteCount: size, alignment: alignment) }
        let rounded = (size + hugePage - 1) / hugePage * hugePage
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rounded, alignment: hugePage)
        #if canImport(Glibc)
        _ = madvise(buffer.baseAddress, rounded, MADV_HUGEPAGE)  // advice only: failure changes nothing
        #endif
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])
    }
}
