import JouleCore
import JouleHost
import XCTest

/// The one selection (`Kernels/KernelSelection.swift`): every kernel this build lists is picked by
/// the agreement runs (`KernelAgreement`, which holds each run to the independent reference), so
/// a descriptor that never gets selected fails here instead of going untested.
final class KernelSelectionTests: XCTestCase {
    func testEveryBuiltKernelIsSelectedAndAgrees() throws {
        var built = Set<LayerKernel>()
        LayerKernel.forEachBuilt { built.insert($0) }
        XCTAssertTrue(built.isSuperset(of: [.plainGather, .plainScatter]), "the plain kernels are listed on every build")
        if DenseBlock.built != .none { XCTAssertTrue(built.contains(.denseConvolution)) }
        var used = Set<LayerKernel>()
        for seed in UInt64(2400)...2407 {
            // Wide int8 stride-1 models (the fast kernels' shapes) and narrow mixed ones (the
            // plain kernels' fallbacks), on their input and on a sparse copy of it.
            let wide = seed % 2 == 0
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 3), wide: wide, unitStride: wide, int8: wide)
            let input = RandomModels.input(for: model, seed: seed)
            let sparse = input.indices.map { $0 % 17 == 0 ? input[$0] : 0 }
            for x in [input, sparse] {
                let kernels = try KernelAgreement.check(model, input: x, timesteps: 6, label: "seed \(seed)")
                for list in kernels.qnn.values { used.formUnion(list) }
                for list in kernels.snn.values { used.formUnion(list) }
            }
        }
        used.remove(.pooling)
        XCTAssertEqual(used, built, "kernels the agreement runs selected vs the kernels this build lists")
    }

    /// Compact plans at T = 20 and 200 pack the QNN's codes in 5 and 8 bits, beyond the 1–4 bits
    /// of the T ≤ 15 runs above: the plain gather (and, in `armdsp` builds, the DSP gather that
    /// replaces it) over those widths, held to the reference with the other kernels' runs.
    func testWidePackedCodesAgree() throws {
        for (seed, t) in [(UInt64(2600), 20), (2601, 200), (2602, 20)] {
            let model = RandomModels.make(seed: seed, layers: 4, wide: seed == 2602, unitStride: seed != 2601, int8: true)
            let input = RandomModels.input(for: model, seed: seed)
            let kernels = try KernelAgreement.check(model, input: input, timesteps: t, label: "seed \(seed) T \(t)")
            XCTAssertFalse(kernels.qnn.isEmpty, "seed \(seed): the agreement runs ran")
        }
    }

    /// `Interpreter.kernel(layer:timesteps:)` answers through the same selection as a run: for the
    /// first layer, fed an input whose values are all non-zero (the activity it assumes), it
    /// names the kernel the run logs, in both modes and under every policy.
    func testPredictionIsTheRunsChoiceForADenseInput() throws {
        var checked = 0
        for seed in UInt64(2500)...2511 {
            let model = RandomModels.make(seed: seed, layers: 3, wide: true, unitStride: true, int8: true)
            guard model.layers[0].kind == .conv2d || model.layers[0].kind == .linear else { continue }
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed).map { max($0, 1) }
            for mode in [ExecutionMode.qnn, .snnLayerwise] {
                for policy in [ConvolutionKernelPolicy.automatic, .eventDriven, .dense, .eventScatter, .eventGather] {
                    let runner = try ModelRunner(file: harness.file, mode: mode)
                    runner.convolutionKernel = policy
                    let predicted = runner.kernels(timesteps: 6)[0]
                    _ = try runner.run(input: input, timesteps: 6, counting: false)
                    XCTAssertEqual(runner.lastKernels[0], predicted, "seed \(seed) \(mode) \(policy)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }
}
