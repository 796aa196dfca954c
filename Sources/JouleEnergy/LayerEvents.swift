/// Energy events one layer performed during one inference: a field-for-field copy of the core's
/// `EventCounters`, so that this library needs no dependency on the core (the host glue copies
/// them over; a device can fill it directly).
///
/// Every field is a count of events that happened. Field meanings (from the core's contract):
/// - *QNN* is one pass with activation codes `0…L`; *SNN* is `T` timesteps of spikes.
/// - A *visit* of an input is one use of one input value by a kernel. Padding is never visited.
/// - Bits are counted at the data's width: activation codes at `ceil(log2(T+1))` bits, the analog
///   first-layer input at 8 bits, spikes at 1 bit, weights at the layer's weight width.
public struct LayerEvents: Equatable, Sendable {
    /// NeuroBench dense synaptic operations (every input non-zero, padding excluded; × T in SNN mode
    /// for spike-fed layers). Pooling: one per window element. Not priced; kept for reports.
    public var denseSynapticOps: UInt64 = 0
    /// Non-zero multi-valued input × non-zero weight pairs: QNN, every weighted layer; SNN, only the
    /// first (analog-input) layer, multiplied once.
    public var effectiveMACs: UInt64 = 0
    /// Input spike × non-zero weight accumulations over all timesteps (SNN only). Pooling: one
    /// accumulation per spike per window.
    public var effectiveACs: UInt64 = 0
    /// Non-zero inputs processed: QNN, non-zero input values (once each); SNN, input spikes over all
    /// timesteps.
    public var inputEvents: UInt64 = 0
    /// Outputs emitted as events: QNN, non-zero output codes; SNN, spikes over all timesteps. On a
    /// network-on-chip each is one packet.
    public var outputEvents: UInt64 = 0
    /// Σ output levels: QNN, Σ codes; SNN, total spikes.
    public var outputLevelSum: UInt64 = 0
    /// Output neuron evaluations: QNN, one requantisation per neuron; SNN, one
    /// integrate-compare-(fire) step per neuron per timestep.
    public var neuronUpdates: UInt64 = 0
    /// Membrane potential reads (SNN: one per neuron update; QNN: 0).
    public var membraneReads: UInt64 = 0
    /// Membrane potential writes (SNN: one per neuron update; QNN: 0).
    public var membraneWrites: UInt64 = 0
    /// Weight bits fetched by the kernel (per non-zero input visit or input spike, zero weights included).
    public var weightReadBits: UInt64 = 0
    /// Activation bits read by the kernel (per visit of a non-zero input, or per spike event scanned).
    public var activationReadBits: UInt64 = 0
    /// Activation bits written (QNN: every output code; SNN: one spike bit per neuron per timestep).
    public var activationWriteBits: UInt64 = 0
    /// Compulsory input traffic in bits (input tensor once, or a 1-bit spike map per timestep).
    public var inputTrafficBits: UInt64 = 0
    /// Compulsory output traffic in bits (output tensor once, or a spike map per timestep; final
    /// scores at 32 bits).
    public var outputTrafficBits: UInt64 = 0

    /// All counts zero.
    public init() {}

    /// Adds every field of `other` into `self` (wrapping, like the core's counters).
    public mutating func add(_ other: LayerEvents) {
        denseSynapticOps &+= other.denseSynapticOps
        effectiveMACs &+= other.effectiveMACs
        effectiveACs &+= other.effectiveACs
        inputEvents &+= other.inputEvents
        outputEvents &+= other.outputEvents
        outputLevelSum &+= other.outputLevelSum
        neuronUpdates &+= other.neuronUpdates
        membraneReads &+= other.membraneReads
        membraneWrites &+= other.membraneWrites
        weightReadBits &+= other.weightReadBits
        activationReadBits &+= other.activationReadBits
        activationWriteBits &+= other.activationWriteBits
        inputTrafficBits &+= other.inputTrafficBits
        outputTrafficBits &+= other.outputTrafficBits
    }
}
