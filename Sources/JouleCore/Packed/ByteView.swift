/// A bounds-checked little-endian reader over raw bytes the caller owns (flash, mmap, a buffer).
///
/// Reads outside the view return `nil` instead of trapping; the validator turns a `nil` into a
/// specific error. Multi-byte values are little-endian in the file and decoded as such on any CPU.
public struct ByteView: @unchecked Sendable {
    /// The bytes, owned by the caller, who keeps them alive and unchanged while any view exists.
    public let base: UnsafeRawPointer
    /// Number of readable bytes.
    public let count: Int

    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!
        count = bytes.count
    }

    /// True when `[offset, offset + length)` lies inside the view (and does not overflow).
    @inlinable
    public func contains(offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= count && length <= count - offset
    }

    @inlinable
    public func u8(_ offset: Int) -> UInt8? {
        contains(offset: offset, length: 1) ? base.load(fromByteOffset: offset, as: UInt8.self) : nil
    }

    @inlinable
    public func u16(_ offset: Int) -> UInt16? {
        guard contains(offset: offset, length: 2) else { return nil }
        return UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable
    public func i16(_ offset: Int) -> Int16? {
        u16(offset).map { Int16(bitPattern: $0) }
    }

    @inlinable
    public func u32(_ offset: Int) -> UInt32? {
        guard contains(offset: offset, length: 4) else { return nil }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    public func i32(_ offset: Int) -> Int32? {
        u32(offset).map { Int32(bitPattern: $0) }
    }

    @inlinable
    public func i64(_ offset: Int) -> Int64? {
        guard contains(offset: offset, length: 8) else { return nil }
        return Int64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    /// The bytes `[offset, offset + length)`, or `nil` if they are not all inside the view.
    @inlinable
    public func slice(offset: Int, length: Int) -> UnsafeRawBufferPointer? {
        guard contains(offset: offset, length: length) else { return nil }
        return UnsafeRawBufferPointer(start: base + offset, count: length)
    }
}
