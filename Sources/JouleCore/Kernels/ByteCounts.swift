/// Counting over byte arrays: the counters' passes over activation codes and spike counts. On
/// 64-bit targets 32 bytes at a time in SIMD lanes (one byte compare or widening add per vector),
/// with the build's wide variant first where it has one (`InstructionSet.nonZeroPrefix`: 64 at a
/// time on AVX-512, `x86/ByteCountsAVX512.swift`), elsewhere — and for the last bytes — eight at a time (SWAR in `UInt64` words).
public enum ByteCounts {
    static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    static let highs: UInt64 = 0x8080_8080_8080_8080
    static let byteOnes: UInt64 = 0x0101_0101_0101_0101
    static let halfMask: UInt64 = 0x00FF_00FF_00FF_00FF

    #if _pointerBitWidth(_64)
    /// 1 in each byte of `w` that is non-zero, 0 in the others: a byte is non-zero iff it or its
    /// negation has the top bit set, which a 16-bit shift by 7 moves to the bottom of both bytes
    /// of a lane (x86 has no byte shifts). Adding these to byte counters counts the non-zero
    /// bytes, up to 255 additions.
    @inline(__always)
    static func nonZeroFlags(_ w: SIMD16<UInt16>) -> SIMD16<UInt16> {
        let negated = unsafeBitCast(SIMD32<UInt8>() &- unsafeBitCast(w, to: SIMD32<UInt8>.self), to: SIMD16<UInt16>.self)
        return ((w | negated) &>> 7) & 0x0101
    }

    /// Each 16-bit lane's two bytes added (a little-endian pair of bytes).
    @inline(__always)
    static func pairSums(_ w: SIMD16<UInt16>) -> SIMD16<UInt16> { (w & 0x00FF) &+ (w &>> 8) }

    @inline(__always)
    static func horizontalSum(_ lanes: SIMD16<UInt16>) -> UInt64 {
        let x = unsafeBitCast(lanes, to: SIMD8<UInt32>.self)
        return UInt64(widening: ((x & 0xFFFF) &+ (x &>> 16)).wrappedSum())
    }
    #endif

    /// Number of non-zero bytes in `p[0..<count]`.
    @inline(__always)
    public static func nonZero(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var total: UInt64 = 0
        var i = 0
        let raw = UnsafeRawPointer(p)
        (i, total) = InstructionSet.nonZeroPrefix(raw, count: count)
        #if _pointerBitWidth(_64)
        while i + 32 <= count {
            // Byte counters of non-zero bytes (`nonZeroFlags`), at most 255 vectors per block.
            var lanes = SIMD16<UInt16>()
            let end = min(count - 31, i + 255 * 32)
            while i < end {
                lanes &+= nonZeroFlags(raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt16>.self))
                i += 32
            }
            total &+= horizontalSum(pairSums(lanes))
        }
        #endif
        while i + 8 <= count {
            // Per-byte 0/1 lanes, at most 31 words per block: the horizontal sum (a multiply that
            // adds all eight lanes into the top byte) must stay below 256.
            var lanes: UInt64 = 0
            let end = min(count - 7, i + 31 * 8)
            while i < end {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                // High bit of each byte set iff the byte is non-zero.
                lanes &+= ((((x & lows) &+ lows) | x) & highs) &>> 7
                i += 8
            }
            total &+= (lanes &* byteOnes) &>> 56
        }
        while i < count { total &+= p[i] == 0 ? 0 : 1; i += 1 }
        return total
    }

    /// Sum of the bytes `p[0..<count]`.
    @inline(__always)
    public static func sum(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var total: UInt64 = 0
        var i = 0
        let raw = UnsafeRawPointer(p)
        #if _pointerBitWidth(_64)
        while i + 32 <= count {
            // 16-bit lanes of byte-pair sums (≤ 510 per vector), at most 128 vectors per block.
            var lanes = SIMD16<UInt16>()
            let end = min(count - 31, i + 128 * 32)
            while i < end {
                lanes &+= pairSums(raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt16>.self))
                i += 32
            }
            total &+= horizontalSum(lanes)
        }
        #endif
        while i + 8 <= count {
            // Four 16-bit lanes of pair sums (≤ 510 per word), at most 32 words per block: the
            // horizontal sum of the four lanes must stay below 2^16.
            var lanes: UInt64 = 0
            let end = min(count - 7, i + 32 * 8)
            while i < end {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                lanes &+= (x & halfMask) &+ ((x &>> 8) & halfMask)
                i += 8
            }
            total &+= ((lanes &* 0x0001_0001_0001_0001) &>> 48) & 0xFFFF
        }
        while i < count { total &+= UInt64(widening: p[i]); i += 1 }
        return total
    }

    /// Both at once, one load per word: non-zero bytes and their sum.
    @inline(__always)
    public static func nonZeroAndSum(_ p: UnsafePointer<UInt8>, count: Int) -> (nonZero: UInt64, sum: UInt64) {
        var nonZero: UInt64 = 0, total: UInt64 = 0
        var i = 0
        let raw = UnsafeRawPointer(p)
        (i, nonZero, total) = InstructionSet.nonZeroAndSumPrefix(raw, count: count)
        #if _pointerBitWidth(_64)
        while i + 32 <= count {
            // Both block bounds of the loops above: at most 128 vectors.
            var nonZeroLanes = SIMD16<UInt16>(), lanes = SIMD16<UInt16>()
            let end = min(count - 31, i + 128 * 32)
            while i < end {
                let w = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt16>.self)
                nonZeroLanes &+= nonZeroFlags(w)
                lanes &+= pairSums(w)
                i += 32
            }
            nonZero &+= horizontalSum(pairSums(nonZeroLanes))
            total &+= horizontalSum(lanes)
        }
        #endif
        while i + 8 <= count {
            // Blocks of at most 31 words keep both lane kinds below overflow (see above).
            var flags: UInt64 = 0, pairs: UInt64 = 0
            let end = min(count - 7, i + 31 * 8)
            while i < end {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                flags &+= ((((x & lows) &+ lows) | x) & highs) &>> 7
                pairs &+= (x & halfMask) &+ ((x &>> 8) & halfMask)
                i += 8
            }
            nonZero &+= (flags &* byteOnes) &>> 56
            total &+= ((pairs &* 0x0001_0001_0001_0001) &>> 48) & 0xFFFF
        }
        while i < count {
            nonZero &+= p[i] == 0 ? 0 : 1
            total &+= UInt64(widening: p[i])
            i += 1
        }
        return (nonZero, total)
    }
}
