/// Energy events that one layer's kernels really performed during one inference.
///
/// Every field is a 64-bit count of events that happened, never an estimate; the energy model
/// (`JouleEnergy`) turns them into joules afterwards. Definitions follow NeuroBench where it has
/// one (synaptic operations, activation sparsity); the rest are documented field by field.
///
/// Conventions:
/// - *QNN* means one pass with activation codes `0…L`; *SNN* means `T` timesteps of spikes.
/// - A *visit* of an input is one use of one input value by a kernel (a 3×3 convolution visits an
///   interior input 9 times). Padding is never visited.
/// - Bits are counted at the width the data has in the model: activation codes at
///   `ceil(log2(T+1))` bits, the analog first-layer input at 8 bits, spikes at 1 bit, weights at
///   the layer's weight width (8 or 4).
public struct EventCounters: Equatable, Sendable {
    /// NeuroBench `Dense` synaptic operations: every (input, weight) pair the layer connects, as if
    /// every input were non-zero, padding excluded; multiplied by `T` in SNN mode for layers fed
    /// by spikes (each timestep counts). Bias excluded. Pooling counts one operation per window
    /// element.
    public var denseSynapticOps: UInt64 = 0
    /// NeuroBench `Effective_MACs`: (non-zero multi-valued input × non-zero weight) pairs. In QNN
    /// mode every weighted layer; in SNN mode only the first layer, whose direct (analog) input is
    /// multiplied once and then integrated as a constant current for `T` steps.
    public var effectiveMACs: UInt64 = 0
    /// NeuroBench `Effective_ACs`: (input spike × non-zero weight) accumulations, summed over all
    /// timesteps (SNN). Also counted here, in both modes, are the additions that are not
    /// multiplications: one per input value (QNN: non-zero code; SNN: spike) per pooling window it
    /// falls in (an add for average, a compare for max pooling), and one per residual input
    /// (QNN: non-zero code; SNN: spike) added to a pre-activation / membrane.
    public var effectiveACs: UInt64 = 0
    /// Non-zero inputs the kernel processed: QNN, non-zero input values (each counted once, not per
    /// visit); SNN, input spikes received, summed over timesteps.
    public var inputEvents: UInt64 = 0
    /// Outputs the layer emitted as events: QNN, non-zero output codes; SNN, spikes emitted over all
    /// timesteps. On a network-on-chip each is one packet.
    public var outputEvents: UInt64 = 0
    /// Sum of output levels: QNN, Σ codes; SNN, total spikes (equal to `outputEvents`).
    /// `outputLevelSum / (outputNeurons · T)` is the spike rate `s_r` of the paper.
    public var outputLevelSum: UInt64 = 0
    /// Output neurons evaluated: QNN, one requantisation per output neuron; SNN, one
    /// integrate-compare-(fire) step per neuron per timestep.
    public var neuronUpdates: UInt64 = 0
    /// Membrane potential reads (SNN: one per neuron update; QNN: 0).
    public var membraneReads: UInt64 = 0
    /// Membrane potential writes (SNN: one per neuron update; QNN: 0).
    public var membraneWrites: UInt64 = 0
    /// Weight bits fetched by the kernel: for every non-zero input visit (QNN) or input spike (SNN)
    /// the kernel reads the weight row it multiplies, zero weights included.
    public var weightReadBits: UInt64 = 0
    /// Activation bits read by the kernel. QNN: one read per visit (every valid kernel tap or
    /// pooling-window element, zero or not: the kernel must load a value to skip it) at the input's
    /// bit width, plus the residual tensor once. SNN: the input spike map scanned once per timestep
    /// (1 bit per neuron; the analog first layer reads its input bytes once, per visit), plus the
    /// residual spike map per timestep.
    public var activationReadBits: UInt64 = 0
    /// Activation bits written: QNN, every output code at the output bit width; SNN, one spike bit
    /// per neuron per timestep (the spike map). The final layer (no activation) writes its scores
    /// once, 32 bits each, in both twins: the SNN reads its output membranes (or spike counts) out
    /// after the last step.
    public var activationWriteBits: UInt64 = 0
    /// Compulsory input traffic: size of the layer's input tensor(s) in bits, moved once (QNN) or
    /// once per timestep as a spike map (SNN, 1 bit per neuron per step).
    public var inputTrafficBits: UInt64 = 0
    /// Compulsory output traffic: size of the layer's output tensor in bits, once (QNN) or once per
    /// timestep as a spike map (SNN). The final layer's scores count 32 bits each.
    public var outputTrafficBits: UInt64 = 0
    /// Membrane leaks applied (SNN, leaky neurons: one decay `⌊V · m / 2^s⌋` per neuron per
    /// timestep, `NeuronModel`; 0 for integrate-and-fire and in the QNN). Priced as a multiply.
    public var leakUpdates: UInt64 = 0

    public init() {}

    /// Adds every field of `other` into `self`.
    @inlinable
    public mutating func add(_ other: EventCounters) {
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
        leakUpdates &+= other.leakUpdates
    }
}
