import JouleCore

/// Limits a run must fit before it starts: a packed file can be valid and still declare an arena
/// or a workload that would take the machine's memory or minutes per inference. Checked by the
/// `joule` commands before they allocate or run anything.
public struct RunBudget: Sendable {
    /// Largest arena (bytes) a mode's plan may need.
    public var maxArenaBytes: Int
    /// Largest work per inference, in dense synaptic operations: one pass over every weighted
    /// layer's outputs × fan-in, times `T` for the SNN schedules (whose kernels may visit every
    /// synapse at every step).
    public var maxSynapticOps: Double

    /// 256 MiB of arena and 2·10¹⁰ synaptic operations (W1, VGG*, at T = 6 is 3.8·10⁹).
    public static let standard = RunBudget(maxArenaBytes: 256 << 20, maxSynapticOps: 2e10)

    public init(maxArenaBytes: Int, maxSynapticOps: Double) {
        self.maxArenaBytes = maxArenaBytes
        self.maxSynapticOps = maxSynapticOps
    }

    /// Dense synaptic operations of one inference of `model` in `mode` at `timesteps`.
    public static func synapticOps(_ model: PackedModel, mode: ExecutionMode, timesteps: Int) -> Double {
        var pass = 0.0
        for i in 0..<model.layerCount {
            let r = model.layer(i)
            if r.isWeighted { pass += Double(r.outputCount) * Double(r.fanIn) }
        }
        return mode == .qnn ? pass : pass * Double(max(1, timesteps))
    }

    /// Throws, naming the file, the mode and the option that raises the limit, when a run of
    /// `file` in `mode` at `timesteps` exceeds the budget.
    public func check(_ file: PackedModelFile, mode: ExecutionMode, timesteps: Int) throws {
        let arena = file.model.plan(mode).arenaBytes
        if arena > maxArenaBytes {
            throw JouleHostError("\(file.path): the \(mode.jsonName) plan needs an arena of \(arena) bytes, over the budget "
                + "of \(maxArenaBytes) (--max-arena BYTES raises it)")
        }
        let ops = Self.synapticOps(file.model, mode: mode, timesteps: timesteps)
        if ops > maxSynapticOps {
            throw JouleHostError("\(file.path): one \(mode.jsonName) inference at T = \(timesteps) is up to "
                + "\(String(format: "%.3g", ops)) synaptic operations, over the budget of "
                + "\(String(format: "%.3g", maxSynapticOps)) (--max-work OPS raises it)")
        }
    }
}
