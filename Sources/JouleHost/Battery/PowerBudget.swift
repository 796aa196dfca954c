/// Where a watch's average power goes, one row per load, for one twin.
public enum PowerCategory: String, CaseIterable, Sendable {
    case inference, overhead, wakeUps = "wake-ups", sensors, radio, display, sleep
    case selfDischarge = "self-discharge"
}

/// The closed-form (standard) estimate for one twin: average rail power per load,
/// `I_avg = Σ I_k t_k / T_cycle` at the battery, lifetime = usable charge / (I_avg + I_self).
public struct PowerBudget: Equatable, Sendable {
    /// Energy of one inference at the rail (J).
    public var inferenceJoules: Double
    /// Average power per load at the battery terminal (W), regulator losses included; the
    /// self-discharge row is its equivalent `I_self · V_nom`.
    public var batteryWatts: [PowerCategory: Double]
    /// Average battery current of the loads (A), self-discharge excluded.
    public var loadAmps: Double
    /// Self-discharge current (A).
    public var selfDischargeAmps: Double
    /// Usable charge (C).
    public var usableCoulombs: Double

    /// Lifetime from full to empty (s): usable charge / (I_avg + I_self).
    public var lifetimeSeconds: Double { usableCoulombs / (loadAmps + selfDischargeAmps) }
    /// Lifetime in days.
    public var lifetimeDays: Double { lifetimeSeconds / BatteryUnits.secondsPerDay }
    /// Total average battery power (W), self-discharge equivalent included.
    public var totalWatts: Double { batteryWatts.values.reduce(0, +) }
    /// Share of the total drain that the model's inferences cause (0…1).
    public var inferenceShare: Double { totalWatts > 0 ? (batteryWatts[.inference] ?? 0) / totalWatts : 0 }

    /// Average rail power of every load (W) for `schedule` on `watch` with `inferenceJoules` per inference.
    public static func railWatts(watch w: WatchLoads, schedule: InferenceSchedule, inferenceJoules: Double)
        -> [PowerCategory: Double] {
        let v = w.supplyVolts
        return [
            .inference: inferenceJoules * schedule.inferencesPerSecond,
            .overhead: w.activeAmps * v * w.overheadSecondsPerInference * schedule.inferencesPerSecond,
            .wakeUps: w.wakeUpJoules * schedule.wakeUpsPerSecond,
            .sensors: w.sensorAmps * w.sensorDuty * v,
            .radio: w.radioAmps * v * w.radioBurstSeconds * w.radioBurstsPerSecond,
            .display: w.displayAmps * v * w.displayOnSecondsPerDay / BatteryUnits.secondsPerDay,
            .sleep: w.sleepAmps * v,
        ]
    }

    /// The estimate for `workload` with its own or another `schedule`.
    public init(workload: Workload, inferenceJoules: Double, schedule: InferenceSchedule? = nil) {
        let b = workload.battery
        let rail = Self.railWatts(watch: workload.watch, schedule: schedule ?? workload.schedule,
                                  inferenceJoules: inferenceJoules)
        var watts: [PowerCategory: Double] = [:]
        var amps = 0.0
        for (k, p) in rail {
            watts[k] = p / b.regulatorEfficiency
            amps += b.batteryAmps(railWatts: p)
        }
        watts[.selfDischarge] = b.selfDischargeAmps * b.nominalVolts
        self.inferenceJoules = inferenceJoules
        batteryWatts = watts
        loadAmps = amps
        selfDischargeAmps = b.selfDischargeAmps
        usableCoulombs = b.usableCoulombs
    }
}
