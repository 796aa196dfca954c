import Foundation

/// SVG of the remaining battery charge over time, one line per twin (from the simulator's samples).
public enum ChargeChart {
    static let colors: [Twin: String] = [.qnn: "#1f3b8c", .snn: "#a3201f"]

    /// Renders `report`'s simulations: x = days since full, y = usable charge left (%).
    public static func svg(_ report: LifetimeReport) -> String {
        let w = 760.0, h = 460.0, left = 70.0, right = 30.0, top = 60.0, bottom = 60.0
        var doc = SVGDocument(width: w, height: h)
        let days = max(1e-9, report.rows.map(\.simulation.lifetimeDays).max() ?? 1)
        let xMax = AxisTicks.niceCeiling(days)
        let x = { (d: Double) in left + d / xMax * (w - left - right) }
        let y = { (p: Double) in top + (100 - p) / 100 * (h - top - bottom) }
        doc.text(w / 2, 22, "Battery charge over time — \(report.workload.name)", size: 15, anchor: "middle")
        doc.text(w / 2, 42, String(format: "%.1f inferences/h, %@", report.workload.schedule.inferencesPerHour,
                                   report.workload.board), size: 12, anchor: "middle", fill: "#555")
        for p in stride(from: 0.0, through: 100, by: 20) {
            doc.line(left, y(p), w - right, y(p), stroke: "#ddd")
            doc.text(left - 8, y(p) + 4, String(format: "%.0f", p), anchor: "end")
        }
        for d in AxisTicks.linear(upTo: xMax) {
            doc.line(x(d), h - bottom, x(d), h - bottom + 5)
            doc.text(x(d), h - bottom + 20, AxisTicks.label(d), anchor: "middle")
        }
        doc.line(left, h - bottom, w - right, h - bottom)
        doc.line(left, top, left, h - bottom)
        doc.text(w / 2, h - 15, "days since full", size: 13, anchor: "middle")
        doc.text(20, (top + h - bottom) / 2, "usable charge left (%)", size: 13, anchor: "middle", rotate: -90)
        let full = report.workload.battery.usableCoulombs
        for (i, r) in report.rows.enumerated() {
            let color = colors[r.twin] ?? "#000"
            let pts = r.simulation.samples.map { (x($0.seconds / BatteryUnits.secondsPerDay), y($0.coulombs / full * 100)) }
            doc.polyline(pts, stroke: color)
            let label = String(format: "%@: %.2f days", r.twin.rawValue.uppercased(), r.simulation.lifetimeDays)
            doc.line(w - right - 190, top + 14 + 20 * Double(i), w - right - 160, top + 14 + 20 * Double(i), stroke: color, width: 3)
            doc.text(w - right - 152, top + 18 + 20 * Double(i), label, size: 12)
        }
        return doc.render()
    }
}
