import JouleCore

/// The paper's spike rate `s_r` = total spikes / (neurons × T), over the hidden (code-producing)
/// layers. For a QNN it is Σ codes / (neurons × T): the spike rate its layer-wise SNN twin has.
/// Activation sparsity (NeuroBench) is 1 − non-zero outputs / neurons.
public enum ActivityRate {
    public static func of(_ model: PackedModel, counters: [EventCounters], timesteps: Int) -> Double {
        var spikes: UInt64 = 0, neurons = 0
        for i in 0..<model.layerCount where model.layer(i).activation == .quant {
            spikes += counters[i].outputLevelSum
            neurons += model.layer(i).outputCount
        }
        return Double(spikes) / Double(max(1, neurons * timesteps))
    }

    /// Fraction of hidden neurons whose output is zero (QNN) or that never spiked (SNN layer-wise).
    public static func sparsity(_ model: PackedModel, counters: [EventCounters]) -> Double {
        var active: UInt64 = 0, neurons = 0
        for i in 0..<model.layerCount where model.layer(i).activation == .quant {
            active += counters[i].outputEvents
            neurons += model.layer(i).outputCount
        }
        return 1 - Double(active) / Double(max(1, neurons))
    }
}
