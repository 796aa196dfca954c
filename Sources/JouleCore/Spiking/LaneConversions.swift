// Lane-wise conversions of eight-lane vectors for the streaming kernels, written lane by lane
// with `@inline(__always)`: the compiler turns each into one vector conversion where the target
// has one, and on 32-bit Embedded targets the 64-bit lanes widen through `Int64(widening:)`
// (the generic `SIMD.init(truncatingIfNeeded:)` may not be inlined, and widening to 64 bits there
// goes through `words`).

extension SIMD8 where Scalar == Int64 {
    /// Sign-extends every lane.
    @inline(__always)
    init(widening v: SIMD8<Int32>) {
        self.init(Int64(widening: v[0]), Int64(widening: v[1]), Int64(widening: v[2]), Int64(widening: v[3]),
                  Int64(widening: v[4]), Int64(widening: v[5]), Int64(widening: v[6]), Int64(widening: v[7]))
    }

    /// Zero-extends every lane.
    @inline(__always)
    init(widening v: SIMD8<UInt8>) {
        self.init(Int64(widening: v[0]), Int64(widening: v[1]), Int64(widening: v[2]), Int64(widening: v[3]),
                  Int64(widening: v[4]), Int64(widening: v[5]), Int64(widening: v[6]), Int64(widening: v[7]))
    }
}

extension SIMD8 where Scalar == Int32 {
    /// Zero-extends every lane.
    @inline(__always)
    init(widening v: SIMD8<UInt8>) {
        self.init(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]))
    }

    /// Zero-extends every lane.
    @inline(__always)
    init(widening v: SIMD8<UInt16>) {
        self.init(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]))
    }

    /// Sign-extends every lane.
    @inline(__always)
    init(widening v: SIMD8<Int8>) {
        self.init(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]))
    }

    /// Keeps the low 32 bits of every lane.
    @inline(__always)
    init(truncating v: SIMD8<Int64>) {
        self.init(Int32(truncatingIfNeeded: v[0]), Int32(truncatingIfNeeded: v[1]), Int32(truncatingIfNeeded: v[2]),
                  Int32(truncatingIfNeeded: v[3]), Int32(truncatingIfNeeded: v[4]), Int32(truncatingIfNeeded: v[5]),
                  Int32(truncatingIfNeeded: v[6]), Int32(truncatingIfNeeded: v[7]))
    }
}

extension SIMD8 where Scalar == UInt16 {
    /// Keeps the low 16 bits of every lane.
    @inline(__always)
    init(truncating v: SIMD8<Int32>) {
        self.init(UInt16(truncatingIfNeeded: v[0]), UInt16(truncatingIfNeeded: v[1]), UInt16(truncatingIfNeeded: v[2]),
                  UInt16(truncatingIfNeeded: v[3]), UInt16(truncatingIfNeeded: v[4]), UInt16(truncatingIfNeeded: v[5]),
                  UInt16(truncatingIfNeeded: v[6]), UInt16(truncatingIfNeeded: v[7]))
    }
}

extension SIMD8 where Scalar == UInt8 {
    /// Keeps the low 8 bits of every lane.
    @inline(__always)
    init(truncating v: SIMD8<Int32>) {
        self.init(UInt8(truncatingIfNeeded: v[0]), UInt8(truncatingIfNeeded: v[1]), UInt8(truncatingIfNeeded: v[2]),
                  UInt8(truncatingIfNeeded: v[3]), UInt8(truncatingIfNeeded: v[4]), UInt8(truncatingIfNeeded: v[5]),
                  UInt8(truncatingIfNeeded: v[6]), UInt8(truncatingIfNeeded: v[7]))
    }

    /// Keeps the low 8 bits of every lane.
    @inline(__always)
    init(truncating v: SIMD8<Int64>) {
        self.init(UInt8(truncatingIfNeeded: v[0]), UInt8(truncatingIfNeeded: v[1]), UInt8(truncatingIfNeeded: v[2]),
                  UInt8(truncatingIfNeeded: v[3]), UInt8(truncatingIfNeeded: v[4]), UInt8(truncatingIfNeeded: v[5]),
                  UInt8(truncatingIfNeeded: v[6]), UInt8(truncatingIfNeeded: v[7]))
    }
}
