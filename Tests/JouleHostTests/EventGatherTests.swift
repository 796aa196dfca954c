import JouleCore
import JouleHost
import XCTest

/// The vectorised event gather (`Kernels/EventGather.swift`) against the independent reference
/// (`ReferenceModel`) and against the plain kernels (a `--compact` plan of the same model, QNN
/// codes bit-packed), on
/// random models whose layers have 32–96 output channels so that the fast path really runs.
final class EventGatherTests: XCTestCase {
    func testQNNMatchesReferenceOnWideRandomModels() throws {
        var fastLayers = 0, analogFast = 0, residualFast = 0
        for seed in UInt64(400)...430 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 4), wide: true)
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            let t = 1 + Int(seed % 16)
            let expected = ReferenceModel(model: model).run(input: input, timesteps: t)
            let got = try harness.run(input, mode: .qnn, timesteps: t, kernel: .eventGather)
            for i in model.layers.indices where model.layers[i].activation == .quant {
                XCTAssertEqual(got.layerValues[i], expected.layerValues[i], "seed \(seed) T \(t) layer \(i) codes")
            }
            XCTAssertEqual(got.scores, expected.scores, "seed \(seed) T \(t) scores")
            XCTAssertEqual(got.counters, expected.counters, "seed \(seed) T \(t) counters")
            for (i, k) in got.kernels.enumerated() where k == .eventGather {
                fastLayers += 1
                if model.layers[i].inputIndex < 0 { analogFast += 1 }
                if model.layers[i].residualIndex >= 0 { residualFast += 1 }
            }
        }
        // The comparison is only meaningful if the fast path ran, on every kind of layer it takes.
        XCTAssertGreaterThan(fastLayers, 30)
        XCTAssertGreaterThan(analogFast, 5, "first layers (input bytes up to 255) through the gather")
        XCTAssertGreaterThan(residualFast, 0, "residual layers through the gather")
    }

    func testLayerwiseSNNMatchesReferenceOnWideRandomModels() throws {
        var fastLayers = 0
        for seed in UInt64(500)...525 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 4), wide: true)
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            let t = 1 + Int(seed % 12)
            let expected = ReferenceModel(model: model).run(input: input, timesteps: t, snn: true, spikeReadout: false)
            let got = try harness.run(input, mode: .snnLayerwise, timesteps: t)
            XCTAssertEqual(got.scores, expected.scores, "seed \(seed) T \(t) scores")
            XCTAssertEqual(got.counters, expected.counters, "seed \(seed) T \(t) counters")
            fastLayers += got.kernels.filter { $0 == .eventGather }.count
        }
        XCTAssertGreaterThan(fastLayers, 20)
    }

    func testPlainAndFastPlansAgreeInEveryMode() throws {
        for seed in UInt64(600)...615 {
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 3), wide: true)
            let fast = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            for t in [1, 3, 6, 7, 15, 16, 40] {
                // A compact plan packs QNN codes for its model's T: pack one for this T.
                var planned = model
                planned.defaultTimesteps = t
                let plain = try RuntimeHarness(planned, compact: true)
                XCTAssertEqual(plain.file.model.plan(.qnn).codeBits, Requantize.codeBits(timesteps: t))
                for mode in [ExecutionMode.qnn, .snnLayerwise, .snnStreaming] {
                    let a = try fast.run(input, mode: mode, timesteps: t), b = try plain.run(input, mode: mode, timesteps: t)
                    XCTAssertEqual(a.layerValues, b.layerValues, "seed \(seed) \(mode) T \(t)")
                    XCTAssertEqual(a.scores, b.scores, "seed \(seed) \(mode) T \(t)")
                    XCTAssertEqual(a.counters, b.counters, "seed \(seed) \(mode) T \(t)")
                    XCTAssertFalse(b.kernels.contains(.eventGather), "a compact plan runs the plain kernels only")
                }
                XCTAssertLessThanOrEqual(plain.file.model.plan(.qnn).arenaBytes, fast.file.model.plan(.qnn).arenaBytes)
            }
        }
    }

    func testCountingOffGivesTheSameOutputs() throws {
        for seed in UInt64(700)...710 {
            let model = RandomModels.make(seed: seed, layers: 4, wide: true)
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            for mode in [ExecutionMode.qnn, .snnLayerwise, .snnStreaming] {
                let on = try harness.run(input, mode: mode, timesteps: 6)
                let off = try harness.run(input, mode: mode, timesteps: 6, counting: false)
                XCTAssertEqual(on.layerValues, off.layerValues, "seed \(seed) \(mode)")
                XCTAssertEqual(on.scores, off.scores, "seed \(seed) \(mode)")
                XCTAssertTrue(off.counters.allSatisfy { $0 == EventCounters() }, "seed \(seed) \(mode): counters off")
                XCTAssertTrue(on.counters.contains { $0 != EventCounters() })
            }
        }
    }
}
