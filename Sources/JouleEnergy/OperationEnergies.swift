/// Energies of arithmetic operations and the rule that scales them with operand width.
///
/// Prices are given at `referenceBits` (8 for the paper's Horowitz 45 nm figures). Scaling rule
/// (Horowitz, ISSCC 2014: an integer adder's energy grows about linearly with width, an array
/// multiplier's with the product of its operand widths — 8→32-bit add 0.03→0.1 pJ, mult 0.2→3.1 pJ):
/// - add and compare of `b` bits: `price · b / referenceBits`;
/// - multiply of `a × b` bits: `price · a · b / referenceBits²`.
/// When `bitWidthScaling` is false every operation costs its reference price whatever its width (the
/// paper v1 prices everything at 8 bits; a 32-bit microcontroller ALU costs the same for any width).
public struct OperationEnergies: Equatable, Sendable {
    /// Width at which the prices below hold (bits).
    public var referenceBits: Int
    /// One addition / accumulation at `referenceBits` (pJ).
    public var addPJ: Double
    /// One multiplication of two `referenceBits` operands (pJ).
    public var multiplyPJ: Double
    /// One comparison at `referenceBits` (pJ).
    public var comparePJ: Double
    /// Whether prices scale with operand width (see the type's rule); also governs memory pricing.
    public var bitWidthScaling: Bool

    /// Creates operation prices.
    public init(referenceBits: Int, addPJ: Double, multiplyPJ: Double, comparePJ: Double,
                bitWidthScaling: Bool) {
        self.referenceBits = referenceBits
        self.addPJ = addPJ
        self.multiplyPJ = multiplyPJ
        self.comparePJ = comparePJ
        self.bitWidthScaling = bitWidthScaling
    }

    /// Energy of one `bits`-wide addition (pJ).
    @inlinable
    public func add(bits: Int) -> Double {
        bitWidthScaling ? addPJ * Double(bits) / Double(referenceBits) : addPJ
    }

    /// Energy of one `bits`-wide comparison (pJ).
    @inlinable
    public func compare(bits: Int) -> Double {
        bitWidthScaling ? comparePJ * Double(bits) / Double(referenceBits) : comparePJ
    }

    /// Energy of one `a × b`-bit multiplication (pJ).
    @inlinable
    public func multiply(_ a: Int, _ b: Int) -> Double {
        let ref = Double(referenceBits)
        return bitWidthScaling ? multiplyPJ * Double(a) * Double(b) / (ref * ref) : multiplyPJ
    }

    /// Energy of moving `bits` bits of data that is `width` bits per element through a memory that
    /// costs `pJPerBit` (pJ). With scaling, `bits · pJPerBit`; without, every element is priced as one
    /// `referenceBits`-wide access: `bits / width · referenceBits · pJPerBit`.
    @inlinable
    public func memory(bits: Double, width: Int, pJPerBit: Double) -> Double {
        if bitWidthScaling || width <= 0 { return bits * pJPerBit }
        return bits / Double(width) * Double(referenceBits) * pJPerBit
    }
}
