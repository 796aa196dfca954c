import JouleCore
import JouleEnergy

/// Glue from a packed model and the core's per-layer counters to the energy model's workloads.
public enum ModelWorkloads {
    /// One workload per layer for a run in `mode` with `counters`.
    public static func workloads(_ file: PackedModelFile, mode: ExecutionMode, timesteps: Int,
                                 counters: [EventCounters]) -> [LayerWorkload] {
        (0..<file.model.layerCount).map { i in
            LayerWorkload(geometry: file.model.geometry(layer: i, timesteps: timesteps),
                          twin: mode == .qnn ? .qnn : .snn, timesteps: timesteps, events: counters[i])
        }
    }
}
