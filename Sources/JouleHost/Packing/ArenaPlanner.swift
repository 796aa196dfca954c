import JouleCore

/// Plans one mode's arena ahead of time, so the device knows its exact arena size.
///
/// Every buffer (the input; each layer's output, scratch and state — sizes from the core's
/// `BufferRequirements`) gets a 16-byte-aligned offset. Buffers whose live ranges (the core's
/// `Liveness`) overlap never share bytes. Placement is greedy by size, largest first, each at the
/// lowest offset that fits between the already placed buffers it is live with (the strategy of
/// TFLite Micro's greedy planner). The result is a valid plan, not always the optimal one;
/// `lowerBound` gives the largest set of simultaneously live bytes for comparison.
public struct ArenaPlanner {
    public struct Buffer: Equatable, Sendable {
        /// −1 for the model input, else the layer.
        public var layer: Int
        public var role: BufferRole?
        public var bytes: Int
        public var live: LiveRange
        public var offset = 0
    }

    public struct Plan: Equatable, Sendable {
        public var mode: ExecutionMode
        public var arenaBytes: Int
        public var input: ArenaRegion
        /// Per layer: output, scratch and state regions.
        public var layers: [[ArenaRegion]]
        /// Largest sum of buffer bytes live at one time: no plan can be smaller.
        public var lowerBound: Int
        /// Bits per packed activation code (QNN compact plans), 0 for one byte per code.
        public var codeBits: Int = 0
    }

    /// Plans `mode` for `records` (decoded layer records with `lastReader` set). `compact` plans
    /// only the minimum scratch (plain kernels); otherwise layers the vectorised event gather can
    /// run get its larger scratch (`BufferRequirements.fastScratch`). `codeBits` > 0 (QNN only)
    /// sizes the activation outputs for codes bit-packed at that width (`PackedCodes`).
    /// `timesteps`: the streaming state serves runs up to this `T` (`nil`: up to 255).
    public static func plan(_ records: [LayerRecord], inputBytes: Int, mode: ExecutionMode,
                            compact: Bool = false, codeBits: Int = 0, timesteps: Int? = nil) -> Plan {
        let codeBits = mode == .qnn ? codeBits : 0
        let n = records.count
        var buffers: [Buffer] = []
        let lastInputReader = records.lastIndex { $0.inputIndex < 0 } ?? -1
        buffers.append(Buffer(layer: -1, role: nil, bytes: inputBytes,
                              live: Liveness.input(mode: mode, layerCount: n, lastInputReader: lastInputReader)))
        for (i, r) in records.enumerated() {
            let need = BufferRequirements.of(r, mode: mode, codeBits: codeBits, timesteps: timesteps)
            for (role, bytes) in [(BufferRole.output, need.output), (.scratch, need.plannedScratch(compact: compact)), (.state, need.state)] {
                buffers.append(Buffer(layer: i, role: role, bytes: bytes,
                                      live: Liveness.range(role, layer: i, mode: mode, layerCount: n,
                                                           lastReader: r.lastReader)))
            }
        }
        var order = Array(buffers.indices.filter { buffers[$0].bytes > 0 })
        order.sort { (buffers[$0].bytes, -$0) > (buffers[$1].bytes, -$1) }
        var placed: [Int] = []
        var arena = 0
        for b in order {
            let size = PackedFormat.aligned(buffers[b].bytes)
            let conflicts = placed.filter { buffers[$0].live.overlaps(buffers[b].live) }
                .map { (buffers[$0].offset, buffers[$0].offset + PackedFormat.aligned(buffers[$0].bytes)) }
                .sorted { $0.0 < $1.0 }
            var offset = 0
            for (start, end) in conflicts {
                if offset + size <= start { break }
                offset = max(offset, end)
            }
            buffers[b].offset = offset
            placed.append(b)
            arena = max(arena, offset + size)
        }
        var layers = Array(repeating: [ArenaRegion](repeating: ArenaRegion(offset: 0, bytes: 0), count: 3), count: n)
        for buffer in buffers where buffer.layer >= 0 {
            layers[buffer.layer][buffer.role!.rawValue] = ArenaRegion(offset: buffer.bytes > 0 ? buffer.offset : 0,
                                                                     bytes: buffer.bytes)
        }
        var lowerBound = 0
        for time in 0...(n + 1) {
            let live = buffers.filter { $0.live.first <= time && time <= $0.live.last }
            lowerBound = max(lowerBound, live.reduce(0) { $0 + PackedFormat.aligned($1.bytes) })
        }
        return Plan(mode: mode, arenaBytes: arena, input: ArenaRegion(offset: buffers[0].offset, bytes: inputBytes),
                    layers: layers, lowerBound: lowerBound, codeBits: codeBits)
    }
}
