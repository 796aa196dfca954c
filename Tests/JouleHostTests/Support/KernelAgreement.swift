import JouleCore
import JouleHost
import XCTest

/// Runs a model's QNN under every convolution kernel policy (dense with prepacked weights and
/// re-laying them each run, event scatter, event gather, automatic) and as a compact plan (plain
/// kernels), and its layer-wise SNN under the policies that choose its kernels (per-step event
/// gather, event scatter over the spike trains, the event-driven pick, dense over spike counts,
/// automatic), and asserts that each run's codes
/// (spike counts), scores and counters equal the independent reference (`ReferenceModel`).
enum KernelAgreement {
    /// The kernels each policy's run really used (`ModelRunner.lastKernels`), per mode.
    struct Kernels {
        var qnn: [ConvolutionKernelPolicy: [LayerKernel]] = [:]
        var snn: [ConvolutionKernelPolicy: [LayerKernel]] = [:]
        /// The QNN's.
        subscript(_ policy: ConvolutionKernelPolicy) -> [LayerKernel]? { qnn[policy] }
    }

    @discardableResult
    static func check(_ model: PackableModel, input: [UInt8], timesteps t: Int, label: String,
                      file: StaticString = #filePath, line: UInt = #line) throws -> Kernels {
        var planned = model
        planned.defaultTimesteps = t
        let fast = try RuntimeHarness(planned), plain = try RuntimeHarness(planned, compact: true)
        let expected = ReferenceModel(model: model).run(input: input, timesteps: t)
        var runs: [(String, RuntimeHarness.Output)] = []
        var kernels = Kernels()
        for (name, policy) in [("dense", ConvolutionKernelPolicy.dense), ("scatter", .eventScatter),
                               ("gather", .eventGather), ("automatic", .automatic)] {
            let output = try fast.run(input, mode: .qnn, timesteps: t, kernel: policy)
            runs.append((name, output))
            kernels.qnn[policy] = output.kernels
        }
        runs.append(("dense re-laid", try fast.run(input, mode: .qnn, timesteps: t, kernel: .dense, prepack: false)))
        let compact = try plain.run(input, mode: .qnn, timesteps: t)
        runs.append(("compact", compact))
        for (name, got) in runs {
            for i in model.layers.indices where model.layers[i].activation == .quant {
                XCTAssertEqual(got.layerValues[i], expected.layerValues[i], "\(label) T \(t) \(name) layer \(i) codes",
                               file: file, line: line)
            }
            XCTAssertEqual(got.scores, expected.scores, "\(label) T \(t) \(name) scores", file: file, line: line)
            XCTAssertEqual(got.counters, expected.counters, "\(label) T \(t) \(name) counters", file: file, line: line)
        }
        let gather = kernels[.eventGather] ?? []
        XCTAssertFalse(gather.contains(.denseConvolution) || gather.contains(.eventScatter), "\(label): policy gather",
                       file: file, line: line)
        XCTAssertFalse((kernels[.dense] ?? []).contains(.eventScatter), "\(label): policy dense", file: file, line: line)
        XCTAssertFalse((kernels[.eventScatter] ?? []).contains(.denseConvolution), "\(label): policy scatter",
                       file: file, line: line)
        XCTAssertFalse(compact.kernels.contains(.denseConvolution) || compact.kernels.contains(.eventScatter),
                       "\(label): compact plans run the plain kernels", file: file, line: line)
        let snnExpected = ReferenceModel(model: model).run(input: input, timesteps: t, snn: true)
        for (name, policy) in [("gather", ConvolutionKernelPolicy.eventGather), ("scatter", .eventScatter),
                               ("events", .eventDriven), ("dense", .dense), ("automatic", .automatic)] {
            let got = try fast.run(input, mode: .snnLayerwise, timesteps: t, kernel: policy)
            kernels.snn[policy] = got.kernels
            for i in model.layers.indices where model.layers[i].activation == .quant {
                XCTAssertEqual(got.layerValues[i], snnExpected.layerValues[i], "\(label) T \(t) SNN \(name) layer \(i) spike counts",
                               file: file, line: line)
            }
            XCTAssertEqual(got.scores, snnExpected.scores, "\(label) T \(t) SNN \(name) scores", file: file, line: line)
            XCTAssertEqual(got.counters, snnExpected.counters, "\(label) T \(t) SNN \(name) counters", file: file, line: line)
        }
        XCTAssertFalse((kernels.snn[.eventGather] ?? []).contains(.eventScatter), "\(label): SNN policy gather",
                       file: file, line: line)
        // Over spike counts the SNN runs the dense convolution wherever the QNN can (same shape
        // and plan conditions).
        let qnnDense = kernels.qnn[.dense] ?? [], snnDense = kernels.snn[.dense] ?? []
        for i in qnnDense.indices where qnnDense[i] == .denseConvolution && i < snnDense.count {
            XCTAssertEqual(snnDense[i], .denseConvolution, "\(label): SNN policy dense, layer \(i)", file: file, line: line)
        }
        // The event-driven policies never evaluate over spike counts (the dense convolution, or
        // the plain or DSP gather on spiking layers).
        for policy in [ConvolutionKernelPolicy.eventGather, .eventScatter, .eventDriven] {
            let used = kernels.snn[policy] ?? []
            XCTAssertFalse(used.contains(.denseConvolution), "\(label): SNN policy \(policy) ran dense", file: file, line: line)
            for i in model.layers.indices where i < used.count && (used[i] == .plainGather || used[i] == .dspGather)
                && model.layers[i].inputIndex >= 0 {
                XCTFail("\(label): SNN policy \(policy) ran layer \(i) over spike counts", file: file, line: line)
            }
        }
        return kernels
    }
}
