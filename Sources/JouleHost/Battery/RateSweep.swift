import Foundation

/// Lifetime of both twins against the inference rate (closed form), other loads unchanged: where the
/// inference share of the drain makes the SNN's advantage large or negligible.
public struct RateSweep: Sendable {
    /// One inference rate.
    public struct Point: Sendable {
        /// Inferences per hour.
        public var inferencesPerHour: Double
        /// Closed-form budgets of the two twins.
        public var qnn: PowerBudget, snn: PowerBudget
        /// SNN energy per inference (J) that would make the SNN live `target` × the QNN at this rate;
        /// `nil` when no SNN energy can (the other loads alone cap the ratio below the target).
        public var snnJoulesForTarget: Double?
        /// SNN lifetime over QNN lifetime.
        public var ratio: Double { snn.lifetimeSeconds / qnn.lifetimeSeconds }
        /// SNN spike rate estimated to reach `snnJoulesForTarget` (when a model ran and it is reachable).
        public var spikeRateForTarget: Double?
        /// Twins that would keep the MCU busy more than all the time at this rate.
        public var saturated: [Twin]
    }

    /// Lifetime ratio called "nearly double".
    public static let target = 1.8
    /// Below this ratio the advantage is called negligible.
    public static let negligible = 1.05

    public var workload: Workload
    public var points: [Point]
    /// `E_qnn / E_snn`: the ratio approached when inference dominates every other load.
    public var limitRatio: Double
    /// Whether the spike-rate column could be estimated (a model ran).
    public var spikeRatesKnown: Bool

    /// Sweeps 4 points per decade from 1/1000 of the workload's rate up to 10× it (at least 1/h to
    /// 1000/h). The MCU's active power `I_active·V` converts energy per inference into busy time, to
    /// flag rates the MCU cannot sustain. `spikeRates` translates the 1.8× energy into a spike rate.
    public init(workload: Workload, qnnJoules: Double, snnJoules: Double, spikeRates: SpikeRateTarget? = nil) {
        self.workload = workload
        limitRatio = snnJoules > 0 ? qnnJoules / snnJoules : .infinity
        spikeRatesKnown = spikeRates != nil
        let rate = max(workload.schedule.inferencesPerHour, 1e-9)
        let lo = min(0, (log10(rate) - 3).rounded(.down)), hi = max(3, (log10(rate) + 1).rounded(.up))
        var pts: [Point] = []
        for i in 0...Int((hi - lo) * 4) {
            pts.append(Self.point(workload: workload, inferencesPerHour: pow(10, lo + Double(i) / 4),
                                  qnnJoules: qnnJoules, snnJoules: snnJoules, spikeRates: spikeRates))
        }
        points = pts
    }

    /// Both twins at one inference rate (the workload's schedule kind, other loads unchanged).
    public static func point(workload: Workload, inferencesPerHour r: Double, qnnJoules: Double, snnJoules: Double,
                             spikeRates: SpikeRateTarget? = nil) -> Point {
        let w = workload.watch, b = workload.battery
        let activeWatts = w.activeAmps * w.supplyVolts
        let s = workload.schedule.at(inferencesPerHour: r)
        let q = PowerBudget(workload: workload, inferenceJoules: qnnJoules, schedule: s)
        let sn = PowerBudget(workload: workload, inferenceJoules: snnJoules, schedule: s)
        // ratio R = (A + k·E_q)/(A + k·E_s), k = rate/(η·V): solve for E_s.
        let k = s.inferencesPerSecond / (b.regulatorEfficiency * b.nominalVolts)
        let a = q.loadAmps + q.selfDischargeAmps - k * qnnJoules
        let needed = k > 0 ? ((a + k * qnnJoules) / Self.target - a) / k : -1
        func busy(_ e: Double) -> Double {
            s.inferencesPerSecond * ((activeWatts > 0 ? e / activeWatts : 0) + w.overheadSecondsPerInference)
        }
        let target = needed > 0 ? needed : nil
        return Point(inferencesPerHour: r, qnn: q, snn: sn, snnJoulesForTarget: target,
                     spikeRateForTarget: target.flatMap { spikeRates?.spikeRate(forJoules: $0) },
                     saturated: [(Twin.qnn, qnnJoules), (.snn, snnJoules)].filter { busy($0.1) > 1 }.map(\.0))
    }

