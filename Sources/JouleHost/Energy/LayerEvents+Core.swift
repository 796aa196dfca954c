import JouleCore
import JouleEnergy

extension LayerEvents {
    /// Copies the core's per-layer counters field for field (the two structs share their contract).
    public init(_ counters: EventCounters) {
        self.init()
        denseSynapticOps = counters.denseSynapticOps
        effectiveMACs = counters.effectiveMACs
        effectiveACs = counters.effectiveACs
        inputEvents = counters.inputEvents
        outputEvents = counters.outputEvents
        outputLevelSum = counters.outputLevelSum
        neuronUpdates = counters.neuronUpdates
        membraneReads = counters.membraneReads
        membraneWrites = counters.membraneWrites
        weightReadBits = counters.weightReadBits
        activationReadBits = counters.activationReadBits
        activationWriteBits = counters.activationWriteBits
        inputTrafficBits = counters.inputTrafficBits
        outputTrafficBits = counters.outputTrafficBits
    }
}
