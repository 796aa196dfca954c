/// The two hardware families the paper compares.
public enum HardwareFamily: UInt8, Sendable {
    /// Multi-level memory accelerator (GPU/TPU-like): DRAM → SRAM buffer → PE registers. Weights are
    /// loaded from DRAM once per inference (more when the layer does not fit the buffer).
    case classic
    /// Spatial dataflow / neuromorphic: weights stationary in PE-local memory, activations or spikes
    /// travel as NoC packets; no DRAM traffic in steady state (unless the weights do not fit).
    case dataflow
}

/// Constants of the per-synapse (break-even) model that are not properties of the silicon but of a
/// representative network, plus the two classic-SNN readings of the paper's plotting script.
public struct SynapseCalibration: Equatable, Sendable {
    /// Average weight reuse factor: operations per weight loaded into the buffer (paper v1: 216).
    public var reuseFactor: Double
    /// Average fan-in of a neuron (paper v1: 2395); spreads per-neuron costs over its synapses.
    public var fanIn: Double
    /// Non-zero activation fraction of the optimised QNN twin, `1 − γ` (paper v1: 0.45).
    public var qnnDensity: Double
    /// When set, replaces the derived SNN energy per input spike per synapse (pJ). Paper v1 classic:
    /// 64.32 (read from the authors' script; its split is not stated).
    public var snnSpikeSynapsePJ: Double?
    /// When set and weights are not stationary, the SNN's weight loads per inference grow as
    /// `limit · T/(T+1)` instead of `T` (paper v1 classic: 2, from `4040·T/(216·(T+1))`).
    public var snnWeightReloadLimit: Double?

    /// Creates a calibration.
    public init(reuseFactor: Double, fanIn: Double, qnnDensity: Double,
                snnSpikeSynapsePJ: Double? = nil, snnWeightReloadLimit: Double? = nil) {
        self.reuseFactor = reuseFactor
        self.fanIn = fanIn
        self.qnnDensity = qnnDensity
        self.snnSpikeSynapsePJ = snnSpikeSynapsePJ
        self.snnWeightReloadLimit = snnWeightReloadLimit
    }
}

/// Every constant the energy model needs about one board. Plain values: a device can carry its own.
public struct BoardProfile: Equatable, Sendable {
    /// Hardware family (classic hierarchy or spatial dataflow).
    public var family: HardwareFamily
    /// Arithmetic prices and their width-scaling rule.
    public var operations: OperationEnergies
    /// Memory prices, capacity and usage.
    public var memory: MemoryParameters
    /// Network-on-chip (zero for boards without one).
    public var network: NetworkOnChip
    /// Per-synapse break-even model constants.
    public var synapse: SynapseCalibration

    /// Creates a board profile.
    public init(family: HardwareFamily, operations: OperationEnergies, memory: MemoryParameters,
                network: NetworkOnChip, synapse: SynapseCalibration) {
        self.family = family
        self.operations = operations
        self.memory = memory
        self.network = network
        self.synapse = synapse
    }
}
