import Foundation

/// A measured operating point to mark on the break-even plot.
public struct OperatingPoint: Equatable {
    /// Timesteps the model ran with.
    public var timesteps: Int
    /// Measured SNN spike rate `s_r` (0…1).
    public var spikeRate: Double
    /// Label shown beside the marker.
    public var label: String

    /// Creates a point.
    public init(timesteps: Int, spikeRate: Double, label: String = "measured") {
        self.timesteps = timesteps
        self.spikeRate = spikeRate
        self.label = label
    }
}

/// The paper's Figure 9: required SNN sparsity against `T`, one curve per board; the SNN saves
/// energy above a curve. Hand-written SVG.
public enum BreakEvenPlot {
    static let colors = ["#1f3b8c", "#a3201f", "#2c7a2c", "#8a5a00", "#6a2c8a", "#00707a"]

    /// Renders the sweeps (and an optional measured point) as SVG text.
    public static func svg(_ sweeps: [BreakEvenSweep], marker: OperatingPoint? = nil) -> String {
        let w = 760.0, h = 480.0, left = 70.0, right = 30.0, top = 40.0, bottom = 60.0
        var doc = SVGDocument(width: w, height: h)
        let tMax = max(2, sweeps.flatMap { $0.rows.map(\.timesteps) }.max() ?? 2, marker?.timesteps ?? 0)
        var lowest = sweeps.flatMap { $0.rows.map { $0.point.sparsity * 100 } }.min() ?? 0
        if let m = marker { lowest = min(lowest, (1 - m.spikeRate) * 100) }
        let yMin = max(0, (lowest / 10).rounded(.down) * 10)
        let x = { (t: Double) in left + (t - 1) / Double(tMax - 1) * (w - left - right) }
        let y = { (s: Double) in top + (100 - s) / (100 - yMin) * (h - top - bottom) }
        doc.text(w / 2, 24, "Break-even SNN sparsity vs timesteps (SNN saves energy above a curve)",
                 size: 15, anchor: "middle")
        var tick = yMin
        while tick <= 100.0001 {
            doc.line(left, y(tick), w - right, y(tick), stroke: "#ddd")
            doc.text(left - 8, y(tick) + 4, String(format: "%.0f", tick), anchor: "end")
            tick += (100 - yMin) > 40 ? 10 : 5
        }
        for t in 1...tMax {
            doc.line(x(Double(t)), h - bottom, x(Double(t)), h - bottom + 5)
            doc.text(x(Double(t)), h - bottom + 20, "\(t)", anchor: "middle")
        }
        doc.line(left, h - bottom, w - right, h - bottom)
        doc.line(left, top, left, h - bottom)
        doc.text(w / 2, h - 15, "timesteps T", size: 13, anchor: "middle")
        doc.text(20, h / 2, "required sparsity (%)", size: 13, anchor: "middle", rotate: -90)
        for (i, sweep) in sweeps.enumerated() {
            let color = colors[i % colors.count]
            let pts = sweep.rows.map { (x(Double($0.timesteps)), y($0.point.sparsity * 100)) }
            doc.polyline(pts, stroke: color)
            for (row, p) in zip(sweep.rows, pts) {
                doc.circle(p.0, p.1, r: 3.5, fill: color)
                if row.timesteps == tMax || row.timesteps == 6 {
                    doc.text(p.0, p.1 + (i == 0 ? 18 : -8), String(format: "%.1f", row.point.sparsity * 100),
                             size: 11, anchor: "middle", fill: color)
                }
            }
            doc.rect(w - right - 250, h - bottom - 30 - Double(i) * 20, 14, 4, fill: color)
            doc.text(w - right - 230, h - bottom - 24 - Double(i) * 20, sweep.label, size: 12, fill: color)
        }
        if let m = marker {
            let px = x(Double(m.timesteps)), py = y((1 - m.spikeRate) * 100)
            doc.line(px - 7, py - 7, px + 7, py + 7, stroke: "#000", width: 2.5)
            doc.line(px - 7, py + 7, px + 7, py - 7, stroke: "#000", width: 2.5)
            doc.text(px + 10, py - 8, m.label + String(format: " (T=%d, sparsity %.2f %%)", m.timesteps,
                                                      (1 - m.spikeRate) * 100), size: 12)
        }
        return doc.render()
    }
}
