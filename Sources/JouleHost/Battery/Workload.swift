import Foundation

/// One twin of the packed model a workload runs.
public enum Twin: String, CaseIterable, Sendable {
    /// The QNN: activations with `T+1` levels.
    case qnn
    /// The SNN: integrate-and-fire neurons over `T` timesteps.
    case snn
}

/// Where the energy per inference comes from: a model priced on the board, and/or explicit values.
public struct WorkloadModel: Equatable, Sendable {
    /// Model file (`.jmod`, or a JSON description that is packed on the fly), resolved against the
    /// workload file's folder; `nil` when only overrides are given.
    public var path: String?
    /// `T` for both twins (QNN with `T+1` levels, SNN with `T` timesteps), 1…255.
    public var timesteps: Int
    /// SNN schedule used to count events: `true` streaming, `false` layer-wise (the default).
    public var streaming: Bool
    /// Explicit energy per inference at the supply rail (J), per twin; wins over `path`.
    public var energyOverride: [Twin: Double]
}

/// A decoded `Workloads/*.json` file (format `joule-workload`, documented in `Workloads/README.md`).
/// All quantities are stored in SI units (s, A, V, J, C) whatever unit the file uses.
public struct Workload: Equatable, Sendable {
    /// The format version this build reads.
    public static let formatVersion = 1
    /// Path of the file it was read from (for messages).
    public var file: String
    /// Short name (by convention the file's base name) and one-line description.
    public var name: String, description: String
    /// Board profile name or path (`Boards/<name>.json`) that prices an inference.
    public var board: String
    /// Model and twins' energy source.
    public var model: WorkloadModel
    /// Twins to simulate, in file order (no duplicates).
    public var twins: [Twin]
    /// When inferences run.
    public var schedule: InferenceSchedule
    /// Everything else on the watch that draws current.
    public var watch: WatchLoads
    /// The cell and its regulator.
    public var battery: BatteryPack
    /// Source text of every constant, by dotted path (`battery.capacityMilliampHours`).
    public var sources: [String: String]
}
