import JouleCore
import JouleEnergy

/// The 15 event counters of one layer as a JSON object (names as in `EventCounters`).
public struct CounterRecord: Encodable, Equatable {
    public var denseSynapticOps, effectiveMACs, effectiveACs, inputEvents, outputEvents, outputLevelSum: UInt64
    public var neuronUpdates, membraneReads, membraneWrites, weightReadBits, activationReadBits: UInt64
    public var activationWriteBits, inputTrafficBits, outputTrafficBits, leakUpdates: UInt64

    public init(_ c: EventCounters) {
        denseSynapticOps = c.denseSynapticOps; effectiveMACs = c.effectiveMACs; effectiveACs = c.effectiveACs
        inputEvents = c.inputEvents; outputEvents = c.outputEvents; outputLevelSum = c.outputLevelSum
        neuronUpdates = c.neuronUpdates; membraneReads = c.membraneReads; membraneWrites = c.membraneWrites
        weightReadBits = c.weightReadBits; activationReadBits = c.activationReadBits
        activationWriteBits = c.activationWriteBits; inputTrafficBits = c.inputTrafficBits
        outputTrafficBits = c.outputTrafficBits; leakUpdates = c.leakUpdates
    }
}

/// An energy split as a JSON object, in picojoules.
public struct EnergyRecord: Encodable, Equatable {
    public var computePJ, onChipMemoryPJ, offChipMemoryPJ, networkPJ, totalPJ: Double

    public init(_ e: EnergyBreakdown) {
        computePJ = e.compute; onChipMemoryPJ = e.onChipMemory; offChipMemoryPJ = e.offChipMemory
        networkPJ = e.network; totalPJ = e.total
    }
}
