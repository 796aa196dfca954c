import JouleEnergy

/// Estimates the SNN spike rate at which one SNN inference would cost a target energy, by scaling the
/// measured SNN energy with the board's per-synapse model (`SynapseCosts.snnEnergy(spikeRate:)`, linear
/// in the spike rate): `E(r) ≈ E_measured · snnEnergy(r) / snnEnergy(r_measured)`. An estimate: the
/// layer model that priced the measurement is not linear in one global rate.
public struct SpikeRateTarget: Sendable {
    /// Per-synapse costs of the board at the model's `T` and weight width.
    public var costs: SynapseCosts
    /// Measured SNN energy per inference (J) and spike rate (0…1).
    public var measuredJoules: Double, measuredRate: Double

    public init(board: BoardProfile, timesteps: Int, weightBits: Int, measuredJoules: Double, measuredRate: Double) {
        costs = SynapseCosts(board: board, timesteps: timesteps, weightBits: weightBits)
        self.measuredJoules = measuredJoules
        self.measuredRate = measuredRate
    }

    /// Estimated SNN energy per inference (J) at spike rate `r`.
    public func joules(atSpikeRate r: Double) -> Double {
        let m = costs.snnEnergy(spikeRate: measuredRate)
        return m > 0 ? measuredJoules * costs.snnEnergy(spikeRate: r) / m : measuredJoules
    }

    /// The spike rate (0…1) at which the SNN costs `target` J per inference; `nil` when even a silent
    /// SNN (rate 0: per-timestep and weight-load costs only) costs more. Bisection, 1e-9 in rate.
    public func spikeRate(forJoules target: Double) -> Double? {
        guard joules(atSpikeRate: 0) <= target else { return nil }
        if joules(atSpikeRate: 1) <= target { return 1 }
        var lo = 0.0, hi = 1.0
        while hi - lo > 1e-9 {
            let mid = (lo + hi) / 2
            if joules(atSpikeRate: mid) <= target { lo = mid } else { hi = mid }
        }
        return lo
    }
}
