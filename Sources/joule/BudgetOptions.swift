import ArgumentParser
import JouleCore
import JouleHost

/// `--max-arena` and `--max-work`: what a run may need before it starts (`RunBudget`).
struct BudgetOptions: ParsableArguments {
    @Option(help: "Refuse a mode whose arena needs more bytes than this (default 256 MiB).")
    var maxArena: Int = RunBudget.standard.maxArenaBytes

    @Option(help: "Refuse runs of more dense synaptic operations per inference than this (× T for the SNN; default 2e10).")
    var maxWork: Double = RunBudget.standard.maxSynapticOps

    func validate() throws {
        if maxArena < 0 { throw ValidationError("--max-arena must be ≥ 0") }
        if !(maxWork >= 0) { throw ValidationError("--max-work must be ≥ 0") }
    }

    var budget: RunBudget { RunBudget(maxArenaBytes: maxArena, maxSynapticOps: maxWork) }

    /// Checks every mode of `modes` at `timesteps`.
    func check(_ file: PackedModelFile, modes: [ExecutionMode], timesteps: Int) throws {
        for mode in modes { try budget.check(file, mode: mode, timesteps: timesteps) }
    }
}
