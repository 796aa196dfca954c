import ArgumentParser
import JouleCore

enum TwinMode: String, ExpressibleByArgument, CaseIterable { case qnn, snn }
enum Schedule: String, ExpressibleByArgument, CaseIterable { case layerwise, streaming }
enum ReadoutOption: String, ExpressibleByArgument, CaseIterable { case membrane, spikes }

/// How to run a model: the twin, `T`, the SNN schedule and read-out.
struct ModeOptions: ParsableArguments {
    @Option(help: "Twin to run: qnn or snn.")
    var mode: TwinMode = .qnn

    @Option(name: [.short, .long], help: "T: QNN activation levels 0…T / SNN timesteps (1…255; default: the model's).")
    var timesteps: Int?

    @Option(help: "SNN schedule: layerwise (equals the QNN) or streaming (all layers step together).")
    var schedule: Schedule = .layerwise

    @Option(help: "SNN read-out: membrane (scores = output membranes) or spikes (output spike counts).")
    var readout: ReadoutOption = .membrane

    var executionMode: ExecutionMode {
        mode == .qnn ? .qnn : (schedule == .layerwise ? .snnLayerwise : .snnStreaming)
    }

    var coreReadout: Readout { readout == .membrane ? .membrane : .spikeCount }

    func validate() throws {
        if let t = timesteps, !(1...255).contains(t) {
            throw ValidationError("--timesteps must be 1…255, got \(t)")
        }
    }

    func resolvedTimesteps(_ model: PackedModel) -> Int { timesteps ?? model.defaultTimesteps }

    var label: String {
        switch executionMode {
        case .qnn: return "QNN"
        case .snnLayerwise: return "SNN layer-wise"
        case .snnStreaming: return "SNN streaming"
        }
    }
}
