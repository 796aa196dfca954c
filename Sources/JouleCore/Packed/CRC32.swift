/// CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`, initial value and final XOR
/// `0xFFFFFFFF`): the checksum of zlib, PNG and `crc32` in Python's `zlib`.
public struct CRC32: Sendable {
    private var table: InlineArray<256, UInt32>
    /// The running value, before the final XOR.
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {
        table = InlineArray(repeating: 0)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
            table[i] = c
        }
    }

    /// Feeds `bytes` into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = state
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        state = c
    }

    /// Feeds `count` zero bytes into the checksum.
    public mutating func updateZeros(count: Int) {
        var c = state
        for _ in 0..<count { c = table[Int(c & 0xFF)] ^ (c >> 8) }
        state = c
    }

    /// The checksum of everything fed so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }
}
