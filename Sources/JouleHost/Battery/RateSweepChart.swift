import Foundation

/// SVG of a `RateSweep`: the SNN/QNN lifetime ratio (left axis) and the QNN's inference share of the
/// drain (right axis, %) against the inference rate (log axis), with the workload's own rate marked.
public enum RateSweepChart {
    public static func svg(_ sweep: RateSweep) -> String {
        let w = 760.0, h = 480.0, left = 70.0, right = 70.0, top = 60.0, bottom = 60.0
        var doc = SVGDocument(width: w, height: h)
        let pts = sweep.points
        guard let first = pts.first, let last = pts.last else { return doc.render() }
        let lx0 = log10(first.inferencesPerHour), lx1 = log10(last.inferencesPerHour)
        let yMax = max(2.0, ((pts.map(\.ratio).max() ?? 1) * 1.1 * 4).rounded(.up) / 4)
        let yMin = min(1.0, ((pts.map(\.ratio).min() ?? 1) * 4).rounded(.down) / 4)
        let x = { (r: Double) in left + (log10(r) - lx0) / (lx1 - lx0) * (w - left - right) }
        let y = { (v: Double) in top + (yMax - v) / (yMax - yMin) * (h - top - bottom) }
        let ys = { (share: Double) in top + (1 - share) * (h - top - bottom) }
        doc.text(w / 2, 22, "SNN/QNN battery lifetime vs inference rate — \(sweep.workload.name)", size: 15, anchor: "middle")
        doc.text(w / 2, 42, String(format: "closed form; the ratio tends to E_qnn/E_snn = %.2f as inference dominates", sweep.limitRatio),
                 size: 12, anchor: "middle", fill: "#555")
        var tick = yMin
        while tick <= yMax + 1e-9 {
            doc.line(left, y(tick), w - right, y(tick), stroke: "#e4e4e4")
            doc.text(left - 8, y(tick) + 4, String(format: "%.2f", tick), anchor: "end")
            tick += yMax - yMin > 2 ? 0.5 : 0.25
        }
        for s in stride(from: 0.0, through: 1, by: 0.25) {
            doc.text(w - right + 8, ys(s) + 4, String(format: "%.0f %%", s * 100), fill: "#2c7a2c")
        }
        for d in Int(lx0.rounded(.up))...Int(lx1.rounded(.down)) {
            doc.line(x(pow(10, Double(d))), h - bottom, x(pow(10, Double(d))), h - bottom + 5)
            doc.text(x(pow(10, Double(d))), h - bottom + 20, AxisTicks.label(pow(10, Double(d))), anchor: "middle")
        }
        doc.line(left, h - bottom, w - right, h - bottom)
        doc.line(left, top, left, h - bottom)
        doc.line(w - right, top, w - right, h - bottom, stroke: "#2c7a2c")
        doc.text(w / 2, h - 15, "inferences per hour (log)", size: 13, anchor: "middle")
        doc.text(20, (top + h - bottom) / 2, "SNN / QNN lifetime", size: 13, anchor: "middle", rotate: -90)
        doc.text(w - 12, (top + h - bottom) / 2, "inference share of QNN drain", size: 13, anchor: "middle",
                 fill: "#2c7a2c", rotate: 90)
        for (level, label) in [(RateSweep.target, "nearly double (1.8×)"), (RateSweep.negligible, "negligible (< 1.05×)")]
            where level <= yMax && level >= yMin {
            doc.line(left, y(level), w - right, y(level), stroke: "#888", dash: "6 4")
            doc.text(left + 6, y(level) - 5, label, size: 11, fill: "#555")
        }
        doc.polyline(pts.map { (x($0.inferencesPerHour), ys($0.qnn.inferenceShare)) }, stroke: "#2c7a2c", width: 1.5)
        doc.polyline(pts.map { (x($0.inferencesPerHour), y($0.ratio)) }, stroke: "#a3201f")
        for p in pts { doc.circle(x(p.inferencesPerHour), y(p.ratio), r: 3, fill: p.saturated.isEmpty ? "#a3201f" : "#bbb") }
        let rate = sweep.workload.schedule.inferencesPerHour
        if rate >= first.inferencesPerHour && rate <= last.inferencesPerHour {
            doc.line(x(rate), top, x(rate), h - bottom, stroke: "#1f3b8c", dash: "2 3")
            doc.text(x(rate) + 4, top + 12, String(format: "this workload: %.3g/h", rate), size: 11, fill: "#1f3b8c")
        }
        return doc.render()
    }
}
