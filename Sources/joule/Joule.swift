import ArgumentParser

/// `joule`: run, measure and compare the QNN and SNN twins of a packed model.
@main
struct Joule: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joule",
        abstract: "Run packed models as QNN or SNN, count their energy events, and compare the twins.",
        subcommands: [CompareCommand.self, RunCommand.self, EvalCommand.self, SweepCommand.self, EnergyCommand.self, BreakevenCommand.self, BenchCommand.self, CrossoverCommand.self, LifetimeCommand.self, Table5Command.self])
}
