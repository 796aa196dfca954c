import Foundation
import JouleEnergy

/// Energy of one layer for both twins (pJ).
public struct LayerEnergyRow: Equatable {
    /// Layer label for tables and charts (e.g. "conv1").
    public var name: String
    /// QNN twin's energy.
    public var qnn: EnergyBreakdown
    /// SNN twin's energy.
    public var snn: EnergyBreakdown
}

/// Per-layer and total energy of a model's two twins on one board, from the counters of real runs.
public struct ModelEnergyReport: Equatable {
    /// Board name as given by the user or the board file.
    public var boardName: String
    /// One row per layer, in model order.
    public var layers: [LayerEnergyRow]
    /// Sums over the layers (pJ).
    public var qnnTotal: EnergyBreakdown, snnTotal: EnergyBreakdown

    /// SNN energy over QNN energy (the paper's ratio; < 1 means the SNN saves energy).
    public var ratio: Double { qnnTotal.total == 0 ? .nan : snnTotal.total / qnnTotal.total }

    /// Prices every layer of both twins on `board`.
    /// - Parameters:
    ///   - names: layer labels; missing ones become "layer i".
    ///   - qnn, snn: the same model's layers run as QNN and as SNN (equal counts; extra layers of the
    ///     longer list are ignored).
    public init(boardName: String, board: BoardProfile, names: [String],
                qnn: [LayerWorkload], snn: [LayerWorkload]) {
        self.boardName = boardName
        var rows: [LayerEnergyRow] = []
        var q = EnergyBreakdown(), s = EnergyBreakdown()
        for i in 0..<min(qnn.count, snn.count) {
            let eq = LayerEnergyModel.energy(of: qnn[i], on: board)
            let es = LayerEnergyModel.energy(of: snn[i], on: board)
            q.add(eq)
            s.add(es)
            rows.append(LayerEnergyRow(name: i < names.count ? names[i] : "layer \(i)", qnn: eq, snn: es))
        }
        layers = rows
        qnnTotal = q
        snnTotal = s
    }

    /// Plain-text table: per layer, each twin's total and parts in nJ, then totals and the ratio.
    public func table() -> String {
        func nj(_ pj: Double) -> String { String(format: "%.3f", pj / 1000) }
        var lines = ["board \(boardName) — energy per inference in nJ (compute / on-chip / off-chip / NoC)"]
        lines.append("layer".padding(toLength: 12, withPad: " ", startingAt: 0)
            + " | QNN total | SNN total | SNN/QNN | QNN parts | SNN parts")
        func row(_ name: String, _ q: EnergyBreakdown, _ s: EnergyBreakdown) -> String {
            let r = q.total == 0 ? "-" : String(format: "%.3f", s.total / q.total)
            return name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + " | " + nj(q.total) + " | " + nj(s.total) + " | " + r
                + " | " + [q.compute, q.onChipMemory, q.offChipMemory, q.network].map(nj).joined(separator: "/")
                + " | " + [s.compute, s.onChipMemory, s.offChipMemory, s.network].map(nj).joined(separator: "/")
        }
        for l in layers { lines.append(row(l.name, l.qnn, l.snn)) }
        lines.append(row("total", qnnTotal, snnTotal))
        return lines.joined(separator: "\n") + "\n"
    }
}
