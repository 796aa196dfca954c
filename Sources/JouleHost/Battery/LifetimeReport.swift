import Foundation

/// Lifetime of each twin of a workload by both methods, and the text report of `joule lifetime`.
public struct LifetimeReport: Sendable {
    /// One twin's numbers.
    public struct Row: Sendable {
        public var twin: Twin
        /// Closed-form estimate (and breakdown).
        public var budget: PowerBudget
        /// Time-stepped simulation.
        public var simulation: DutyCycleSimulator.Result
        /// Simulator vs closed form: `sim / closed − 1`.
        public var disagreement: Double { simulation.lifetimeSeconds / budget.lifetimeSeconds - 1 }
    }

    public var workload: Workload
    public var energy: InferenceEnergy
    /// One row per twin of the workload that has an energy.
    public var rows: [Row]

    /// Estimates and simulates every twin of `workload` that `energy` prices.
    public init(workload: Workload, energy: InferenceEnergy) throws {
        self.workload = workload
        self.energy = energy
        rows = try workload.twins.compactMap { twin in
            guard let e = energy.joules[twin] else { return nil }
            return Row(twin: twin, budget: PowerBudget(workload: workload, inferenceJoules: e),
                       simulation: try DutyCycleSimulator(workload: workload, inferenceJoules: e).run())
        }
    }

    /// A twin's row.
    public func row(_ twin: Twin) -> Row? { rows.first { $0.twin == twin } }

    /// SNN lifetime over QNN lifetime (simulated), when both ran.
    public var lifetimeRatio: Double? {
        guard let q = row(.qnn), let s = row(.snn) else { return nil }
        return s.simulation.lifetimeSeconds / q.simulation.lifetimeSeconds
    }

    /// Lifetimes, ratio and the average-power breakdown as text.
    public func text() -> String {
        let w = workload, b = w.battery
        var lines = ["workload \(w.name): \(w.description)",
                     String(format: "schedule: %.1f inferences/h (%@), T = %d; battery %.0f mAh × %.0f %% usable at %.2f V, η = %.0f %%",
                            w.schedule.inferencesPerHour, scheduleText(w.schedule), w.model.timesteps,
                            b.capacityCoulombs / BatteryUnits.coulombsPerMilliampHour, b.usableFraction * 100,
                            b.nominalVolts, b.regulatorEfficiency * 100),
                     "energy: \(energy.origin)"]
        if let s = energy.snnSpikeRate, let q = energy.qnnActivity {
            lines.append(String(format: "measured: SNN spike rate %.4f, QNN activity %.4f", s, q))
        }
        lines.append("")
        lines.append("twin | µJ/inference | lifetime (days, simulated) | closed form | sim − closed")
        for r in rows {
            lines.append(String(format: "%@  | %12.3f | %26.3f | %11.3f | %+.4f %%", r.twin.rawValue.uppercased(),
                                r.budget.inferenceJoules * 1e6, r.simulation.lifetimeDays, r.budget.lifetimeDays,
                                r.disagreement * 100))
        }
        if let ratio = lifetimeRatio {
            lines.append(String(format: "SNN/QNN lifetime ratio: %.3f×", ratio))
        }
        lines.append("")
        lines.append("average power at the battery (µW, regulator losses included) and share")
        lines.append("load".padding(toLength: 15, withPad: " ", startingAt: 0)
            + rows.map { " | " + $0.twin.rawValue.uppercased().padding(toLength: 18, withPad: " ", startingAt: 0) }.joined())
        for c in PowerCategory.allCases {
            lines.append(c.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0) + rows.map { r in
                let p = r.budget.batteryWatts[c] ?? 0
                return " | " + String(format: "%9.2f (%5.1f %%)", p * 1e6, r.budget.totalWatts > 0 ? p / r.budget.totalWatts * 100 : 0)
            }.joined())
        }
        lines.append("total".padding(toLength: 15, withPad: " ", startingAt: 0)
            + rows.map { " | " + String(format: "%9.2f          ", $0.budget.totalWatts * 1e6) }.joined())
        return lines.joined(separator: "\n") + "\n"
    }

    func scheduleText(_ s: InferenceSchedule) -> String {
        switch s {
        case .fixed(let r): return String(format: "fixed, every %.2f s", 3600 / max(r, 1e-12))
        case .bursts(let e, let n): return String(format: "%.1f events/h × %d inferences", e, n)
        }
    }
}
