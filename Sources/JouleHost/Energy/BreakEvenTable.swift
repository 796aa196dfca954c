import Foundation
import JouleEnergy

/// One row of a break-even sweep.
public struct BreakEvenRow: Equatable {
    /// Timesteps `T`.
    public var timesteps: Int
    /// QNN twin's activation bits `ceil(log2(T+1))`.
    public var activationBits: Int
    /// The solved break-even point.
    public var point: BreakEvenPoint
    /// QNN energy per synapse (pJ) at the sweep's density — equal to the SNN's at the break-even.
    public var qnnPJPerSynapse: Double
}

/// Break-even spike rate as a function of `T` for one board (the paper's Figure 9 data).
public struct BreakEvenSweep: Equatable {
    /// Label of the curve (board name).
    public var label: String
    /// QNN non-zero fraction used.
    public var qnnDensity: Double
    /// Rows for T = 1…timestepsMax.
    public var rows: [BreakEvenRow]

    /// Sweeps `T = 1…timestepsMax` on `board`.
    public init(label: String, board: BoardProfile, timestepsMax: Int, qnnDensity: Double? = nil,
                weightBits: Int = 8) {
        self.label = label
        let density = qnnDensity ?? board.synapse.qnnDensity
        self.qnnDensity = density
        rows = (1...max(1, timestepsMax)).map { t in
            let costs = SynapseCosts(board: board, timesteps: t, weightBits: weightBits)
            return BreakEvenRow(timesteps: t, activationBits: ActivationBits.forTimesteps(t),
                                point: BreakEven.point(costs: costs, qnnDensity: density),
                                qnnPJPerSynapse: costs.qnnEnergy(density: density))
        }
    }

    /// Plain-text table: T, QNN bits, required sparsity and spike rate (%), QNN pJ per synapse.
    public func table() -> String {
        var lines = ["\(label) — QNN density \(String(format: "%.2f", qnnDensity)); the SNN saves energy above the required sparsity",
                     " T | QNN bits | required sparsity % | max spike rate % | QNN pJ/synapse"]
        for r in rows {
            var note = ""
            switch r.point.kind {
            case .crossing: note = ""
            case .snnAlwaysCheaper: note = "  (SNN always cheaper)"
            case .snnNeverCheaper: note = "  (SNN never cheaper)"
            }
            lines.append(String(format: "%2d | %8d | %19.2f | %16.2f | %14.4f", r.timesteps, r.activationBits,
                                r.point.sparsity * 100, r.point.spikeRate * 100, r.qnnPJPerSynapse) + note)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
