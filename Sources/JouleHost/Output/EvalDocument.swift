import JouleCore

/// `joule eval --json`: accuracy and activity of one execution mode over a data set.
public struct EvalDocument: JSONDocument {
    public static let format = "joule-eval"

    /// One layer: its activity (hidden layers only) and its counters summed over the images.
    public struct Layer: Encodable {
        public var name: String
        /// Whether the layer produces codes / spikes (false: pooling without neurons, the output layer).
        public var hidden: Bool
        /// 1 − non-zero outputs / outputs (QNN); 1 − spike rate (SNN). `nil` for non-hidden layers.
        public var sparsity: Double?
        /// Σ codes (QNN) or spikes (SNN) / (neurons · T · images). `nil` for non-hidden layers.
        public var spikeRate: Double?
        public var counters: CounterRecord
    }

    public var model: String
    public var dataset: String
    /// `qnn`, `snn-layerwise` or `snn-streaming`.
    public var mode: String
    public var timesteps: Int
    public var images: Int
    public var correct: Int
    public var accuracy: Double
    /// Over all hidden layers (as `Evaluation.sparsity` / `spikeRate`).
    public var sparsity: Double
    public var spikeRate: Double
    public var layers: [Layer]
    /// All layers' counters summed.
    public var totalCounters: CounterRecord
    /// `Evaluation.scoresDigest` as 16 hex digits.
    public var scoresDigest: String

    public init(model: String, dataset: String, layerNames: [String], evaluation e: Evaluation) {
        self.model = model
        self.dataset = dataset
        mode = e.mode.jsonName
        timesteps = e.timesteps
        images = e.images
        correct = e.correct
        accuracy = e.accuracy
        sparsity = e.sparsity
        spikeRate = e.spikeRate
        let hidden = Set(e.hiddenLayers)
        layers = e.counters.indices.map { i in
            Layer(name: i < layerNames.count ? layerNames[i] : "layer \(i)", hidden: hidden.contains(i),
                  sparsity: hidden.contains(i) ? e.sparsity(layer: i) : nil,
                  spikeRate: hidden.contains(i) ? e.spikeRate(layer: i) : nil,
                  counters: CounterRecord(e.counters[i]))
        }
        totalCounters = CounterRecord(e.counters.reduce(into: EventCounters()) { $0.add($1) })
        scoresDigest = e.hexScoresDigest
    }
}

extension Evaluation {
    /// `scoresDigest` as 16 hex digits (text output and JSON).
    public var hexScoresDigest: String {
        let hex = String(scoresDigest, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension ExecutionMode {
    /// The mode's name in JSON documents and `--modes` lists.
    public var jsonName: String {
        switch self {
        case .qnn: "qnn"
        case .snnLayerwise: "snn-layerwise"
        case .snnStreaming: "snn-streaming"
        }
    }
}
