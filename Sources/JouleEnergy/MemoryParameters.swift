/// The memory side of a board: prices per bit, capacity, and how the dataflow uses it.
///
/// Classic family: `onChip` is the SRAM global buffer between DRAM and the PE registers.
/// Dataflow family: `onChip` is the PE-local memory holding stationary weights (and membranes).
public struct MemoryParameters: Equatable, Sendable {
    /// On-chip memory energy per bit accessed (pJ/bit). Paper v1: 20 pJ per 8-bit access = 2.5.
    public var onChipPJPerBit: Double
    /// Off-chip memory (DRAM, or flash on a microcontroller) energy per bit (pJ/bit).
    public var offChipPJPerBit: Double
    /// Membrane-potential storage energy per bit (pJ/bit); usually equal to `onChipPJPerBit`.
    public var membranePJPerBit: Double
    /// On-chip capacity in bytes (SRAM buffer, or all PE-local memory together).
    public var onChipBytes: Int
    /// Width of accumulators and membrane potentials (bits).
    public var accumulatorBits: Int
    /// Accumulator (partial sum / membrane) accesses in on-chip memory per synaptic operation:
    /// 2 (read + write) when accumulators live in the buffer (paper v1 classic: 4 accesses per MAC =
    /// weight + input + partial-sum read + write), 0 when they stay in PE registers.
    public var partialSumAccessesPerSynapticOp: Int
    /// Whether activations are read from and written to on-chip memory (classic) rather than arriving
    /// in PE registers as network packets (dataflow).
    public var activationsInOnChipMemory: Bool
    /// Whether an SNN layer's weights stay in PE registers for the whole time window (read once per
    /// inference) instead of being re-read for every input spike and reloaded every timestep.
    public var weightsStationaryAcrossTimesteps: Bool

    /// Creates memory parameters.
    public init(onChipPJPerBit: Double, offChipPJPerBit: Double, membranePJPerBit: Double,
                onChipBytes: Int, accumulatorBits: Int, partialSumAccessesPerSynapticOp: Int,
                activationsInOnChipMemory: Bool, weightsStationaryAcrossTimesteps: Bool) {
        self.onChipPJPerBit = onChipPJPerBit
        self.offChipPJPerBit = offChipPJPerBit
        self.membranePJPerBit = membranePJPerBit
        self.onChipBytes = onChipBytes
        self.accumulatorBits = accumulatorBits
        self.partialSumAccessesPerSynapticOp = partialSumAccessesPerSynapticOp
        self.activationsInOnChipMemory = activationsInOnChipMemory
        self.weightsStationaryAcrossTimesteps = weightsStationaryAcrossTimesteps
    }
}
