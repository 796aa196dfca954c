// Widening to 64-bit integers that compiles on 32-bit Embedded targets.
//
// With Swift 6.3's Embedded stdlib on 32-bit triples (armv7em, armv6m, riscv32), the generic
// `Int64(_:)` / `UInt64(_:)` conversions go through `BinaryInteger.words` and allocate, which
// `-no-allocations` rejects. These initialisers widen through a bit cast of the two 32-bit
// halves instead (the core supports little-endian CPUs only). On 64-bit targets they are the
// plain conversions.

extension Int64 {
    @inlinable @inline(__always)
    public init(widening x: Int32) {
        #if _pointerBitWidth(_64)
        self.init(x)
        #else
        self = unsafeBitCast((x, x &>> 31), to: Int64.self)
        #endif
    }

    @inlinable @inline(__always)
    public init(widening x: Int) { self.init(widening: Int32(truncatingIfNeeded: x)) }

    @inlinable @inline(__always)
    public init(widening x: UInt8) { self.init(widening: Int32(x)) }
}

extension UInt64 {
    @inlinable @inline(__always)
    public init(widening x: UInt32) {
        #if _pointerBitWidth(_64)
        self.init(x)
        #else
        self = unsafeBitCast((x, UInt32(0)), to: UInt64.self)
        #endif
    }

    /// - Precondition: `x >= 0`.
    @inlinable @inline(__always)
    public init(widening x: Int) { self.init(widening: UInt32(truncatingIfNeeded: x)) }

    @inlinable @inline(__always)
    public init(widening x: UInt8) { self.init(widening: UInt32(x)) }
}
