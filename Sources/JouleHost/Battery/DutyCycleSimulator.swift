/// A time-stepping simulation of one twin draining the battery, event by event, until it is empty.
///
/// Between events the current is constant: sleep + the sensors' average + the radio while a burst is
/// on + the display while a glance is on (each scaled to the battery by `1/(η·V_nom)`) + self-discharge.
/// Events are periodic streams with fixed phases: a wake-up at `(k + ½)·P_wake` costs the wake-up
/// energy plus, per inference, the inference energy and the MCU overhead `I_active·V·t_overhead` as
/// instantaneous charges; radio bursts start at `(k + ¼)·P_radio`, display glances at
/// `(k + ¾)·P_display` with `P_display = 1 day / activations` and `onSecondsPerDay / activations`
/// each. Within the interval where the charge crosses zero the exact crossing time is solved.
public struct DutyCycleSimulator {
    /// One sample of the battery state.
    public struct Sample: Equatable, Sendable {
        /// Time since full (s).
        public var seconds: Double
        /// Remaining usable charge (C).
        public var coulombs: Double
    }

    /// Result of a run.
    public struct Result: Sendable {
        /// Time from full to empty (s).
        public var lifetimeSeconds: Double
        /// Charge samples, evenly spaced in time, first full, last empty.
        public var samples: [Sample]
        /// Events stepped through.
        public var steps: Int
        /// Lifetime in days.
        public var lifetimeDays: Double { lifetimeSeconds / BatteryUnits.secondsPerDay }
    }

    public let workload: Workload
    public let inferenceJoules: Double
    public let schedule: InferenceSchedule

    public init(workload: Workload, inferenceJoules: Double, schedule: InferenceSchedule? = nil) {
        self.workload = workload
        self.inferenceJoules = inferenceJoules
        self.schedule = schedule ?? workload.schedule
    }

    /// Runs until the usable charge is spent.
    /// - Parameters:
    ///   - sampleSeconds: spacing of the recorded samples (s); default 1/400 of the closed-form lifetime.
    ///   - maxSteps: refuse (throw) beyond this many events, e.g. for a battery that never empties.
    public func run(sampleSeconds: Double? = nil, maxSteps: Int = 400_000_000) throws -> Result {
        let w = workload.watch, b = workload.battery
        let v = w.supplyVolts
        let estimate = PowerBudget(workload: workload, inferenceJoules: inferenceJoules, schedule: schedule).lifetimeSeconds
        guard estimate.isFinite else {
            throw JouleHostError("\(workload.file): the battery never empties (no load and no self-discharge)")
        }
        let sampleEvery = sampleSeconds ?? estimate / 400

        // Constant battery currents (A).
        let base = b.batteryAmps(railWatts: (w.sleepAmps + w.sensorAmps * w.sensorDuty) * v) + b.selfDischargeAmps
        let radioAmps = b.batteryAmps(railWatts: w.radioAmps * v)
        let displayAmps = b.batteryAmps(railWatts: w.displayAmps * v)
        // Charge per wake-up (C).
        let n = Double(schedule.inferencesPerWakeUp)
        let wakeCharge = b.batteryCoulombs(railJoules: w.wakeUpJoules
            + n * (inferenceJoules + w.activeAmps * v * w.overheadSecondsPerInference))

        var wake = PeriodicEvents(period: schedule.wakeUpsPerSecond > 0 ? 1 / schedule.wakeUpsPerSecond : .infinity,
                                  phase: 0.5, length: 0)
        var radio = PeriodicEvents(period: w.radioBurstsPerSecond > 0 ? 1 / w.radioBurstsPerSecond : .infinity,
                                   phase: 0.25, length: w.radioBurstSeconds)
        let glances = w.displayActivationsPerDay
        var display = PeriodicEvents(period: glances > 0 && w.displayOnSecondsPerDay > 0 ? BatteryUnits.secondsPerDay / glances : .infinity,
                                     phase: 0.75, length: glances > 0 ? w.displayOnSecondsPerDay / glances : 0)

        var q = b.usableCoulombs, t = 0.0, steps = 0
        var samples = [Sample(seconds: 0, coulombs: q)]
        var nextSample = sampleEvery
        while true {
            let current = base + (radio.isOn ? radioAmps : 0) + (display.isOn ? displayAmps : 0)
            let next = min(wake.next, radio.next, display.next)
            // Record samples inside this interval (charge falls linearly in it).
            while nextSample <= next, q - current * (nextSample - t) > 0 {
                samples.append(Sample(seconds: nextSample, coulombs: q - current * (nextSample - t)))
                nextSample += sampleEvery
            }
            let drawn = current * (next - t)
            if drawn >= q {  // empties before the next event
                let end = current > 0 ? t + q / current : .infinity
                samples.append(Sample(seconds: end, coulombs: 0))
                return Result(lifetimeSeconds: end, samples: samples, steps: steps)
            }
            q -= drawn
            t = next
            if wake.next == t { q -= wakeCharge; wake.advance() }
            if radio.next == t { radio.advance() }
            if display.next == t { display.advance() }
            steps += 1
            if q <= 0 {
                samples.append(Sample(seconds: t, coulombs: 0))
                return Result(lifetimeSeconds: t, samples: samples, steps: steps)
            }
            if steps >= maxSteps {
                throw JouleHostError("\(workload.file): simulation stopped after \(steps) events at "
                    + "\(t / BatteryUnits.secondsPerDay) days with charge left")
            }
        }
    }
}

/// A periodic stream of on/off edges (or instantaneous events when `length` is 0): on at
/// `(k + phase)·period`, off `length` s later.
struct PeriodicEvents {
    let period: Double, phase: Double, length: Double
    private var k = 0.0
    /// Whether the stream is inside an on-interval.
    private(set) var isOn = false
    /// Time of the next edge (s).
    private(set) var next: Double

    init(period: Double, phase: Double, length: Double) {
        self.period = period
        self.phase = phase
        self.length = length
        next = period.isFinite ? phase * period : .infinity
    }

    /// Steps past the edge at `next`.
    mutating func advance() {
        if length > 0 && !isOn {
            isOn = true
            next = (k + phase) * period + length
        } else {
            isOn = false
            k += 1
            next = (k + phase) * period
        }
    }
}
