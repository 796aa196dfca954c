/// `joule lifetime --json`: each twin's lifetime on a workload, its power breakdown, and the sweep
/// over inference rates.
public struct LifetimeDocument: JSONDocument {
    public static let format = "joule-lifetime"

    public struct Twin: Encodable {
        /// `qnn` or `snn`.
        public var twin: String
        public var microjoulesPerInference: Double
        public var lifetimeDaysSimulated: Double
        public var lifetimeDaysClosedForm: Double
        /// Average power at the battery per load (µW), keyed by `PowerCategory` name.
        public var batteryMicrowatts: [String: Double]
        public var inferenceShare: Double
    }

    public struct SweepPoint: Encodable {
        public var inferencesPerHour: Double
        public var qnnDays: Double, snnDays: Double
        /// SNN lifetime / QNN lifetime.
        public var snnOverQnn: Double
        /// Twins that would keep the MCU busy all the time at this rate.
        public var saturated: [String]
    }

    public var workload: String
    public var board: String
    public var timesteps: Int
    public var inferencesPerHour: Double
    /// How the energy per inference was obtained.
    public var energyOrigin: String
    public var snnSpikeRate: Double?, qnnActivity: Double?
    public var twins: [Twin]
    /// SNN lifetime / QNN lifetime (simulated), when both twins ran.
    public var snnOverQnnLifetime: Double?
    /// Closed-form sweep over inference rates (both twins priced), else empty.
    public var rateSweep: [SweepPoint]

    public init(report: LifetimeReport, sweep: RateSweep?) {
        let w = report.workload
        workload = w.name
        board = w.board
        timesteps = w.model.timesteps
        inferencesPerHour = w.schedule.inferencesPerHour
        energyOrigin = report.energy.origin
        snnSpikeRate = report.energy.snnSpikeRate
        qnnActivity = report.energy.qnnActivity
        twins = report.rows.map { r in
            Twin(twin: r.twin.rawValue, microjoulesPerInference: r.budget.inferenceJoules * 1e6,
                 lifetimeDaysSimulated: r.simulation.lifetimeDays, lifetimeDaysClosedForm: r.budget.lifetimeDays,
                 batteryMicrowatts: Dictionary(uniqueKeysWithValues: r.budget.batteryWatts.map { ($0.key.rawValue, $0.value * 1e6) }),
                 inferenceShare: r.budget.inferenceShare)
        }
        snnOverQnnLifetime = report.lifetimeRatio
        rateSweep = (sweep?.points ?? []).map(SweepPoint.init)
    }
}

extension LifetimeDocument.SweepPoint {
    init(_ p: RateSweep.Point) {
        inferencesPerHour = p.inferencesPerHour
        qnnDays = p.qnn.lifetimeDays
        snnDays = p.snn.lifetimeDays
        snnOverQnn = p.ratio
        saturated = p.saturated.map(\.rawValue)
    }
}
