/// Which twin ran: the quantized network (one pass) or the spiking one (`T` timesteps).
public enum Twin: UInt8, Sendable {
    /// Quantized neural network: activations are `ceil(log2(T+1))`-bit codes, one pass.
    case qnn
    /// Spiking neural network: rate-coded spikes over `T` timesteps.
    case snn
}

/// Everything the energy model needs about one layer of one inference: its geometry, the twin that
/// ran, the number of timesteps `T` the twins are built for, and the events counted.
public struct LayerWorkload: Equatable, Sendable {
    /// Layer shape and data widths.
    public var geometry: LayerGeometry
    /// The twin that produced `events`.
    public var twin: Twin
    /// Timesteps `T` (the QNN twin has `T+1` activation levels); at least 1.
    public var timesteps: Int
    /// Events counted by the core for this layer.
    public var events: EventCounters

    /// Creates a workload.
    public init(geometry: LayerGeometry, twin: Twin, timesteps: Int, events: EventCounters) {
        self.geometry = geometry
        self.twin = twin
        self.timesteps = timesteps
        self.events = events
    }
}

/// Activation width of the QNN twin of a `T`-step SNN.
public enum ActivationBits {
    /// `ceil(log2(T+1))`: the bits needed for `T+1` levels (T = 1 → 1, T = 6 → 3, T = 16 → 5).
    /// Returns 0 for `T ≤ 0`.
    @inlinable
    public static func forTimesteps(_ timesteps: Int) -> Int {
        if timesteps <= 0 { return 0 }
        var bits = 0
        var levels = 1
        while levels < timesteps + 1 {
            levels *= 2
            bits += 1
        }
        return bits
    }
}
