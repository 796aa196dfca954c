import Foundation
import JouleEnergy

/// Stacked bars of a `ModelEnergyReport`: for every layer (and the total) a QNN bar and an SNN bar,
/// each split into compute, on-chip, off-chip and NoC energy. Hand-written SVG.
public enum EnergyBreakdownChart {
    static let parts: [(String, String, @Sendable (EnergyBreakdown) -> Double)] = [
        ("compute", "#4c72b0", { $0.compute }), ("on-chip memory", "#55a868", { $0.onChipMemory }),
        ("off-chip memory", "#c44e52", { $0.offChipMemory }), ("network-on-chip", "#8172b2", { $0.network }),
    ]

    /// Renders the report as SVG text (layer bars on one scale; totals in the title).
    public static func svg(_ report: ModelEnergyReport) -> String {
        let groups = report.layers.map { ($0.name, $0.qnn, $0.snn) }
        let w = max(520.0, 110.0 + Double(groups.count) * 56.0 + 160), h = 440.0
        let left = 80.0, bottom = 80.0, top = 50.0, legendW = 150.0
        var doc = SVGDocument(width: w, height: h)
        doc.text(12, 20, "Energy per inference on \(report.boardName)", size: 14)
        doc.text(12, 38, String(format: "SNN / QNN = %.3f  (SNN %.1f nJ, QNN %.1f nJ)", report.ratio,
                                report.snnTotal.total / 1000, report.qnnTotal.total / 1000), size: 12)
        let ticks = AxisTicks.covering(max(1e-9, groups.map { max($0.1.total, $0.2.total) }.max() ?? 1) / 1000)
        let peak = ticks.last!
        let y = { (nj: Double) in h - bottom - nj / peak * (h - top - bottom) }
        for v in ticks {
            doc.line(left, y(v), w - legendW, y(v), stroke: "#ddd")
            doc.text(left - 6, y(v) + 4, AxisTicks.label(v), anchor: "end")
        }
        doc.text(18, (h - bottom + top) / 2, "energy (nJ)", size: 13, anchor: "middle", rotate: -90)
        doc.line(left, h - bottom, w - legendW, h - bottom)
        for (gi, g) in groups.enumerated() {
            let x0 = left + 12 + Double(gi) * 56
            for (bi, b) in [g.1, g.2].enumerated() {
                var base = 0.0
                let bx = x0 + Double(bi) * 22
                for part in parts {
                    let v = part.2(b) / 1000
                    if v > 0 { doc.rect(bx, y(base + v), 20, y(base) - y(base + v), fill: part.1) }
                    base += v
                }
                doc.text(bx + 10, h - bottom + 12, bi == 0 ? "Q" : "S", size: 10, anchor: "middle")
            }
            doc.text(x0 + 21, h - bottom + 26, g.0, size: 11, anchor: "end", rotate: -40)
        }
        for (i, part) in parts.enumerated() {
            doc.rect(w - legendW + 10, top + Double(i) * 20, 12, 12, fill: part.1)
            doc.text(w - legendW + 28, top + 10 + Double(i) * 20, part.0, size: 12)
        }
        doc.text(w - legendW + 10, top + 100, "Q = QNN, S = SNN", size: 11)
        return doc.render()
    }
}
