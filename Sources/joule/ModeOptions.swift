import ArgumentParser
import JouleCore

enum TwinMode: String, ExpressibleByArgument, CaseIterable { case qnn, snn }
enum Schedule: String, ExpressibleByArgument, CaseIterable { case layerwise, streaming }
enum ReadoutOption: String, ExpressibleByArgument, CaseIterable { case membrane, spikes }

/// How to run a model: the twin, `T`, the SNN schedule and read-out.
struct ModeOptions: ParsableArguments {
    @Option(help: "Twin to run: qnn or snn (default: qnn; snn for a model with leaky neurons, which has no QNN twin).")
    var mode: TwinMode?

    @Option(name: [.short, .long], help: "T: QNN activation levels 0…T / SNN timesteps (1…255; default: the model's).")
    var timesteps: Int?

    @Option(help: "SNN schedule: layerwise (equals the QNN) or streaming (all layers step together; the default and the only schedule for leaky neurons).")
    var schedule: Schedule?

    @Option(help: "SNN read-out: membrane (scores = output membranes) or spikes (output spike counts).")
    var readout: ReadoutOption = .membrane

    /// The mode to run `model` in: as asked, else QNN, or for a model with leaky neurons the
    /// streaming SNN (the only mode that runs them).
    func executionMode(for model: PackedModel) -> ExecutionMode {
        let leaky = model.hasLeakyNeurons
        guard (mode ?? (leaky ? .snn : .qnn)) == .snn else { return .qnn }
        return (schedule ?? (leaky ? .streaming : .layerwise)) == .layerwise ? .snnLayerwise : .snnStreaming
    }

    var coreReadout: Readout { readout == .membrane ? .membrane : .spikeCount }

    func validate() throws {
        if let t = timesteps, !(1...255).contains(t) {
            throw ValidationError("--timesteps must be 1…255, got \(t)")
        }
    }

    func resolvedTimesteps(_ model: PackedModel) -> Int { timesteps ?? model.defaultTimesteps }

    func label(for model: PackedModel) -> String {
        switch executionMode(for: model) {
        case .qnn: return "QNN"
        case .snnLayerwise: return "SNN layer-wise"
        case .snnStreaming: return "SNN streaming"
        }
    }
}
