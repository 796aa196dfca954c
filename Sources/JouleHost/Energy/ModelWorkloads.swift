import JouleCore
import JouleEnergy

/// Glue from a packed model and the core's per-layer counters to the energy model's workloads.
public enum ModelWorkloads {
    /// The energy model's geometry of layer `i` at `T` (weight counts read from the file).
    public static func geometry(_ file: PackedModelFile, layer i: Int, timesteps: Int) -> LayerGeometry {
        let r = file.model.layer(i)
        var nonZero = 0
        for row in 0..<r.rowCount {
            nonZero += Int(file.model.view.u32(r.rowCountsOffset + 4 * row)!)
        }
        let codeBits = Requantize.codeBits(timesteps: timesteps)
        var g = LayerGeometry(kind: r.kind, inC: r.inC, inH: r.inH, inW: r.inW, outC: r.outC, outH: r.outH, outW: r.outW,
                             kernelH: r.kind == .linear ? 1 : r.kernelH, kernelW: r.kind == .linear ? 1 : r.kernelW,
                             stride: max(1, r.strideH), padding: r.padH, weightBits: r.weightBits,
                             weightCount: r.rowCount * r.outC, nonZeroWeightCount: nonZero,
                             inputBits: r.readsModelInput ? 8 : codeBits,
                             outputBits: r.activation == .none ? 32 : codeBits, analogInput: r.readsModelInput,
                             emitsScores: r.activation == .none)
        g.leakBits = r.neuron.leakShift
        return g
    }

    /// One workload per layer for a run in `mode` with `counters`.
    public static func workloads(_ file: PackedModelFile, mode: ExecutionMode, timesteps: Int,
                                 counters: [EventCounters]) -> [LayerWorkload] {
        (0..<file.model.layerCount).map { i in
            LayerWorkload(geometry: geometry(file, layer: i, timesteps: timesteps),
                          twin: mode == .qnn ? .qnn : .snn, timesteps: timesteps, events: counters[i])
        }
    }
}
