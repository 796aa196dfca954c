import JouleCore
import JouleHost

/// Runs the real runtime and captures every layer's output right after the layer ran (through the
/// interpreter's `afterLayer` hook), summing spike maps over timesteps in streaming mode.
struct RuntimeHarness {
    let file: PackedModelFile

    init(_ model: PackableModel, compact: Bool = false) throws {
        let packed = try Packer.pack(model, compact: compact)
        file = try PackedModelFile(bytes: packed.bytes, name: model.name)
    }

    struct Output {
        var layerValues: [[Int]]
        var scores: [Int64]
        var counters: [EventCounters]
        var kernels: [LayerKernel]
    }

    func run(_ input: [UInt8], mode: ExecutionMode, timesteps: Int, readout: Readout = .membrane,
             counting: Bool = true, kernel: ConvolutionKernelPolicy = .automatic, prepack: Bool = true) throws -> Output {
        let runner = try ModelRunner(file: file, mode: mode, prepack: prepack)
        runner.convolutionKernel = kernel
        var values = (0..<file.model.layerCount).map { Array(repeating: 0, count: file.model.layer($0).outputCount) }
        let result = try runner.run(input: input, timesteps: timesteps, readout: readout, counting: counting) { i in
            let layer = file.model.layer(i)
            guard layer.activation == .quant else { return }
            for j in 0..<layer.outputCount {
                let v = runner.outputValue(layer: i, at: j)
                if mode == .snnStreaming { values[i][j] += v } else { values[i][j] = v }
            }
        }
        return Output(layerValues: values, scores: result.scores, counters: result.counters,
                      kernels: runner.lastKernels)
    }
}
