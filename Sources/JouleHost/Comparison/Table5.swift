import Foundation

/// Paper 1's Table 5 reproduced on Joule's trained twins: for each model its accuracy, sparsity and
/// spike rate, and its SNN/QNN energy ratio on every board three ways —
/// - `paperStyle`: the paper's per-synapse model, SNN at the measured spike rate against a QNN at the
///   board's reference density (how the paper prices its twins);
/// - `ownTwin`: the same model against the QNN twin's measured density;
/// - `counted`: both twins priced layer by layer from the events their runs counted.
/// Beside them, the paper's CIFAR-10 values (`PaperTable5`) where it has a row for the model.
public struct Table5 {
    public struct Entry {
        /// The model's name (file stem), which finds its paper row.
        public var name: String
        public var comparison: TwinComparison
        public var paper: PaperTable5Row? { PaperTable5.row(forModel: name) }

        public init(name: String, comparison: TwinComparison) {
            self.name = name
            self.comparison = comparison
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The model name a path stands for: its file name without folder and extension.
    public static func modelName(path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// The table as text: one line per board, the paper's row above each model that has one.
    public func text() -> String {
        func pct(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "—" }
        func ratio(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "—" }
        let head = "network".padding(toLength: 22, withPad: " ", startingAt: 0)
            + "data".padding(toLength: 22, withPad: " ", startingAt: 0)
            + "accuracy".rightAligned(9) + "sparsity".rightAligned(10) + "s_r".rightAligned(8) + "  "
            + "board".padding(toLength: 28, withPad: " ", startingAt: 0)
            + "paper".rightAligned(7) + "paper-style".rightAligned(13) + "own twin".rightAligned(10)
            + "counted".rightAligned(9)
        var lines = ["SNN/QNN energy per inference (T as stated); paper: Table 5 of paper 1 (CIFAR-10);",
                     "ours: paper-style = SNN at the measured spike rate vs the board's reference QNN density,",
                     "own twin = vs the QNN twin's measured density, counted = layer by layer from the runs' events",
                     "", head, String(repeating: "-", count: head.count)]
        func boardNames(_ e: Entry) -> [String] { e.comparison.boards.map(\.board) }
        let blank = 22 + 22 + 9 + 10 + 8
        for e in entries {
            let c = e.comparison
            if let p = e.paper {
                for (i, b) in boardNames(e).enumerated() {
                    let left = i == 0
                        ? "\(p.network) [paper]".padding(toLength: 22, withPad: " ", startingAt: 0)
                            + "\(p.dataset), T=\(p.timesteps)".padding(toLength: 22, withPad: " ", startingAt: 0)
                            + pct(p.accuracy).rightAligned(9) + pct(p.sparsity).rightAligned(10) + "—".rightAligned(8)
                        : String(repeating: " ", count: blank)
                    lines.append(left + "  " + b.padding(toLength: 28, withPad: " ", startingAt: 0)
                                 + ratio(p.ratios[b]).rightAligned(7))
                }
            }
            for (i, b) in c.boards.enumerated() {
                let left = i == 0
                    ? e.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + "\(c.dataset), T=\(c.timesteps)".padding(toLength: 22, withPad: " ", startingAt: 0)
                        + pct(c.qnn.accuracy).rightAligned(9) + pct(c.qnn.sparsity).rightAligned(10)
                        + pct(c.spikeRate).rightAligned(8)
                    : String(repeating: " ", count: blank)
                lines.append(left + "  " + b.board.padding(toLength: 28, withPad: " ", startingAt: 0)
                             + "".rightAligned(7) + ratio(b.paper.snnOverQnn).rightAligned(13)
                             + ratio(b.twin.snnOverQnn).rightAligned(10) + ratio(b.ratio).rightAligned(9))
            }
            if c.snn.accuracy != c.qnn.accuracy {
                lines.append(String(format: "  (%@: SNN layer-wise accuracy %.2f %% differs from the QNN's)",
                                    e.name, c.snn.accuracy * 100))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
