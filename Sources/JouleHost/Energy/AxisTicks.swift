import Foundation

/// Round axis ticks for the hand-written SVG charts: steps of 1, 2, 2.5 or 5 × 10^k.
enum AxisTicks {
    /// The smallest 1, 2, 2.5 or 5 × 10^k that is ≥ `v`.
    static func niceCeiling(_ v: Double) -> Double {
        let p = pow(10, (log10(max(v, 1e-12))).rounded(.down))
        for m in [1, 2, 2.5, 5, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    /// About five evenly spaced ticks from 0 to `max`.
    static func linear(upTo max: Double) -> [Double] {
        let step = niceCeiling(max / 5)
        return Array(stride(from: 0, through: max + step * 1e-9, by: step))
    }

    /// About five evenly spaced round ticks from 0 through the first tick ≥ `max` (the axis ends
    /// on the last one, so every bar fits under it).
    static func covering(_ max: Double) -> [Double] {
        let step = niceCeiling(Swift.max(max, 1e-12) / 5)
        var ticks = [0.0]
        while ticks.last! < max - step * 1e-9 { ticks.append(Double(ticks.count) * step) }
        return ticks.count > 1 ? ticks : [0, step]
    }

    /// A short label: no decimals for whole numbers.
    static func label(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? String(format: "%.0f", v) : String(format: "%g", v)
    }
}
