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
    /// order, a machine word (`UInt`) at a time: all-zero words cost one test.
    @inline(__always)
    static func forEachSpike(_ map: UnsafePointer<UInt8>, count: Int, _ body: (Int) -> Void) {
        let bytes = bytes(count: count), step = MemoryLayout<UInt>.size
        var k = 0
        while k < bytes {
            var word: UInt
            if k &+ step <= bytes {
                word = UInt(littleEndian: UnsafeRawPointer(map + k).loadUnaligned(as: UInt.self))
            } else {
                word = 0
                var b = 0
                while k &+ b < bytes {
                    word |= UInt(map[k &+ b]) &<< UInt(truncatingIfNeeded: 8 &* b)
                    b &+= 1
                }
            }
            let base = k &<< 3
            while word != 0 {
                body(base &+ word.trailingZeroBitCount)
                word &= word &- 1
            }
            k &+= step
        }
    }
}

/// Writes a spike map (or any bit map) front to back, one bit, eight bits or a run of bits at a
/// time, a machine word (`UInt`) at a time into memory.
struct SpikeMapWriter {
    let map: UnsafeMutablePointer<UInt8>
    /// Next bit to write.
    var position = 0
    var pending: UInt = 0
    static let wordBits = UInt.bitWidth

    init(_ map: UnsafeMutablePointer<UInt8>) { self.map = map }

    /// Appends `spike` (0 or 1).
    @inline(__always)
    mutating func append(_ spike: UInt) {
        pending |= spike &<< UInt(truncatingIfNeeded: position & (Self.wordBits &- 1))
        position &+= 1
        if position & (Self.wordBits &- 1) == 0 { flushWord() }
    }

    /// Appends eight bits (bit `k` of `byte` is the `k`-th neuron) at a byte boundary.
    /// - Precondition: `position` is a multiple of 8.
    @inline(__always)
    mutating func appendByte(_ byte: UInt8) {
        pending |= UInt(byte) &<< UInt(truncatingIfNeeded: position & (Self.wordBits &- 1))
        position &+= 8
        if position & (Self.wordBits &- 1) == 0 { flushWord() }
    }

    /// Appends the low `count` (0…64) bits of `bits` (the bits above them zero).
    @inline(__always)
    mutating func append(bits: UInt64, count: Int) {
        var rest = bits, left = count
        while left > 0 {
            let used = position & (Self.wordBits &- 1)
            let take = min(Self.wordBits &- used, left)
            pending |= UInt(truncatingIfNeeded: rest) &<< UInt(truncatingIfNeeded: used)
            position &+= take
            left &-= take
            rest = take < 64 ? rest &>> UInt64(widening: take) : 0
            if position & (Self.wordBits &- 1) == 0 { flushWord() }
        }
    }

    /// Stores the full word just completed.
    @inline(__always)
    mutating func flushWord() {
        let word = (position &- 1) / Self.wordBits
        UnsafeMutableRawPointer(map + word &* (Self.wordBits / 8)).storeBytes(of: pending.littleEndian, as: UInt.self)
        pending = 0
    }

    /// Stores the bits appended since the last full word (the map's last `ceil` bytes).
    mutating func finish() {
        let used = position & (Self.wordBits &- 1)
        guard used != 0 else { return }
        let start = (position / Self.wordBits) &* (Self.wordBits / 8)
        var k = 0
        while k &* 8 < used {
            map[start &+ k] = UInt8(truncatingIfNeeded: pending &>> UInt(truncatingIfNeeded: 8 &* k))
            k &+= 1
        }
    }
}
