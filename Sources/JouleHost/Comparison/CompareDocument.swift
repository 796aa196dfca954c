/// `joule compare --json`: everything the verdict and the HTML report show (schema:
/// docs/json-output.md).
public struct CompareDocument: JSONDocument {
    public static let format = "joule-compare"

    public struct BreakEvenCurve: Encodable {
        /// QNN non-zero fraction of this curve.
        public var qnnDensity: Double
        public var rows: [BreakevenDocument.Row]
    }

    public struct Battery: Encodable {
        public var qnnDays: Double, snnDays: Double
        /// Share of the watch's drain that inference causes, per twin.
        public var qnnInferenceShare: Double, snnInferenceShare: Double
        /// Closed-form lifetimes against the inference rate.
        public var rateSweep: [LifetimeDocument.SweepPoint]
    }

    public struct Board: Encodable {
        public var board: String
        public var qnnMicrojoules: Double, snnMicrojoules: Double
        public var snnOverQnn: Double
        /// `qnn` or `snn`: the twin with less energy per inference.
        public var winner: String
        /// The measured point against the paper's QNN and against this model's own QNN twin.
        public var breakEvenPaperQnn: BreakevenDocument.Measured
        public var breakEvenOwnQnn: BreakevenDocument.Measured
        public var breakEvenCurvePaperQnn: BreakEvenCurve
        public var breakEvenCurveOwnQnn: BreakEvenCurve
        public var battery: Battery
        /// Per-layer and total energy (pJ).
        public var energy: EnergyDocument.Board
    }

    public struct Evaluations: Encodable {
        public var qnn: EvalDocument, snnLayerwise: EvalDocument
        public var snnStreaming: EvalDocument?
    }

    public var model: String
    public var dataset: String
    public var timesteps: Int
    public var weightBits: Int
    public var images: Int
    public var spikeRate: Double
    public var qnnDensity: Double
    public var workload: String
    public var workloadBoard: String
    public var inferencesPerHour: Double
    public var verdict: String
    public var evaluations: Evaluations
    public var boards: [Board]

    public init(_ c: TwinComparison) {
        model = c.model
        dataset = c.dataset
        timesteps = c.timesteps
        weightBits = c.weightBits
        images = c.qnn.images
        spikeRate = c.spikeRate
        qnnDensity = c.qnnDensity
        workload = c.workload.name
        workloadBoard = c.workload.board
        inferencesPerHour = c.workload.schedule.inferencesPerHour
        verdict = c.verdictSentence()
        func eval(_ e: Evaluation) -> EvalDocument {
            EvalDocument(model: c.model, dataset: c.dataset, layerNames: c.layerNames, evaluation: e)
        }
        evaluations = Evaluations(qnn: eval(c.qnn), snnLayerwise: eval(c.snn), snnStreaming: c.streaming.map(eval))
        boards = c.boards.map { b in
            Board(board: b.board, qnnMicrojoules: b.qnnMicrojoules, snnMicrojoules: b.snnMicrojoules,
                  snnOverQnn: b.ratio, winner: b.winner.rawValue,
                  breakEvenPaperQnn: b.paper, breakEvenOwnQnn: b.twin,
                  breakEvenCurvePaperQnn: BreakEvenCurve(qnnDensity: b.paperSweep.qnnDensity,
                                                         rows: b.paperSweep.rows.map(BreakevenDocument.Row.init)),
                  breakEvenCurveOwnQnn: BreakEvenCurve(qnnDensity: b.twinSweep.qnnDensity,
                                                       rows: b.twinSweep.rows.map(BreakevenDocument.Row.init)),
                  battery: Battery(qnnDays: b.qnnBattery.lifetimeDays, snnDays: b.snnBattery.lifetimeDays,
                                   qnnInferenceShare: b.qnnBattery.inferenceShare,
                                   snnInferenceShare: b.snnBattery.inferenceShare,
                                   rateSweep: b.rateSweep.points.map(LifetimeDocument.SweepPoint.init)),
                  energy: EnergyDocument.Board(b.energy))
        }
    }
}
