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
    /// Extends every lane of a narrower integer type (sign-extending signed lanes, zero-extending
    /// unsigned ones).
    @inline(__always)
    init<T: FixedWidthInteger>(widening v: SIMD8<T>) {
        self.init(Int32(truncatingIfNeeded: v[0]), Int32(truncatingIfNeeded: v[1]), Int32(truncatingIfNeeded: v[2]),
                  Int32(truncatingIfNeeded: v[3]), Int32(truncatingIfNeeded: v[4]), Int32(truncatingIfNeeded: v[5]),
                  Int32(truncatingIfNeeded: v[6]), Int32(truncatingIfNeeded: v[7]))
    }
}

extension SIMD8 where Scalar: FixedWidthInteger {
    /// Keeps the low `Scalar.bitWidth` bits of every lane of a wider (or as wide) integer type.
    @inline(__always)
    init<T: FixedWidthInteger>(truncating v: SIMD8<T>) {
        self.init(Scalar(truncatingIfNeeded: v[0]), Scalar(truncatingIfNeeded: v[1]), Scalar(truncatingIfNeeded: v[2]),
                  Scalar(truncatingIfNeeded: v[3]), Scalar(truncatingIfNeeded: v[4]), Scalar(truncatingIfNeeded: v[5]),
                  Scalar(truncatingIfNeeded: v[6]), Scalar(truncatingIfNeeded: v[7]))
    }
}
