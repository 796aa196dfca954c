/// Access to one row of packed weights: `outC` signed weights, either int8 (one byte each) or
/// int4 (two per byte, even index in the low nibble, odd index in the high nibble, −8…7).
public enum WeightRow {
    /// The weight at `index` of the row starting at `row`.
    @inlinable @inline(__always)
    public static func weight(_ row: UnsafeRawPointer, index: Int, bits: Int) -> Int8 {
        if bits == 8 { return row.load(fromByteOffset: index, as: Int8.self) }
        let byte = row.load(fromByteOffset: index >> 1, as: UInt8.self)
        let nibble = (index & 1) == 0 ? (byte << 4) : (byte & 0xF0)
        return Int8(bitPattern: nibble) >> 4
    }

    /// `acc[j] += x · w[j]` for `j` in `0..<count`.
    @inlinable @inline(__always)
    public static func multiplyAccumulate(_ row: UnsafeRawPointer, bits: Int, x: Int32,
                                          into acc: UnsafeMutablePointer<Int32>, count: Int) {
        if bits == 8 {
            let w = row.assumingMemoryBound(to: Int8.self)
            for j in 0..<count { acc[j] &+= x &* Int32(w[j]) }
        } else {
            let b = row.assumingMemoryBound(to: UInt8.self)
            var j = 0
            while j + 1 < count {
                let byte = b[j >> 1]
                acc[j] &+= x &* Int32(Int8(bitPattern: byte << 4) >> 4)
                acc[j + 1] &+= x &* Int32(Int8(bitPattern: byte & 0xF0) >> 4)
                j += 2
            }
            if j < count { acc[j] &+= x &* Int32(Int8(bitPattern: b[j >> 1] << 4) >> 4) }
        }
    }

    /// `acc[j] += w[j]` for `j` in `0..<count`: the synaptic accumulate of one spike.
    @inlinable @inline(__always)
    public static func accumulate(_ row: UnsafeRawPointer, bits: Int,
                                  into acc: UnsafeMutablePointer<Int32>, count: Int) {
        if bits == 8 {
            let w = row.assumingMemoryBound(to: Int8.self)
            for j in 0..<count { acc[j] &+= Int32(w[j]) }
        } else {
            multiplyAccumulate(row, bits: bits, x: 1, into: acc, count: count)
        }
    }
}
