/// `joule energy --json`: per-layer and total energy of both twins on each board.
public struct EnergyDocument: JSONDocument {
    public static let format = "joule-energy"

    public struct Layer: Encodable {
        public var name: String
        public var qnn: EnergyRecord, snn: EnergyRecord
    }

    public struct Board: Encodable {
        public var board: String
        public var qnn: EnergyRecord, snn: EnergyRecord
        /// SNN total / QNN total (< 1: the SNN saves energy).
        public var snnOverQnn: Double
        public var layers: [Layer]

        public init(_ r: ModelEnergyReport) {
            board = r.boardName
            qnn = EnergyRecord(r.qnnTotal)
            snn = EnergyRecord(r.snnTotal)
            snnOverQnn = r.ratio
            layers = r.layers.map { Layer(name: $0.name, qnn: EnergyRecord($0.qnn), snn: EnergyRecord($0.snn)) }
        }
    }

    public var model: String
    public var timesteps: Int
    /// `snn-layerwise` or `snn-streaming`: the SNN mode whose counters were priced.
    public var snnMode: String
    /// Inputs the counters were averaged over.
    public var inputs: Int
    /// `ActivityRate` of each twin's counters.
    public var qnnActivity: Double, snnSpikeRate: Double
    /// True when the model has leaky neurons: the QNN priced is its leak-free twin (the same
    /// weights with integrate-and-fire neurons), not an exact twin.
    public var qnnIsLeakFreeTwin: Bool
    public var boards: [Board]

    public init(model: String, timesteps: Int, snnMode: String, inputs: Int, qnnActivity: Double,
                snnSpikeRate: Double, qnnIsLeakFreeTwin: Bool = false, boards: [Board]) {
        self.model = model; self.timesteps = timesteps; self.snnMode = snnMode; self.inputs = inputs
        self.qnnActivity = qnnActivity; self.snnSpikeRate = snnSpikeRate
        self.qnnIsLeakFreeTwin = qnnIsLeakFreeTwin; self.boards = boards
    }
}
