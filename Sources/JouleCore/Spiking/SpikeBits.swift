/// Spike maps of the streaming schedule: one bit per neuron, in the producing layer's
/// *channels-last* order — neuron `(c, y, x)` of a `C × H × W` layer is bit
/// `(y · W + x) · C + c` — bit `k` in bit `k mod 8` of byte `k / 8`, `ceil(n / 8)` bytes in all
/// (`bytes(count:)`); unused high bits of the last byte are zero. Channels-last is the order in
/// which the membranes (`StreamingState`) are updated, so a layer writes its map front to back.
public enum SpikeBits {
    /// Bytes of a map of `count` neurons.
    @inlinable
    public static func bytes(count: Int) -> Int { (count + 7) >> 3 }

    /// Bit `index` of `map`.
    @inline(__always)
    static func bit(_ map: UnsafePointer<UInt8>, _ index: Int) -> UInt8 {
        (map[index &>> 3] &>> UInt8(truncatingIfNeeded: index & 7)) & 1
    }

    /// Bit `index` (channels-last) of a `channels × plane` map, for the channel-major index
    /// `chwIndex = c · plane + pixel`.
    @inline(__always)
    static func bit(_ map: UnsafePointer<UInt8>, chwIndex: Int, channels: Int, plane: Int) -> UInt8 {
        let c = chwIndex / plane
        return bit(map, (chwIndex - c * plane) * channels + c)
    }

    /// `count` ≤ 57 bits of `map` (a map of `mapBytes` bytes) starting at bit `start`, in the
    /// low bits of the result; bits past the map read as zero.
    @inline(__always)
    static func load(_ map: UnsafePointer<UInt8>, start: Int, count: Int, mapBytes: Int) -> UInt64 {
        let first = start &>> 3, shift = UInt64(widening: start & 7)
        var word: UInt64
        if first &+ 8 <= mapBytes {
            word = UInt64(littleEndian: UnsafeRawPointer(map + first).loadUnaligned(as: UInt64.self))
        } else {
            word = 0
            var k = 0
            while first &+ k < mapBytes && k < 8 {
                word |= UInt64(widening: map[first &+ k]) &<< UInt64(widening: 8 &* k)
                k &+= 1
            }
        }
        return (word &>> shift) & ((1 &<< UInt64(widening: count)) &- 1)
    }

    /// The byte whose bit `k` is lane `k` of `lanes` (each lane 0 or 1).
    @inline(__always)
    static func packLanes(_ lanes: SIMD8<UInt8>) -> UInt8 {
        // Lane k sits at bit 8k; the multiplier moves it to bit 56 + k without carries.
        let word = UInt64(littleEndian: unsafeBitCast(lanes, to: UInt64.self))
        return UInt8(truncatingIfNeeded: (word &* 0x0102_0408_1020_4080) &>> 56)
    }

    /// Lane `k` is bit `k` of `byte` (0 or 1).
    @inline(__always)
    static func unpackLanes(_ byte: UInt8) -> SIMD8<UInt8> {
        (SIMD8<UInt8>(repeating: byte) &>> SIMD8<UInt8>(0, 1, 2, 3, 4, 5, 6, 7)) & 1
    }

    /// Number of set bits in a map of `count` neurons.
    @inline(__always)
    static func population(_ map: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let bytes = bytes(count: count)
        var total = 0, k = 0
        while k &+ 8 <= bytes {
            total &+= UnsafeRawPointer(map + k).loadUnaligned(as: UInt64.self).nonzeroBitCount
            k &+= 8
        }
        while k < bytes {
            total &+= map[k].nonzeroBitCount
            k &+= 1
        }
        return UInt64(widening: total)
    }

    /// Calls `body` with the index of every set bit of a map of `count` neurons, in increasing
    /// order; all-zero words of 64 neurons cost one test.
    @inline(__always)
    static func forEachSpike(_ map: UnsafePointer<UInt8>, count: Int, _ body: (Int) -> Void) {
        let bytes = bytes(count: count)
        var k = 0
        while k < bytes {
            var word: UInt64
            if k &+ 8 <= bytes {
                word = UInt64(littleEndian: UnsafeRawPointer(map + k).loadUnaligned(as: UInt64.self))
            } else {
                word = 0
                var b = 0
                while k &+ b < bytes {
                    word |= UInt64(widening: map[k &+ b]) &<< UInt64(widening: 8 &* b)
                    b &+= 1
                }
            }
            let base = k &<< 3
            while word != 0 {
                body(base &+ word.trailingZeroBitCount)
                word &= word &- 1
            }
            k &+= 8
        }
    }
}

/// Writes a spike map (or any bit map) front to back, one bit, eight bits or a run of bits at a time.
struct SpikeMapWriter {
    let map: UnsafeMutablePointer<UInt8>
    /// Next bit to write.
    var position = 0
    var pending: UInt64 = 0

    init(_ map: UnsafeMutablePointer<UInt8>) { self.map = map }

    /// Appends the low bit of `spike`.
    @inline(__always)
    mutating func append(_ spike: UInt64) {
        pending |= spike &<< UInt64(widening: position & 63)
        position &+= 1
        if position & 63 == 0 { flushWord() }
    }

    /// Appends eight bits (bit `k` of `byte` is the `k`-th neuron) at a byte boundary.
    /// - Precondition: `position` is a multiple of 8.
    @inline(__always)
    mutating func appendByte(_ byte: UInt8) {
        pending |= UInt64(widening: byte) &<< UInt64(widening: position & 63)
        position &+= 8
        if position & 63 == 0 { flushWord() }
    }

    /// Appends the low `count` (1…64) bits of `bits` (the bits above them zero).
    @inline(__always)
    mutating func append(bits: UInt64, count: Int) {
        let used = position & 63, word = position &>> 6
        pending |= bits &<< UInt64(widening: used)
        position &+= count
        guard used &+ count >= 64 else { return }
        UnsafeMutableRawPointer(map + word &* 8).storeBytes(of: pending.littleEndian, as: UInt64.self)
        pending = used &+ count > 64 ? bits &>> UInt64(widening: 64 &- used) : 0
    }

    @inline(__always)
    mutating func flushWord() {
        UnsafeMutableRawPointer(map + ((position &- 1) &>> 6) &* 8).storeBytes(of: pending.littleEndian, as: UInt64.self)
        pending = 0
    }

    /// Stores the bits appended since the last full word (the map's last `ceil` bytes).
    mutating func finish() {
        let used = position & 63
        guard used != 0 else { return }
        let start = (position &>> 6) &* 8
        var k = 0
        while k &* 8 < used {
            map[start &+ k] = UInt8(truncatingIfNeeded: pending &>> UInt64(widening: 8 &* k))
            k &+= 1
        }
    }
}
