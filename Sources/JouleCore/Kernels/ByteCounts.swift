/// Counting over byte arrays eight bytes at a time (SWAR in `UInt64` words, a loop the compiler
/// also vectorises): the counters' passes over activation codes and spike counts.
public enum ByteCounts {
    static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    static let highs: UInt64 = 0x8080_8080_8080_8080
    static let byteOnes: UInt64 = 0x0101_0101_0101_0101
    static let halfMask: UInt64 = 0x00FF_00FF_00FF_00FF

    /// Number of non-zero bytes in `p[0..<count]`.
    @inline(__always)
    public static func nonZero(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var total: UInt64 = 0
        var i = 0
        let raw = UnsafeRawPointer(p)
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
