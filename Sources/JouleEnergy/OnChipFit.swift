/// Whether a layer fits the board's on-chip memory, and how many tiles it needs when it does not.
///
/// Working set (bits) of one layer:
/// - classic: weights + input tensor + output tensor (+ membranes, SNN);
/// - dataflow: weights (+ membranes, SNN) — activations live on the NoC, not in PE memory.
/// Tensor widths: QNN codes at the geometry's `inputBits`/`outputBits`; SNN spike maps at 1 bit (the
/// analog input at `inputBits`); membranes at the board's accumulator width.
/// `tiles = ceil(workingSet / capacity)`, at least 1; a layer with `tiles == 1` fits and pays no extra
/// off-chip traffic.
public enum OnChipFit {
    /// Working-set size of the layer on `board` for `twin` (bits).
    public static func workingSetBits(_ geometry: LayerGeometry, twin: Twin,
                                      board: BoardProfile) -> Int {
        let g = geometry
        var bits = g.weightStorageBits
        if twin == .snn {
            bits += g.outputElements * board.memory.accumulatorBits
        }
        if board.family == .classic {
            bits += g.inputElements * g.inputWidth(twin) + g.outputElements * g.outputWidth(twin)
        }
        return bits
    }

    /// Number of on-chip tiles the layer needs: 1 when it fits (also when capacity is 0, meaning
    /// "unbounded"), else `ceil(workingSet / capacityBits)`.
    public static func tiles(_ geometry: LayerGeometry, twin: Twin, board: BoardProfile) -> Int {
        let capacity = board.memory.onChipBytes * 8
        if capacity <= 0 { return 1 }
        let ws = workingSetBits(geometry, twin: twin, board: board)
        let t = (ws + capacity - 1) / capacity
        return t < 1 ? 1 : t
    }
}
