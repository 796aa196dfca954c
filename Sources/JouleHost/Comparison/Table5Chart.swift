import Foundation

/// Table 5 as a picture: for every model and board a group of bars — the paper's SNN/QNN ratio
/// (where it has one), ours paper-style, against the own twin, and counted layer by layer — with
/// the break-even line at 1. Hand-written SVG.
public enum Table5Chart {
    static let series: [(String, String)] = [
        ("paper (CIFAR-10)", "#999999"), ("ours, paper-style", "#4c72b0"),
        ("ours, vs own twin", "#55a868"), ("ours, counted per layer", "#c44e52"),
    ]

    public static func svg(_ table: Table5) -> String {
        var groups: [(label: String, values: [Double?])] = []
        for e in table.entries {
            for b in e.comparison.boards {
                groups.append(("\(e.name) · \(b.board)",
                               [e.paper?.ratios[b.board], b.paper.snnOverQnn, b.twin.snnOverQnn, b.ratio]))
            }
        }
        let barW = 16.0, groupW = barW * Double(series.count) + 22
        let left = 64.0, bottom = 150.0, top = 46.0, legendW = 190.0
        let w = max(560.0, left + Double(groups.count) * groupW + legendW + 20), h = 470.0
        let peak = AxisTicks.covering(max(1.2, groups.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)).last!
        let y = { (v: Double) in h - bottom - v / peak * (h - top - bottom) }
        var doc = SVGDocument(width: w, height: h)
        doc.text(12, 20, "SNN / QNN energy per inference (below 1: the SNN saves energy)", size: 14)
        let ours = Set(table.entries.map { "\($0.comparison.dataset), T = \($0.comparison.timesteps)" }).sorted()
        doc.text(12, 36, "ours: \(ours.joined(separator: "; ")) (test set); paper: Table 5, CIFAR-10, T = 6", size: 11)
        for v in AxisTicks.covering(peak) {
            doc.line(left, y(v), w - legendW, y(v), stroke: "#ddd")
            doc.text(left - 6, y(v) + 4, AxisTicks.label(v), anchor: "end")
        }
        doc.line(left, y(1), w - legendW, y(1), stroke: "#333")
        doc.text(18, (h - bottom + top) / 2, "SNN / QNN", size: 13, anchor: "middle", rotate: -90)
        doc.line(left, h - bottom, w - legendW, h - bottom)
        for (gi, g) in groups.enumerated() {
            let x0 = left + 10 + Double(gi) * groupW
            for (si, v) in g.values.enumerated() {
                guard let v else { continue }
                doc.rect(x0 + Double(si) * barW, y(v), barW - 2, y(0) - y(v), fill: series[si].1)
            }
            doc.text(x0 + groupW / 2, h - bottom + 14, g.label, size: 11, anchor: "end", rotate: -35)
        }
        for (i, s) in series.enumerated() {
            doc.rect(w - legendW + 10, top + Double(i) * 20, 12, 12, fill: s.1)
            doc.text(w - legendW + 28, top + 10 + Double(i) * 20, s.0, size: 12)
        }
        return doc.render()
    }
}
