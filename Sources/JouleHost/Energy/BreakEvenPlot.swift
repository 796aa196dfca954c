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
/// energy above a curve. Hand-written SVG. Every series has its own colour, dash pattern and
/// marker shape, so curves that coincide stay visible; values are given in the legend (at the
/// measured point's `T`, else the paper's T = 6), never as labels on the curves.
public enum BreakEvenPlot {
    static let colors = ["#1f3b8c", "#a3201f", "#2c7a2c", "#8a5a00", "#6a2c8a", "#00707a"]
    static let dashes: [String?] = [nil, "8 4", "2 3", "10 3 2 3", "5 2", "1 3"]
    /// The paper's T, whose break-even the legend quotes when no measured point is given.
    static let paperTimesteps = 6

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
        let every = (tMax + 15) / 16  // at most 16 labelled ticks
        for t in 1...tMax where t == 1 || t % every == 0 {
            doc.line(x(Double(t)), h - bottom, x(Double(t)), h - bottom + 5)
            doc.text(x(Double(t)), h - bottom + 20, "\(t)", anchor: "middle")
        }
        doc.line(left, h - bottom, w - right, h - bottom)
        doc.line(left, top, left, h - bottom)
        doc.text(w / 2, h - 15, "timesteps T", size: 13, anchor: "middle")
        doc.text(20, h / 2, "required sparsity (%)", size: 13, anchor: "middle", rotate: -90)
        let quoted = marker?.timesteps ?? min(paperTimesteps, tMax)
        let shapes = SVGDocument.MarkerShape.allCases
        let legendTop = h - bottom - 30 - Double(sweeps.count - 1) * 20
        for (i, sweep) in sweeps.enumerated() {
            let color = colors[i % colors.count], shape = shapes[i % shapes.count]
            let pts = sweep.rows.map { (x(Double($0.timesteps)), y($0.point.sparsity * 100)) }
            doc.polyline(pts, stroke: color, width: 1.8, dash: dashes[i % dashes.count])
            for p in pts { doc.marker(shape, p.0, p.1, size: 7, fill: color) }
            let ly = legendTop + Double(i) * 20
            doc.line(w - right - 330, ly, w - right - 300, ly, stroke: color, width: 1.8, dash: dashes[i % dashes.count])
            doc.marker(shape, w - right - 315, ly, size: 7, fill: color)
            let value = sweep.rows.first { $0.timesteps == quoted }.map {
                String(format: " — %.1f %% at T = %d", $0.point.sparsity * 100, quoted)
            } ?? ""
            doc.text(w - right - 292, ly + 4, sweep.label + value, size: 12, fill: color)
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
