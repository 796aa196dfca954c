/// QNN activation codes stored bit-packed, as compact QNN plans keep them (format README,
/// "Packed activation codes").
///
/// Layout of a tensor of `count` codes at `bits` bits (1…8) per code: code `i` (CHW order)
/// occupies bits `i·bits ..< (i+1)·bits` of the tensor read as one little-endian bit string,
/// least significant bit first — byte `(i·bits) / 8`, starting at bit `(i·bits) % 8`, spilling
/// into the next byte when it crosses a byte boundary. The tensor has `ceil(count·bits / 8)`
/// bytes of codes plus three padding bytes, so that from the byte `(i·bits) / 8` of any code an
/// unaligned 16-bit access (one code: it starts at most at bit 7 and has at most 8 bits) or
/// 32-bit load (`window`: at least 25 bits, several codes) stays inside the tensor. Bits outside
/// the codes (the tail of the last byte, the padding) are unspecified: writers keep them,
/// readers ignore them.
///
/// Codes must fit their width (`code < 2^bits`); `store` masks them to `bits` bits.
public enum PackedCodes {
    /// Bytes of a packed tensor of `count` codes at `bits` bits: `ceil(count·bits / 8) + 3`.
    @inlinable
    public static func bytes(count: Int, bits: Int) -> Int { ((count &* bits &+ 7) &>> 3) &+ padding }

    /// Padding bytes after the codes (for 32-bit loads at the last code's byte).
    public static let padding = 3

    /// The bits from code `index` on, LSB first: code `index` in bits `0 ..< bits`, code
    /// `index + 1` above it, and so on; at least the low 25 bits are the tensor's (one 32-bit
    /// load). Bits past the last code are unspecified.
    /// - Precondition: as for `load`.
    @inlinable @inline(__always)
    public static func window(_ base: UnsafeRawPointer, index: Int, bits: Int) -> UInt32 {
        let bit = index &* bits
        let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt32.self))
        return word &>> UInt32(truncatingIfNeeded: bit & 7)
    }

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
    /// Eight codes (`bits` bytes) at a time: one 64-bit load, the sum from one population count
    /// per bit position, the non-zero codes from one over the codes' OR-folded bits.
    @inline(__always)
    public static func nonZeroAndSum(_ base: UnsafeRawPointer, count: Int, bits: Int) -> (nonZero: UInt64, sum: UInt64) {
        var nonZero: UInt64 = 0, sum: UInt64 = 0
        // Bit 0 of each of the eight fields of a chunk.
        var lanes: UInt64 = 0
        for j in 0..<8 { lanes |= 1 &<< UInt64(widening: j &* bits) }
        let tensorBytes = ((count &* bits &+ 7) &>> 3) &+ padding
        var i = 0, byte = 0
        while i &+ 8 <= count && byte &+ 8 <= tensorBytes {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            var any: UInt64 = 0
            var chunkSum = 0
            for k in 0..<bits {
                let plane = (w &>> UInt64(widening: k)) & lanes
                any |= plane
                chunkSum &+= plane.nonzeroBitCount &<< k
            }
            nonZero &+= UInt64(widening: any.nonzeroBitCount)
            sum &+= UInt64(widening: chunkSum)
            i &+= 8
            byte &+= bits
        }
        while i < count {
            let v = load(base, index: i, bits: bits)
            nonZero &+= v == 0 ? 0 : 1
            sum &+= UInt64(widening: v)
            i &+= 1
        }
        return (nonZero, sum)
    }
}

public protocol CodeReader {
    /// Value `index` (CHW order).
    func code(at index: Int) -> UInt8
    /// Bits per code of a packed reader, 0 for one byte per value: a constant per type, so
    /// kernels' branches on it vanish in each specialisation.
    var packedBits: Int { get }
    /// Packed readers: `PackedCodes.window` from code `index` (several codes in one load).
    func window(at index: Int) -> UInt32
    /// The buffer's first byte (bytes, or packed codes as `PackedCodes` lays them out).
    var codes: UnsafeRawPointer { get }
}

/// Where a kernel writes activation codes to: one byte per code or bit-packed.
public protocol CodeWriter {
    /// Stores `code` as code `index` (CHW order).
    func setCode(_ code: UInt8, at index: Int)
}

extension UnsafePointer: CodeReader where Pointee == UInt8 {
    @inlinable @inline(__always)
    public func code(at index: Int) -> UInt8 { self[index] }
    @inlinable
    public var packedBits: Int { @inline(__always) get { 0 } }
    /// Not packed: never called (kernels check `packedBits` first).
    @inlinable @inline(__always)
    public func window(at index: Int) -> UInt32 { 0 }
    @inlinable
    public var codes: UnsafeRawPointer { @inline(__always) get { UnsafeRawPointer(self) } }
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
    @inlinable
    public var codes: UnsafeRawPointer { @inline(__always) get { base } }
    @inlinable
    public var packedBits: Int { @inline(__always) get { bits } }
    @inlinable @inline(__always)
    public func window(at index: Int) -> UInt32 { PackedCodes.window(base, index: index, bits: bits) }
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
