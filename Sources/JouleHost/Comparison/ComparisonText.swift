import Foundation

/// The text of `joule compare`: a short verdict table per model, one sentence on what decides it,
/// and (on request) the per-layer detail.
extension TwinComparison {
    /// A break-even spike rate as a table cell: a percentage, `never` (the SNN costs more even
    /// without spikes) or `always` (the SNN is cheaper even at spike rate 1).
    public static func breakEvenCell(_ m: BreakevenDocument.Measured) -> String {
        switch m.breakEvenKind {
        case "snnNeverCheaper": "never"
        case "snnAlwaysCheaper": "always"
        default: String(format: "%.2f %%", m.breakEvenSpikeRate * 100)
        }
    }

    /// Header lines and the per-board verdict table.
    public func verdictTable() -> String {
        var lines = ["\(model) — \(dataset) test set, \(qnn.images) images, T = \(timesteps)"]
        var acc = String(format: "accuracy: QNN %.2f %%, SNN layer-wise %.2f %%", qnn.accuracy * 100, snn.accuracy * 100)
        if let streaming { acc += String(format: ", SNN streaming %.2f %%", streaming.accuracy * 100) }
        lines.append(acc)
        lines.append(String(format: "measured: SNN spike rate %.2f %%, QNN twin %.2f %% non-zero activations",
                            spikeRate * 100, qnnDensity * 100))
        lines.append(String(format: "battery: workload %@ (%.1f inferences/h), inference priced on each board",
                            workload.name, workload.schedule.inferencesPerHour))
        lines.append("")
        let header = "board".padding(toLength: 28, withPad: " ", startingAt: 0)
            + "QNN µJ".rightAligned(11) + "SNN µJ".rightAligned(11) + "SNN/QNN".rightAligned(9) + "wins".rightAligned(6)
            + "break-even s_r vs paper QNN".rightAligned(29) + "vs own QNN".rightAligned(12)
            + "QNN days".rightAligned(10) + "SNN days".rightAligned(10)
        lines.append(header)
        for b in boards {
            lines.append(b.board.padding(toLength: 28, withPad: " ", startingAt: 0)
                + Self.energyCell(b.qnnMicrojoules).rightAligned(11) + Self.energyCell(b.snnMicrojoules).rightAligned(11)
                + String(format: "%.2f", b.ratio).rightAligned(9) + b.winner.rawValue.uppercased().rightAligned(6)
                + Self.breakEvenCell(b.paper).rightAligned(29) + Self.breakEvenCell(b.twin).rightAligned(12)
                + String(format: "%.2f", b.qnnBattery.lifetimeDays).rightAligned(10)
                + String(format: "%.2f", b.snnBattery.lifetimeDays).rightAligned(10))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Energy in µJ with four significant digits.
    static func energyCell(_ microjoules: Double) -> String {
        microjoules >= 1000 ? String(format: "%.0f", microjoules)
            : microjoules >= 100 ? String(format: "%.1f", microjoules)
            : microjoules >= 10 ? String(format: "%.2f", microjoules) : String(format: "%.3f", microjoules)
    }

    /// Two or three sentences: who wins where, and what decides it.
    public func verdictSentence() -> String {
        let n = boards.count
        // The paper's reference density (the boards' QNN density; the lowest where they differ).
        let paperDensity = boards.map(\.paperSweep.qnnDensity).min() ?? 0
        let rate = String(format: "%.2f %%", spikeRate * 100)
        let density = String(format: "%.2f %%", qnnDensity * 100)
        let snnWins = boards.filter { $0.winner == .snn }.map(\.board)
        let twinBelow = boards.filter { $0.twin.snnSavesEnergy }.count
        let paperBelow = boards.filter { $0.paper.snnSavesEnergy }.count
        let crossings = boards.filter { $0.twin.breakEvenKind == "crossing" }.map(\.twin.breakEvenSpikeRate)
        let never = boards.filter { $0.twin.breakEvenKind == "snnNeverCheaper" }.map(\.board)
        var range: [String] = []
        if let lo = crossings.min(), let hi = crossings.max() {
            range.append(lo == hi ? String(format: "break-even %.2f %%", lo * 100)
                         : String(format: "break-even %.2f–%.2f %%", lo * 100, hi * 100))
        }
        if !never.isEmpty { range.append("never on " + never.joined(separator: ", ")) }
        let twinIsSparse = qnnDensity < 0.5 * paperDensity
        if !twinIsSparse { range.append("the twin has \(density) non-zero activations and skips its zeros") }
        var text: String
        switch snnWins.count {
        case 0: text = "The QNN twin uses less energy per inference on every board."
        case n: text = "The SNN twin uses less energy per inference on every board."
        default: text = "The SNN twin uses less energy on \(snnWins.joined(separator: ", ")); the QNN twin on the other \(n - snnWins.count)."
        }
        text += " What decides it: the SNN's spike rate, \(rate), is \(twinBelow == 0 ? "above" : twinBelow == n ? "below" : "below on \(twinBelow) of \(n) boards and above elsewhere")"
            + " the break-even against this model's own QNN twin\(twinBelow == 0 || twinBelow == n ? " on all \(n) boards" : "")"
            + (range.isEmpty ? "" : " (" + range.joined(separator: "; ") + ")")
            + (twinIsSparse ? ", a twin that is itself sparse (\(density) non-zero activations) and skips its zeros."
                : ".")
        if paperBelow > twinBelow {
            let densities = Set(boards.map { String(format: "%.0f %%", $0.paperSweep.qnnDensity * 100) })
            text += " Against the paper's denser QNN (\(densities.sorted().joined(separator: "/")) non-zero) the same spike rate"
                + " would be below the break-even on \(paperBelow) of \(n) boards: the twin's own sparsity is what the SNN has to beat."
        }
        let disagree = boards.filter { ($0.winner == .snn) != $0.twin.snnSavesEnergy }.map(\.board)
        if !disagree.isEmpty {
            text += " On \(disagree.joined(separator: ", ")) the per-layer totals and the per-synapse break-even disagree"
                + " (the totals count this model's layers, pooling and memory traffic; the break-even one average synapse)."
        }
        return text
    }

    /// Per-layer detail: activity per layer, energy tables per board, break-even sweeps.
    public func detail() -> String {
        var out = "per layer (hidden layers): QNN sparsity, SNN spike rate\n"
        for i in qnn.hiddenLayers {
            out += layerNames[i].padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "%8.2f %%  %9.4f\n", qnn.sparsity(layer: i) * 100, snn.spikeRate(layer: i))
        }
        for b in boards { out += "\n" + b.energy.table() }
        for b in boards {
            out += "\nbreak-even against this model's QNN twin:\n" + b.twinSweep.table()
        }
        return out
    }
}

extension String {
    /// The text broken into lines of at most `width` characters at spaces (a longer word stays whole).
    public func wrapped(width: Int) -> String {
        var lines: [String] = [], line = ""
        for word in split(separator: " ", omittingEmptySubsequences: true) {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// Right-aligned in a field of `n` characters (at least one leading space).
    func rightAligned(_ n: Int) -> String { count >= n ? " " + self : String(repeating: " ", count: n - count) + self }
}
