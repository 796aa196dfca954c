import JouleEnergy

/// `joule breakeven --json`: the break-even sweep of each board and the measured point.
public struct BreakevenDocument: JSONDocument {
    public static let format = "joule-breakeven"

    public struct Row: Encodable {
        public var timesteps: Int
        public var activationBits: Int
        /// `crossing`, `snnAlwaysCheaper` or `snnNeverCheaper`.
        public var kind: String
        /// Break-even spike rate (the SNN saves energy below it) and its sparsity `1 − spikeRate`.
        public var spikeRate: Double, sparsity: Double
        /// QNN energy per synapse per inference at the sweep's density (pJ).
        public var qnnPJPerSynapse: Double

        public init(_ r: BreakEvenRow) {
            timesteps = r.timesteps
            activationBits = r.activationBits
            kind = r.point.kind.jsonName
            spikeRate = r.point.spikeRate
            sparsity = r.point.sparsity
            qnnPJPerSynapse = r.qnnPJPerSynapse
        }
    }

    /// The measured operating point against one board.
    public struct Measured: Encodable {
        public var timesteps: Int
        public var spikeRate: Double
        public var breakEvenSpikeRate: Double
        public var breakEvenKind: String
        /// Whether the measured spike rate is below the break-even.
        public var snnSavesEnergy: Bool
        /// SNN over QNN energy per synapse at the measured point (the per-synapse model's ratio).
        public var snnOverQnn: Double
    }

    public struct Board: Encodable {
        public var board: String
        /// QNN non-zero activation fraction the sweep used.
        public var qnnDensity: Double
        public var rows: [Row]
        public var measured: Measured?

        public init(sweep: BreakEvenSweep, measured: Measured?) {
            board = sweep.label
            qnnDensity = sweep.qnnDensity
            rows = sweep.rows.map(Row.init)
            self.measured = measured
        }
    }

    public var weightBits: Int
    public var boards: [Board]

    public init(weightBits: Int, boards: [Board]) {
        self.weightBits = weightBits
        self.boards = boards
    }
}

extension BreakEvenPoint.Kind {
    /// The kind's name in JSON documents.
    public var jsonName: String {
        switch self {
        case .crossing: "crossing"
        case .snnAlwaysCheaper: "snnAlwaysCheaper"
        case .snnNeverCheaper: "snnNeverCheaper"
        }
    }
}

extension BreakEven {
    /// The measured operating point (`spikeRate` at `timesteps`) against `board`: break-even spike
    /// rate, verdict, and the per-synapse SNN/QNN energy ratio at that point.
    public static func measured(board: BoardProfile, timesteps: Int, spikeRate: Double, qnnDensity: Double?,
                                weightBits: Int) -> BreakevenDocument.Measured {
        let density = qnnDensity ?? board.synapse.qnnDensity
        let costs = SynapseCosts(board: board, timesteps: timesteps, weightBits: weightBits)
        let p = point(costs: costs, qnnDensity: density)
        let q = costs.qnnEnergy(density: density)
        return BreakevenDocument.Measured(
            timesteps: timesteps, spikeRate: spikeRate, breakEvenSpikeRate: p.spikeRate,
            breakEvenKind: p.kind.jsonName, snnSavesEnergy: p.kind == .snnAlwaysCheaper || spikeRate < p.spikeRate,
            snnOverQnn: q > 0 ? costs.snnEnergy(spikeRate: spikeRate) / q : .nan)
    }
}
