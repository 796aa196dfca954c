/// The watch's loads besides the model, all at the regulated supply rail (SI units).
public struct WatchLoads: Equatable, Sendable {
    /// Regulated rail voltage the currents below are drawn at (V).
    public var supplyVolts: Double
    /// Sensor (IMU, microphone, PPG front end) current while sampling (A) and the fraction of time it
    /// samples (0…1). Sampling is fast (≥ 10 Hz) against every other period, so the simulator treats
    /// it as its average current `duty · I`.
    public var sensorAmps: Double, sensorDuty: Double
    /// Radio current during a burst (A), burst length (s), bursts per second (1/s).
    public var radioAmps: Double, radioBurstSeconds: Double, radioBurstsPerSecond: Double
    /// Display current while on (A), on-time per day (s), and how many separate glances share it.
    public var displayAmps: Double, displayOnSecondsPerDay: Double, displayActivationsPerDay: Double
    /// MCU sleep (System ON, RTC running) current (A), drawn all the time.
    public var sleepAmps: Double
    /// MCU active current (A) during the overhead around each inference (reading the sensor FIFO,
    /// features, post-processing): `overheadSecondsPerInference` s per inference.
    public var activeAmps: Double, overheadSecondsPerInference: Double
    /// Energy of one wake-up from sleep at the rail (J): clock start-up, context restore.
    public var wakeUpJoules: Double
}

/// The cell and its power path (SI units).
public struct BatteryPack: Equatable, Sendable {
    /// Rated capacity (C); 1 mAh = 3.6 C.
    public var capacityCoulombs: Double
    /// Nominal cell voltage (V): converts battery-side power to battery current.
    public var nominalVolts: Double
    /// Fraction of the rated capacity usable before the cut-off voltage (0 < f ≤ 1).
    public var usableFraction: Double
    /// Regulator efficiency (0 < η ≤ 1): battery power = rail power / η.
    public var regulatorEfficiency: Double
    /// Self-discharge as a fraction of the rated capacity per second (1/s); the file gives %/month.
    public var selfDischargePerSecond: Double

    /// Charge available from full to empty (C).
    public var usableCoulombs: Double { capacityCoulombs * usableFraction }
    /// Self-discharge as a constant leakage current (A): rated capacity × rate. Constant (not
    /// proportional to the remaining charge) so that the simulator and the standard estimator agree.
    public var selfDischargeAmps: Double { capacityCoulombs * selfDischargePerSecond }
    /// Battery current (A) for a rail power `watts`: `P / (η · V_nom)`.
    public func batteryAmps(railWatts watts: Double) -> Double { watts / (regulatorEfficiency * nominalVolts) }
    /// Battery charge (C) for a rail energy `joules`: `E / (η · V_nom)`.
    public func batteryCoulombs(railJoules joules: Double) -> Double { joules / (regulatorEfficiency * nominalVolts) }
}

/// Unit conversions used by the workload format.
public enum BatteryUnits {
    /// Coulombs per mAh.
    public static let coulombsPerMilliampHour = 3.6
    /// Seconds in the month of a `%/month` self-discharge rate: 365.25 / 12 days.
    public static let secondsPerMonth = 365.25 / 12 * 86_400
    /// Seconds per day.
    public static let secondsPerDay = 86_400.0
}
