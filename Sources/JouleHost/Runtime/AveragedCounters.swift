import JouleCore

/// Inputs for an energy or evaluation run: one file, the first N images of a data set, or one
/// seeded random input.
public enum EnergyInputs {
    public static func load(file: PackedModelFile, input: String?, images: Int, dataset: String) throws -> [[UInt8]] {
        let m = file.model
        if let input { return [try InputFile.read(path: input, expectedBytes: m.inputCount)] }
        if images > 0 {
            guard m.inputChannels == 1 else { throw JouleHostError("data set images are 1-channel; the model has \(m.inputChannels)") }
            let data = try IDXDataset.load(named: dataset)
            return try (0..<min(images, data.count)).map { try data.input($0, height: m.inputHeight, width: m.inputWidth) }
        }
        var state: UInt64 = 0x5EED
        return [(0..<m.inputCount).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }]
    }
}

/// Per-layer counters averaged over several inputs (rounded to the nearest integer event).
public enum AveragedCounters {
    public static func run(file: PackedModelFile, mode: ExecutionMode, timesteps: Int, inputs: [[UInt8]]) throws -> [EventCounters] {
        let runner = try ModelRunner(file: file, mode: mode)
        var sums = Array(repeating: EventCounters(), count: file.model.layerCount)
        for input in inputs {
            let result = try runner.run(input: input, timesteps: timesteps)
            for i in sums.indices { sums[i].add(result.counters[i]) }
        }
        return sums.map { $0.dividedRounded(by: UInt64(max(1, inputs.count))) }
    }
}

extension EventCounters {
    /// Every field divided by `n`, rounded to nearest.
    public func dividedRounded(by n: UInt64) -> EventCounters {
        func d(_ v: UInt64) -> UInt64 { (v + n / 2) / n }
        var c = EventCounters()
        c.denseSynapticOps = d(denseSynapticOps); c.effectiveMACs = d(effectiveMACs); c.effectiveACs = d(effectiveACs)
        c.inputEvents = d(inputEvents); c.outputEvents = d(outputEvents); c.outputLevelSum = d(outputLevelSum)
        c.neuronUpdates = d(neuronUpdates); c.membraneReads = d(membraneReads); c.membraneWrites = d(membraneWrites)
        c.weightReadBits = d(weightReadBits); c.activationReadBits = d(activationReadBits)
        c.activationWriteBits = d(activationWriteBits); c.inputTrafficBits = d(inputTrafficBits)
        c.outputTrafficBits = d(outputTrafficBits); c.leakUpdates = d(leakUpdates)
        return c
    }
}
