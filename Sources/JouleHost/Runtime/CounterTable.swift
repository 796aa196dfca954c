import JouleCore

/// Renders per-layer event counters as a text table.
public enum CounterTable {
    nonisolated(unsafe) public static let columns: [(String, KeyPath<EventCounters, UInt64>)] = [
        ("dense SOPs", \.denseSynapticOps), ("eff MACs", \.effectiveMACs), ("eff ACs", \.effectiveACs),
        ("in events", \.inputEvents), ("out events", \.outputEvents), ("level sum", \.outputLevelSum),
        ("neuron upd", \.neuronUpdates), ("mem r/w", \.membraneReads), ("weight bits", \.weightReadBits),
        ("act rd bits", \.activationReadBits), ("act wr bits", \.activationWriteBits),
    ]

    public static func render(names: [String], counters: [EventCounters]) -> String {
        let widths = columns.map { max(11, $0.0.count) }
        var out = pad("layer", 12)
        for (k, c) in columns.enumerated() { out += lpad(c.0, widths[k] + 1) }
        out += "\n"
        var total = EventCounters()
        for (name, c) in zip(names, counters) {
            total.add(c)
            out += row(name, c, widths)
        }
        out += row("total", total, widths)
        return out
    }

    static func row(_ name: String, _ c: EventCounters, _ widths: [Int]) -> String {
        var line = pad(name, 12)
        for (k, col) in columns.enumerated() { line += lpad("\(c[keyPath: col.1])", widths[k] + 1) }
        return line + "\n"
    }
}
