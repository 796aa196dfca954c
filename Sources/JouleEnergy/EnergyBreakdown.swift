/// Energy of one layer (or a whole model) in picojoules, split by where it is spent.
public struct EnergyBreakdown: Equatable, Sendable {
    /// Arithmetic: multiplies, accumulates, compares, resets (pJ).
    public var compute: Double
    /// On-chip memory: SRAM global buffer (classic) or PE-local memory (dataflow), membranes and
    /// partial sums included (pJ).
    public var onChipMemory: Double
    /// Off-chip memory: DRAM (or flash) traffic, including refills of the on-chip buffer (pJ).
    public var offChipMemory: Double
    /// Network-on-chip: packets × bits × hops (pJ).
    public var network: Double

    /// Creates a breakdown; all parts default to zero.
    public init(compute: Double = 0, onChipMemory: Double = 0, offChipMemory: Double = 0,
                network: Double = 0) {
        self.compute = compute
        self.onChipMemory = onChipMemory
        self.offChipMemory = offChipMemory
        self.network = network
    }

    /// Sum of the four parts (pJ).
    @inlinable
    public var total: Double { compute + onChipMemory + offChipMemory + network }

    /// Adds every part of `other` into `self`.
    @inlinable
    public mutating func add(_ other: EnergyBreakdown) {
        compute += other.compute
        onChipMemory += other.onChipMemory
        offChipMemory += other.offChipMemory
        network += other.network
    }

    /// Part-wise sum.
    @inlinable
    public static func + (lhs: EnergyBreakdown, rhs: EnergyBreakdown) -> EnergyBreakdown {
        var sum = lhs
        sum.add(rhs)
        return sum
    }
}

/// `Double(x)` for event counts, bit-for-bit equal to `Double(x)` (one correctly rounded step).
/// On 32-bit Embedded targets every `Double(UInt64)`/`Double(Int64)` conversion goes through the
/// generic `BinaryInteger` path (`words`, an allocating `_ContiguousArrayStorage<UInt>`), which
/// `-no-allocations` rejects. So split `x` into 2 + 31 + 31-bit chunks, each of which fits a
/// non-negative 32-bit `Int` (`Double(Int)` is a direct conversion on every target): `hi·2^62 +
/// mid·2^31` spans 33 significant bits and is exact, and adding `lo` is the single rounding.
@inlinable @inline(__always)
func real(_ x: UInt64) -> Double {
    let mask: UInt64 = 0x7FFF_FFFF
    let lo = Double(Int(truncatingIfNeeded: Int64(bitPattern: x & mask)))
    let mid = Double(Int(truncatingIfNeeded: Int64(bitPattern: (x &>> 31) & mask)))
    let hi = Double(Int(truncatingIfNeeded: Int64(bitPattern: x &>> 62)))
    return (hi * 0x1p62 + mid * 0x1p31) + lo
}
