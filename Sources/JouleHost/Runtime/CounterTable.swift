import JouleCore

/// Renders per-layer event counters as a text table.
public enum CounterTable {
    nonisolated(unsafe) public static let columns: [(String, KeyPath<EventCounters, UInt64>)] = [
        ("dense SOPs", \.denseSynapticOps), ("eff MACs", \.effectiveMACs), ("eff ACs", \.effectiveACs),
        ("in events", \.inputEvents), ("out events", \.outputEvents), ("level sum", \.outputLevelSum),
        ("neuron upd", \.neuronUpdates), ("mem r/w", \.membraneReads), ("weight bits", \.weightReadBits),
        ("act rd bits", \.activationReadBits), ("act wr bits", \.activationWriteBits),
    ]
    /// Shown only when some layer leaked (leaky neurons).
    nonisolated(unsafe) public static let leakColumn: (String, KeyPath<EventCounters, UInt64>) = ("leak upd", \.leakUpdates)

    public static func render(names: [String], counters: [EventCounters]) -> String {
        var total = EventCounters()
        for c in counters { total.add(c) }
        let shown = total.leakUpdates > 0 ? columns + [leakColumn] : columns
        let widths = shown.map { max(11, $0.0.count) }
        var out = pad("layer", 12)
        for (k, c) in shown.enumerated() { out += lpad(c.0, widths[k] + 1) }
        out += "\n"
        for (name, c) in zip(names, counters) { out += row(name, c, shown, widths) }
        out += row("total", total, shown, widths)
        return out
    }

    static func row(_ name: String, _ c: EventCounters, _ shown: [(String, KeyPath<EventCounters, UInt64>)],
                    _ widths: [Int]) -> String {
        var line = pad(name, 12)
        for (k, col) in shown.enumerated() { line += lpad("\(c[keyPath: col.1])", widths[k] + 1) }
        return line + "\n"
    }
}
