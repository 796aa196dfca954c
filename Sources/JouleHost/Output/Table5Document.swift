/// `joule table5 --json`: paper 1's Table 5 beside Joule's trained twins (schema:
/// docs/json-output.md).
public struct Table5Document: JSONDocument {
    public static let format = "joule-table5"

    public struct Paper: Encodable {
        public var network: String
        public var dataset: String
        public var timesteps: Int
        public var accuracy: Double?
        public var sparsity: Double?
        /// SNN / QNN energy per board name.
        public var snnOverQnn: [String: Double]
    }

    public struct Board: Encodable {
        public var board: String
        /// The paper's ratio on this board, where it reports one.
        public var paper: Double?
        /// SNN at the measured spike rate vs a QNN at the board's reference density (per synapse).
        public var paperStyle: Double
        /// The same against the QNN twin's measured density.
        public var ownTwin: Double
        /// Both twins priced layer by layer from their runs' counted events.
        public var counted: Double
        /// Per-layer and total energy (pJ).
        public var energy: EnergyDocument.Board
    }

    public struct Model: Encodable {
        public var name: String
        public var dataset: String
        public var timesteps: Int
        public var images: Int
        public var qnnAccuracy: Double, snnAccuracy: Double
        /// QNN twin's zero-activation fraction (hidden layers) and the SNN's spike rate.
        public var sparsity: Double, spikeRate: Double
        public var paper: Paper?
        public var boards: [Board]
    }

    public var models: [Model]

    public init(_ t: Table5) {
        models = t.entries.map { e in
            let c = e.comparison
            return Model(name: e.name, dataset: c.dataset, timesteps: c.timesteps, images: c.qnn.images,
                         qnnAccuracy: c.qnn.accuracy, snnAccuracy: c.snn.accuracy,
                         sparsity: c.qnn.sparsity, spikeRate: c.spikeRate,
                         paper: e.paper.map {
                             Paper(network: $0.network, dataset: $0.dataset, timesteps: $0.timesteps,
                                   accuracy: $0.accuracy, sparsity: $0.sparsity, snnOverQnn: $0.ratios)
                         },
                         boards: c.boards.map { b in
                             Board(board: b.board, paper: e.paper?.ratios[b.board], paperStyle: b.paper.snnOverQnn,
                                   ownTwin: b.twin.snnOverQnn, counted: b.ratio, energy: EnergyDocument.Board(b.energy))
                         })
        }
    }
}
