/// Where the SNN's energy equals its QNN twin's, per synapse.
public struct BreakEvenPoint: Equatable, Sendable {
    /// How the two curves relate over spike rates in `[0, 1]`.
    public enum Kind: UInt8, Sendable {
        /// They cross at `spikeRate`.
        case crossing
        /// The SNN is cheaper even at spike rate 1 (`spikeRate` = 1).
        case snnAlwaysCheaper
        /// The SNN is dearer even at spike rate 0 (`spikeRate` = 0).
        case snnNeverCheaper
    }
    /// Relation of the curves.
    public var kind: Kind
    /// Spike rate `s_r` below which the SNN is cheaper, in `[0, 1]`.
    public var spikeRate: Double
    /// Required SNN sparsity `1 − s_r`: the SNN saves energy above it.
    @inlinable public var sparsity: Double { 1 - spikeRate }

    /// Creates a point.
    public init(kind: Kind, spikeRate: Double) {
        self.kind = kind
        self.spikeRate = spikeRate
    }
}

/// Solves the per-synapse model (`SynapseCosts`) for the break-even spike rate.
public enum BreakEven {
    /// Break-even of `board` at `timesteps` for a QNN with non-zero fraction `qnnDensity`.
    /// - Parameters:
    ///   - board: board profile (its `synapse` calibration supplies fan-in and reuse factor).
    ///   - timesteps: `T ≥ 1`.
    ///   - qnnDensity: QNN non-zero activation fraction `1 − γ`; nil takes the board's.
    ///   - weightBits: stored weight width (8 or 4).
    /// - Returns: the spike rate where both twins cost the same, found by bisection (the SNN energy is
    ///   non-decreasing in the spike rate), to below 1e-12.
    public static func point(board: BoardProfile, timesteps: Int, qnnDensity: Double? = nil,
                             weightBits: Int = 8) -> BreakEvenPoint {
        let costs = SynapseCosts(board: board, timesteps: timesteps, weightBits: weightBits)
        return point(costs: costs, qnnDensity: qnnDensity ?? board.synapse.qnnDensity)
    }

    /// Break-even for precomputed `costs` at QNN density `qnnDensity`.
    public static func point(costs: SynapseCosts, qnnDensity: Double) -> BreakEvenPoint {
        let qnn = costs.qnnEnergy(density: qnnDensity)
        if costs.snnEnergy(spikeRate: 0) >= qnn { return BreakEvenPoint(kind: .snnNeverCheaper, spikeRate: 0) }
        if costs.snnEnergy(spikeRate: 1) <= qnn { return BreakEvenPoint(kind: .snnAlwaysCheaper, spikeRate: 1) }
        var lo = 0.0
        var hi = 1.0
        var i = 0
        while i < 60 {
            let mid = (lo + hi) / 2
            if costs.snnEnergy(spikeRate: mid) < qnn { lo = mid } else { hi = mid }
            i += 1
        }
        return BreakEvenPoint(kind: .crossing, spikeRate: (lo + hi) / 2)
    }
}
