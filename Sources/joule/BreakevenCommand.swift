import ArgumentParser
import Foundation
import JouleEnergy
import JouleHost

/// `joule breakeven`: the spike rate at which an SNN matches its QNN twin, per `T` (paper Figure 9).
struct BreakevenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakeven",
        abstract: "Break-even SNN sparsity against timesteps for one or more boards (table + SVG).",
        discussion: "Solves the per-synapse energy model of each board for the spike rate at which the SNN costs as much as its QNN twin. --board takes a name from Boards/ or a path to a board JSON file; repeat it to compare boards.")

    @Option(name: .long, help: "Board name (Boards/<name>.json) or path to a board file; repeatable.")
    var board: [String] = []

    @Option(name: .long, help: "Largest T in the sweep.")
    var timestepsMax: Int = 16

    @Option(name: .long, help: "Write the plot (SVG) to this path.")
    var svg: String?

    @Option(name: .long, help: "QNN non-zero activation fraction 1−γ (default: the board's, 0.45 in the paper).")
    var qnnDensity: Double?

    @Option(name: .long, help: "Stored weight width in bits (8 or 4).")
    var weightBits: Int = 8

    @Option(name: .long, help: "Override the board's average fan-in.")
    var fanIn: Double?

    @Option(name: .long, help: "Override the board's average NoC hop count.")
    var hops: Double?

    @Option(name: .long, help: "Measured SNN spike rate s_r (0…1) to mark on the plot; needs --at-timesteps.")
    var spikeRate: Double?

    @Option(name: .long, help: "Timesteps of the measured operating point.")
    var atTimesteps: Int?

    @Option(help: "Also write the results as JSON to this path ('-': standard output, no text; schema: docs/json-output.md).")
    var json: String?

    func validate() throws {
        if board.isEmpty { throw ValidationError("give at least one --board (e.g. --board paper-v1-classic-45nm)") }
        if timestepsMax < 1 || timestepsMax > 1024 { throw ValidationError("--timesteps-max must be in 1…1024") }
        if let d = qnnDensity, !(0...1).contains(d) { throw ValidationError("--qnn-density must be in [0, 1]") }
        if weightBits < 1 || weightBits > 32 { throw ValidationError("--weight-bits must be in 1…32") }
        if let f = fanIn, f <= 0 { throw ValidationError("--fan-in must be > 0") }
        if let h = hops, h < 0 { throw ValidationError("--hops must be ≥ 0") }
        if (spikeRate == nil) != (atTimesteps == nil) {
            throw ValidationError("--spike-rate and --at-timesteps go together")
        }
        if let r = spikeRate, !(0...1).contains(r) { throw ValidationError("--spike-rate must be in [0, 1]") }
        if let t = atTimesteps, t < 1 { throw ValidationError("--at-timesteps must be ≥ 1") }
    }

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        var sweeps: [BreakEvenSweep] = []
        var documents: [BreakevenDocument.Board] = []
        let out = TextOutput(json: json)
        for name in board {
            let file: BoardFile
            do { file = try BoardCatalog.load(name) } catch let e as BoardFileError {
                throw JouleHostError(e.description)
            }
            var profile = file.profile
            if let fanIn { profile.synapse.fanIn = fanIn }
            if let hops { profile.network.averageHops = hops }
            let sweep = BreakEvenSweep(label: file.name, board: profile, timestepsMax: timestepsMax,
                                       qnnDensity: qnnDensity, weightBits: weightBits)
            sweeps.append(sweep)
            out(sweep.table())
            var measured: BreakevenDocument.Measured?
            if let r = spikeRate, let t = atTimesteps {
                let m = BreakEven.measured(board: profile, timesteps: t, spikeRate: r, qnnDensity: qnnDensity,
                                           weightBits: weightBits)
                measured = m
                let verdict = m.snnSavesEnergy ? "saves energy" : "costs more energy"
                out(String(format: "measured point T=%d, spike rate %.2f %%: the SNN %@ on %@ (break-even spike rate %.2f %%; SNN/QNN energy per synapse %.3f)\n",
                           t, r * 100, verdict, file.name, m.breakEvenSpikeRate * 100, m.snnOverQnn))
            }
            documents.append(BreakevenDocument.Board(sweep: sweep, measured: measured))
        }
        if let json { try JSONOutput.write(BreakevenDocument(weightBits: weightBits, boards: documents), to: json) }
        if let svg {
            let marker = spikeRate.flatMap { r in atTimesteps.map { OperatingPoint(timesteps: $0, spikeRate: r) } }
            try OutputFile.write(BreakEvenPlot.svg(sweeps, marker: marker), to: svg)
            out("wrote \(svg)")
        }
    }
}
