/// When the watch runs its model.
public enum InferenceSchedule: Equatable, Sendable {
    /// One wake-up and one inference every `3600 / inferencesPerHour` s (e.g. a sliding window).
    case fixed(inferencesPerHour: Double)
    /// An event (button, motion or voice trigger) wakes the MCU `eventsPerHour` times an hour, and
    /// each event runs `inferencesPerEvent` inferences back to back (one wake-up per event).
    case bursts(eventsPerHour: Double, inferencesPerEvent: Int)

    /// Wake-ups per second (1/s): one per inference (fixed) or one per event (bursts).
    public var wakeUpsPerSecond: Double {
        switch self {
        case .fixed(let r): return r / 3600
        case .bursts(let e, _): return e / 3600
        }
    }

    /// Inferences per wake-up.
    public var inferencesPerWakeUp: Int {
        switch self {
        case .fixed: return 1
        case .bursts(_, let n): return n
        }
    }

    /// Inferences per second (1/s).
    public var inferencesPerSecond: Double { wakeUpsPerSecond * Double(inferencesPerWakeUp) }

    /// Inferences per hour (1/h).
    public var inferencesPerHour: Double { inferencesPerSecond * 3600 }

    /// The same schedule with its wake-up rate (inferences or events per hour) multiplied by `factor`.
    public func scaled(by factor: Double) -> InferenceSchedule {
        switch self {
        case .fixed(let r): return .fixed(inferencesPerHour: r * factor)
        case .bursts(let e, let n): return .bursts(eventsPerHour: e * factor, inferencesPerEvent: n)
        }
    }

    /// The same kind of schedule at `inferencesPerHour` inferences an hour.
    public func at(inferencesPerHour rate: Double) -> InferenceSchedule {
        inferencesPerHour > 0 ? scaled(by: rate / inferencesPerHour) : scaled(by: 0)
    }
}