    /// What it would take, at the workload's own rate, for the SNN to nearly double the lifetime.
    public func conditions(spikeRates: SpikeRateTarget? = nil) -> String {
        let qj = points.first.map(\.qnn.inferenceJoules) ?? 0, sj = points.first.map(\.snn.inferenceJoules) ?? 0
        let p = Self.point(workload: workload, inferencesPerHour: workload.schedule.inferencesPerHour,
                           qnnJoules: qj, snnJoules: sj, spikeRates: spikeRates)
        let share = p.qnn.inferenceShare
        var lines = [String(format: "at %.4g inferences/h the model is %.1f %% of the QNN watch's drain: even a free SNN inference "
                            + "would give at most %.2f× (1.8× needs ≥ %.1f %%); measured SNN/QNN lifetime %.3f×",
                            p.inferencesPerHour, share * 100, share < 1 ? 1 / (1 - share) : .infinity,
                            (1 - 1 / Self.target) * 100, p.ratio)]
        if let need = p.snnJoulesForTarget {
            var line = String(format: "1.8× needs an SNN inference of ≤ %.3f µJ (measured %.3f µJ, %.2f× less)",
                              need * 1e6, sj * 1e6, sj / need)
            if let t = spikeRates {
                line += p.spikeRateForTarget.map { String(format: ": spike rate ≈ %.4f instead of the measured %.4f "
                                                          + "(board's per-synapse model, QNN unchanged)", $0, t.measuredRate) }
                    ?? String(format: ", below what a silent SNN costs on this board (%.3f µJ)", t.joules(atSpikeRate: 0) * 1e6)
            }
            lines.append(line)
        }
        if let first = points.first(where: { $0.ratio >= Self.target }) {
            lines.append(String(format: "with the measured energies the SNN reaches 1.8× from %.3g inferences/h", first.inferencesPerHour))
        } else if limitRatio < Self.target {
            lines.append(String(format: "with the measured energies no rate reaches 1.8×: the ratio runs from 1 (other loads dominate) "
                                + "to E_qnn/E_snn = %.3f (inference dominates)", limitRatio))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A word for a ratio: large (≥ 1.5), negligible (< 1.05), or moderate.
    public static func verdict(_ ratio: Double) -> String {
        ratio >= Self.target ? "nearly double" : ratio >= 1.5 ? "large"
            : (ratio < Self.negligible && ratio > 1 / Self.negligible) ? "negligible" : ratio < 1 ? "SNN worse" : "moderate"
    }

    /// The table printed by `joule lifetime`.
    public func table() -> String {
        var lines = [String(format: "sweep over inference rate (closed form, other loads fixed); the ratio tends to E_qnn/E_snn = %.3f as inference dominates", limitRatio),
                     "inferences/h | QNN days | SNN days | SNN/QNN | inference share QNN / SNN | SNN µJ for 1.8× | spike rate for 1.8× | verdict"]
        for p in points {
            let need = p.snnJoulesForTarget.map { String(format: "%15.3f", $0 * 1e6) } ?? "     unreachable"
            let rate = p.spikeRateForTarget.map { String(format: "%19.4f", $0) }
                ?? (p.snnJoulesForTarget != nil && spikeRatesKnown ? "       below silent" : "                  -")
            let busy = p.saturated.isEmpty ? "" : " (MCU saturated: " + p.saturated.map { $0.rawValue.uppercased() }.joined(separator: ", ") + ")"
            lines.append(String(format: "%12.3g | %8.2f | %8.2f | %7.3f | %11.1f %% / %6.1f %% | %@ | %@ | %@",
                                p.inferencesPerHour, p.qnn.lifetimeDays, p.snn.lifetimeDays, p.ratio,
                                p.qnn.inferenceShare * 100, p.snn.inferenceShare * 100, need, rate,
                                Self.verdict(p.ratio) + busy))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
