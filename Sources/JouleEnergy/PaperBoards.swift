/// The paper v1 (45 nm, Horowitz ISSCC 2014) boards as built-in values, identical to
/// `Boards/paper-v1-classic-45nm.json` and `Boards/paper-v1-dataflow-45nm.json` (a host test checks
/// that). A device without a file system can use them directly.
extension BoardProfile {
    /// 45 nm operations as the paper v1 prices them: 8-bit add 0.03 pJ, 8-bit multiply 0.2 pJ,
    /// compare priced as an add (*assumed*); every operation and access at 8 bits (no width scaling).
    public static var paperV1Operations: OperationEnergies {
        OperationEnergies(referenceBits: 8, addPJ: 0.03, multiplyPJ: 0.2, comparePJ: 0.03,
                          bitWidthScaling: false)
    }

    /// Paper v1 classic accelerator: SRAM 20 pJ and DRAM 2000 pJ per 8-bit access, 4 SRAM accesses
    /// per MAC, weights not stationary; break-even calibration RF 216, fan-in 2395, QNN density 0.45,
    /// SNN 64.32 pJ per spike-synapse, weight reloads `2·T/(T+1)`. SRAM 1 MiB is *assumed*.
    public static var paperV1Classic45nm: BoardProfile {
        BoardProfile(
            family: .classic,
            operations: paperV1Operations,
            memory: MemoryParameters(onChipPJPerBit: 2.5, offChipPJPerBit: 250, membranePJPerBit: 2.5,
                                     onChipBytes: 1_048_576, accumulatorBits: 8,
                                     partialSumAccessesPerSynapticOp: 2,
                                     activationsInOnChipMemory: true,
                                     weightsStationaryAcrossTimesteps: false),
            network: .none,
            synapse: SynapseCalibration(reuseFactor: 216, fanIn: 2395, qnnDensity: 0.45,
                                        snnSpikeSynapsePJ: 64.32, snnWeightReloadLimit: 2))
    }

    /// Paper v1 spatial dataflow: 20 pJ per 8-bit move from PE-local memory, accumulators in PE
    /// registers, no separate NoC price (v1 folds the move into the 20 pJ); fan-in 2395, QNN density
    /// 0.45. PE-local capacity 64 MiB in total is *assumed* (enough for VGG-sized models).
    public static var paperV1Dataflow45nm: BoardProfile {
        BoardProfile(
            family: .dataflow,
            operations: paperV1Operations,
            memory: MemoryParameters(onChipPJPerBit: 2.5, offChipPJPerBit: 250, membranePJPerBit: 2.5,
                                     onChipBytes: 67_108_864, accumulatorBits: 8,
                                     partialSumAccessesPerSynapticOp: 0,
                                     activationsInOnChipMemory: false,
                                     weightsStationaryAcrossTimesteps: false),
            network: .none,
            synapse: SynapseCalibration(reuseFactor: 216, fanIn: 2395, qnnDensity: 0.45))
    }
}
