import JouleCore
import JouleHost
import XCTest

/// The runtime against the independent reference (`ReferenceModel`): QNN codes and scores,
/// layer-wise SNN equal to the QNN for every T in 1…16, streaming SNN equal to a step-by-step
/// simulation, and every counter equal to brute-force counts.
final class RuntimeAgreementTests: XCTestCase {
    func testQNNMatchesReferenceOnRandomModels() throws {
        for seed in UInt64(1)...60 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 5))
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            let t = 1 + Int(seed % 16)
            let expected = ReferenceModel(model: model).run(input: input, timesteps: t)
            let got = try harness.run(input, mode: .qnn, timesteps: t)
            for i in model.layers.indices where model.layers[i].activation == .quant {
                XCTAssertEqual(got.layerValues[i], expected.layerValues[i], "seed \(seed) layer \(i) (\(model.layers[i].name)) codes")
            }
            XCTAssertEqual(got.scores, expected.scores, "seed \(seed) scores")
            XCTAssertEqual(got.counters, expected.counters, "seed \(seed) counters")
        }
    }

    func testCompactPlansWithPackedCodesAgreeWithReferenceAndFastPlan() throws {
        // Compact QNN plans store codes bit-packed at ceil(log2(T + 1)) bits for the model's T;
        // codes, scores and every counter must equal the default (byte) plan's and the
        // reference's, at the planned T and at a smaller T (fewer bits than planned).
        var kinds = Set<UInt8>(), int4 = 0, residuals = 0, widths = Set<Int>()
        for seed in UInt64(800)...830 {
            for t in [1, 3, 6, 7, 15] {
                let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 4), timesteps: t)
                let fast = try RuntimeHarness(model), compact = try RuntimeHarness(model, compact: true)
                let bits = Requantize.codeBits(timesteps: t)
                XCTAssertEqual(compact.file.model.plan(.qnn).codeBits, bits)
                XCTAssertEqual(fast.file.model.plan(.qnn).codeBits, 0)
                XCTAssertEqual(compact.file.model.plan(.snnLayerwise).codeBits, 0, "only QNN plans pack")
                widths.insert(bits)
                let input = RandomModels.input(for: model, seed: seed &+ UInt64(t))
                for runT in Set([t, max(1, t / 2)]) {
                    let expected = ReferenceModel(model: model).run(input: input, timesteps: runT)
                    let a = try fast.run(input, mode: .qnn, timesteps: runT), b = try compact.run(input, mode: .qnn, timesteps: runT)
                    for i in model.layers.indices where model.layers[i].activation == .quant {
                        XCTAssertEqual(b.layerValues[i], expected.layerValues[i], "seed \(seed) T \(runT)/\(t) layer \(i) codes")
                    }
                    XCTAssertEqual(b.layerValues, a.layerValues, "seed \(seed) T \(runT)/\(t)")
                    XCTAssertEqual(b.scores, expected.scores, "seed \(seed) T \(runT)/\(t) scores")
                    XCTAssertEqual(b.scores, a.scores, "seed \(seed) T \(runT)/\(t) scores")
                    XCTAssertEqual(b.counters, expected.counters, "seed \(seed) T \(runT)/\(t) counters")
                    XCTAssertEqual(b.counters, a.counters, "seed \(seed) T \(runT)/\(t) counters")
                }
                for l in model.layers {
                    kinds.insert(l.kind.rawValue)
                    if l.weightBits == 4 { int4 += 1 }
                    if l.residualIndex >= 0 { residuals += 1 }
                }
                XCTAssertLessThanOrEqual(compact.file.model.plan(.qnn).arenaBytes, fast.file.model.plan(.qnn).arenaBytes)
            }
        }
        XCTAssertEqual(widths, [1, 2, 3, 4])
        XCTAssertEqual(kinds, [1, 2, 3, 4], "conv, linear, avg and max pooling")
        XCTAssertGreaterThan(int4, 5)
        XCTAssertGreaterThan(residuals, 3)
    }

    func testRandomModelsExerciseEveryKernel() {
        // The agreement tests are only meaningful if the generator covers every kind and format.
        var kinds = Set<UInt8>(), bits = Set<Int>(), residuals = 0, strided = 0, padded = 0
        for seed in UInt64(1)...60 {
            for l in RandomModels.make(seed: seed, layers: 2 + Int(seed % 5)).layers {
                kinds.insert(l.kind.rawValue)
                if l.weightBits > 0 { bits.insert(l.weightBits) }
                if l.residualIndex >= 0 { residuals += 1 }
                if l.kind == .conv2d && (l.strideH > 1 || l.strideW > 1) { strided += 1 }
                if l.kind == .conv2d && (l.padH > 0 || l.padW > 0) { padded += 1 }
            }
        }
        XCTAssertEqual(kinds, [1, 2, 3, 4])
        XCTAssertEqual(bits, [4, 8])
        XCTAssertGreaterThan(residuals, 3)
        XCTAssertGreaterThan(strided, 5)
        XCTAssertGreaterThan(padded, 5)
    }

    func testCodesAreSpreadNotDegenerate() throws {
        // Guard against a generator whose layers output all zeros or all T (which would make the
        // equality tests weak): over the random models, codes hit 0, T and values in between.
        var histogram = Array(repeating: 0, count: 7)
        for seed in UInt64(1)...30 {
            let model = RandomModels.make(seed: seed, layers: 4)
            let out = ReferenceModel(model: model).run(input: RandomModels.input(for: model, seed: seed), timesteps: 6)
            for v in out.layerValues.flatMap({ $0 }) { histogram[v] += 1 }
        }
        let total = histogram.reduce(0, +)
        XCTAssertGreaterThan(histogram[0], total / 20)
        XCTAssertGreaterThan(histogram[6], total / 50)
        XCTAssertGreaterThan(histogram[1..<6].reduce(0, +), total / 5)
    }

    func testLayerwiseSNNEqualsQNNForEveryT() throws {
        for seed in UInt64(100)...130 {
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 4))
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            for t in 1...16 {
                let qnn = try harness.run(input, mode: .qnn, timesteps: t)
                let snn = try harness.run(input, mode: .snnLayerwise, timesteps: t)
                XCTAssertEqual(snn.layerValues, qnn.layerValues, "seed \(seed) T \(t): spike counts ≠ QNN codes")
                XCTAssertEqual(snn.scores, qnn.scores, "seed \(seed) T \(t): membrane read-out ≠ QNN scores")
            }
        }
    }

    func testLayerwiseCountersMatchBruteForce() throws {
        for seed in UInt64(200)...240 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 5))
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            let t = 1 + Int(seed % 12)
            for spikes in [false, true] {
                let expected = ReferenceModel(model: model).run(input: input, timesteps: t, snn: true, spikeReadout: spikes)
                let got = try harness.run(input, mode: .snnLayerwise, timesteps: t, readout: spikes ? .spikeCount : .membrane)
                XCTAssertEqual(got.scores, expected.scores, "seed \(seed) spikes \(spikes) scores")
                XCTAssertEqual(got.counters, expected.counters, "seed \(seed) spikes \(spikes) counters")
            }
        }
    }

    func testStreamingMatchesStepByStepSimulation() throws {
        for seed in UInt64(300)...340 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 5))
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            let t = 1 + Int(seed % 16)
            for spikes in [false, true] {
                let expected = ReferenceModel(model: model).runStreaming(input: input, timesteps: t, spikeReadout: spikes)
                let got = try harness.run(input, mode: .snnStreaming, timesteps: t, readout: spikes ? .spikeCount : .membrane)
                XCTAssertEqual(got.layerValues.enumerated().filter { model.layers[$0.offset].activation == .quant }.map(\.element),
                               expected.layerValues.enumerated().filter { model.layers[$0.offset].activation == .quant }.map(\.element),
                               "seed \(seed) spike totals")
                XCTAssertEqual(got.scores, expected.scores, "seed \(seed) spikes \(spikes) scores")
                XCTAssertEqual(got.counters, expected.counters, "seed \(seed) spikes \(spikes) counters")
            }
        }
    }

    func testStreamingAgreementWithQNNIsMeasured() throws {
        // Streaming is an approximation of the QNN; measure and report how close, and check that
        // it is a real approximation (mostly the same predictions), not noise.
        var same = 0, total = 0
        var codeError = 0.0, codes = 0
        for seed in UInt64(400)...479 {
            let model = RandomModels.make(seed: seed, layers: 4, allowResidual: false)
            let harness = try RuntimeHarness(model)
            let input = RandomModels.input(for: model, seed: seed)
            let t = 8
            let qnn = try harness.run(input, mode: .qnn, timesteps: t)
            let snn = try harness.run(input, mode: .snnStreaming, timesteps: t)
            let argmax = { (s: [Int64]) in s.indices.max { s[$0] < s[$1] }! }
            if argmax(qnn.scores) == argmax(snn.scores) { same += 1 }
            total += 1
            for i in model.layers.indices where model.layers[i].activation == .quant {
                for (a, b) in zip(qnn.layerValues[i], snn.layerValues[i]) { codeError += Double(abs(a - b)); codes += 1 }
            }
        }
        let agreement = Double(same) / Double(total)
        print("streaming vs QNN (T = 8, \(total) random models): same prediction \(String(format: "%.1f", agreement * 100)) %, "
            + "mean |spike count − code| \(String(format: "%.3f", codeError / Double(codes)))")
        XCTAssertGreaterThan(agreement, 0.5)
    }
}
