/// QNN activation codes stored bit-packed, as compact QNN plans keep them (format README,
/// "Packed activation codes").
///
/// Layout of a tensor of `count` codes at `bits` bits (1…8) per code: code `i` (CHW order)
/// occupies bits `i·bits ..< (i+1)·bits` of the tensor read as one little-endian bit string,
/// least significant bit first — byte `(i·bits) / 8`, starting at bit `(i·bits) % 8`, spilling
/// into the next byte when it crosses a byte boundary. The tensor has `ceil(count·bits / 8)`
/// bytes of codes plus one padding byte, so that every code can be read and written with one
/// unaligned 16-bit access at byte `(i·bits) / 8` (a code starts at most at bit 7 of its first
/// byte and has at most 8 bits: it always lies within those 16 bits). Bits outside the codes
/// (the tail of the last byte, the padding byte) are unspecified: writers keep them, readers
/// ignore them.
///
/// Codes must fit their width (`code < 2^bits`); `store` masks them to `bits` bits.
public enum PackedCodes {
    /// Bytes of a packed tensor of `count` codes at `bits` bits: `ceil(count·bits / 8) + 1`.
    @inlinable
    public static func bytes(count: Int, bits: Int) -> Int { ((count &* bits &+ 7) &>> 3) &+ 1 }

    /// Code `index` of the packed tensor at `base`.
    /// - Precondition: `1 ≤ bits ≤ 8`, `0 ≤ index < count`; `base` has `bytes(count:bits:)` bytes.
    @inlinable @inline(__always)
    public static func load(_ base: UnsafeRawPointer, index: Int, bits: Int) -> UInt8 {
        let bit = index &* bits
        let word = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt16.self))
        let mask: UInt16 = (1 &<< UInt16(truncatingIfNeeded: bits)) &- 1
        return UInt8(truncatingIfNeeded: (word &>> UInt16(truncatingIfNeeded: bit & 7)) & mask)
    }

    /// Writes `code` (its low `bits` bits) as code `index` of the packed tensor at `base`,
    /// leaving every other code unchanged (a read-modify-write of 16 bits).
    /// - Precondition: as for `load`.
    @inlinable @inline(__always)
    public static func store(_ code: UInt8, _ base: UnsafeMutableRawPointer, index: Int, bits: Int) {
        let bit = index &* bits
        let byte = bit &>> 3, shift = UInt16(truncatingIfNeeded: bit & 7)
        let mask: UInt16 = ((1 &<< UInt16(truncatingIfNeeded: bits)) &- 1) &<< shift
        let old = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt16.self))
        let new = (old & ~mask) | ((UInt16(code) &<< shift) & mask)
        base.storeBytes(of: new.littleEndian, toByteOffset: byte, as: UInt16.self)
    }

    /// Non-zero codes among the first `count` of the packed tensor at `base`, and their sum.
    @inline(__always)
    public static func nonZeroAndSum(_ base: UnsafeRawPointer, count: Int, bits: Int) -> (nonZero: UInt64, sum: UInt64) {
        var nonZero: UInt64 = 0, sum: UInt64 = 0
        var blockNonZero: UInt32 = 0, blockSum: UInt32 = 0
        for i in 0..<count {
            let v = load(base, index: i, bits: bits)
            blockNonZero &+= v == 0 ? 0 : 1
            blockSum &+= UInt32(v)
            // 32-bit block sums (cheap on 32-bit cores), flushed before they could overflow
            // (255 · 2^24 < 2^32).
            if i & 0xFF_FFFF == 0xFF_FFFF {
                nonZero &+= UInt64(widening: blockNonZero); sum &+= UInt64(widening: blockSum)
                blockNonZero = 0; blockSum = 0
            }
        }
        return (nonZero &+ UInt64(widening: blockNonZero), sum &+ UInt64(widening: blockSum))
    }
}

/// Where a kernel reads activation values from: one byte per value (`UnsafePointer<UInt8>`) or
/// bit-packed codes (`PackedCodeReader`). Kernels generic over it are specialised per reader,
/// so the byte path compiles to the same loads as before.
public protocol CodeReader {
    /// Value `index` (CHW order).
    func code(at index: Int) -> UInt8
}

/// Where a kernel writes activation codes to: one byte per code or bit-packed.
public protocol CodeWriter {
    /// Stores `code` as code `index` (CHW order).
    func setCode(_ code: UInt8, at index: Int)
}

extension UnsafePointer: CodeReader where Pointee == UInt8 {
    @inlinable @inline(__always)
    public func code(at index: Int) -> UInt8 { self[index] }
}

extension UnsafeMutablePointer: CodeWriter where Pointee == UInt8 {
    @inlinable @inline(__always)
    public func setCode(_ code: UInt8, at index: Int) { self[index] = code }
}

/// Reads the packed codes of one tensor (`PackedCodes`).
public struct PackedCodeReader: CodeReader {
    public let base: UnsafeRawPointer
    public let bits: Int

    @inlinable
    public init(_ base: UnsafeRawPointer, bits: Int) {
        self.base = base
        self.bits = bits
    }

    @inlinable @inline(__always)
    public func code(at index: Int) -> UInt8 { PackedCodes.load(base, index: index, bits: bits) }
}

/// Writes the packed codes of one tensor (`PackedCodes`).
public struct PackedCodeWriter: CodeWriter {
    public let base: UnsafeMutableRawPointer
    public let bits: Int

    @inlinable
    public init(_ base: UnsafeMutableRawPointer, bits: Int) {
        self.base = base
        self.bits = bits
    }

    @inlinable @inline(__always)
    public func setCode(_ code: UInt8, at index: Int) { PackedCodes.store(code, base, index: index, bits: bits) }
}
