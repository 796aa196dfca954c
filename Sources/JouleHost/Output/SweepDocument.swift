/// `joule sweep-t --json`: accuracy and spike rate for every `T` (the paper's Figure 7).
public struct SweepDocument: JSONDocument {
    public static let format = "joule-sweep-t"

    public struct Point: Encodable {
        public var timesteps: Int
        /// QNN accuracy (equal to the layer-wise SNN's).
        public var accuracy: Double
        /// Streaming SNN accuracy, when measured.
        public var streamingAccuracy: Double?
        public var spikeRate: Double
    }

    public var model: String
    public var dataset: String
    public var images: Int
    public var points: [Point]

    public init(model: String, dataset: String, images: Int, points: [TimestepSweepPoint]) {
        self.model = model
        self.dataset = dataset
        self.images = images
        self.points = points.map {
            Point(timesteps: $0.timesteps, accuracy: $0.accuracy, streamingAccuracy: $0.streamingAccuracy, spikeRate: $0.spikeRate)
        }
    }
}
