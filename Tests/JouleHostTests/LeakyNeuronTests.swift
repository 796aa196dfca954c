@testable import JouleCore
import Foundation
import JouleHost
import XCTest

/// Leaky neurons (`Spiking/NeuronModel.swift`, `LeakyNeurons`): the streaming schedule held to
/// the independent step-by-step reference (`ReferenceModel.runStreaming`: the decay in 128-bit
/// arithmetic) on random models whose weighted layers take random leaks and snnTorch's firing and
/// reset rules; the format's fields validated; the other modes refusing such models; the JSON
/// field packed. snnTorch itself is the reference of `Tools/importer/tests/test_leaky_snntorch.py`.
final class LeakyNeuronTests: XCTestCase {
    /// A random neuron: a quarter integrate-and-fire, else a leak of 1…8 shift bits (β = 0
    /// included) with random flags.
    func randomNeuron(_ rng: inout TestRNG) -> NeuronModel {
        if rng.int(0...3) == 0 { return .integrateAndFire }
        let s = rng.int(0...8)
        let m = s == 0 ? 0 : rng.int(0...((1 << s) - 1))
        return NeuronModel(leakMultiplier: m, leakShift: s, flags: rng.int(0...NeuronModel.knownFlags))
    }

    func leakyModel(seed: UInt64) -> PackableModel {
        var model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 3), wide: seed % 2 == 0)
        var rng = TestRNG(seed &* 7919)
        for i in model.layers.indices where model.layers[i].kind == .conv2d || model.layers[i].kind == .linear {
            model.layers[i].neuron = randomNeuron(&rng)
        }
        return model
    }

    func testLeakyModelsMatchStepByStep() throws {
        var sumWidths: Set<Int> = [], leakyInputLayers = 0, delayed = 0, strict = 0, leakyScores = 0
        var laneLayers = 0, laneResidual = 0, laneDelayed = 0, laneStrict = 0, toZero = 0, laneToZero = 0
        for seed in UInt64(700)...739 {
            let model = leakyModel(seed: seed)
            let input = RandomModels.input(for: model, seed: seed)
            let harness = try RuntimeHarness(model, compact: seed % 3 == 0)
            for t in [[1, 6], [20], [3, 40]][Int(seed % 3)] where seed % 3 != 0 || t <= 6 {
                for spikes in [false, true] {
                    let expected = ReferenceModel(model: model).runStreaming(input: input, timesteps: t, spikeReadout: spikes)
                    let got = try harness.run(input, mode: .snnStreaming, timesteps: t, readout: spikes ? .spikeCount : .membrane)
                    XCTAssertEqual(got.layerValues, expected.layerValues, "seed \(seed) T \(t) spike totals per neuron")
                    XCTAssertEqual(got.scores, expected.scores, "seed \(seed) T \(t) spikes \(spikes) scores")
                    XCTAssertEqual(got.counters, expected.counters, "seed \(seed) T \(t) spikes \(spikes) counters")
                }
            }
            let packed = harness.file.model
            for i in 0..<packed.layerCount {
                let layer = packed.layer(i)
                guard !layer.neuron.isIntegrateAndFire else { continue }
                XCTAssertEqual(layer.neuron, model.layers[i].neuron, "the record keeps the neuron")
                switch StreamingState.form(layer, timesteps: 6, stateBytes: packed.plan(.snnStreaming).region(.state, layer: i).bytes) {
                case .leaky(let w): sumWidths.insert(w)
                case .leakyInput: leakyInputLayers += 1
                default: XCTFail("seed \(seed) layer \(i): a leaky layer kept an integrate-and-fire form")
                }
                if layer.neuron.flags & NeuronModel.resetAfterLeak != 0 { delayed += 1 }
                if layer.neuron.flags & NeuronModel.fireAboveThreshold != 0 { strict += 1 }
                if layer.neuron.flags & NeuronModel.resetToZero != 0 { toZero += 1 }
                if layer.activation == .none { leakyScores += 1 }
                // Eight channels at a time (`LeakyNeurons.fire8`) on builds with vector lanes.
                if layer.activation == .quant && layer.outC % 8 == 0 {
                    laneLayers += 1
                    if layer.residualIndex >= 0 { laneResidual += 1 }
                    if layer.neuron.flags & NeuronModel.resetAfterLeak != 0 { laneDelayed += 1 }
                    if layer.neuron.flags & NeuronModel.fireAboveThreshold != 0 { laneStrict += 1 }
                    if layer.neuron.flags & NeuronModel.resetToZero != 0 { laneToZero += 1 }
                }
            }
        }
        // Spike-fed leaky layers keep int16 step sums where the bound is at most 32767, else int32.
        XCTAssertEqual(sumWidths, [2, 4])
        XCTAssertGreaterThan(leakyInputLayers, 0)
        XCTAssertGreaterThan(delayed, 0)
        XCTAssertGreaterThan(strict, 0)
        XCTAssertGreaterThan(leakyScores, 0)
        XCTAssertGreaterThan(laneLayers, 0)
        XCTAssertGreaterThan(laneResidual, 0)
        XCTAssertGreaterThan(laneDelayed, 0)
        XCTAssertGreaterThan(laneStrict, 0)
        XCTAssertGreaterThan(toZero, 0)
        XCTAssertGreaterThan(laneToZero, 0)
    }

    /// `leak` is `⌊v · m / 2^s⌋` for every membrane the validated model can hold.
    func testLeakIsTheExactFloor() {
        var rng = TestRNG(5)
        let extremes: [Int64] = [0, 1, -1, (1 << 62) - 1, -(1 << 62) + 1, 1 << 40, -(1 << 40) - 3]
        for s in 1...NeuronModel.maxLeakShift {
            for m in [0, 1, (1 << s) - 1, rng.int(0...((1 << s) - 1))] {
                let neuron = NeuronModel(leakMultiplier: m, leakShift: s, flags: 0)
                for v in extremes + (0..<50).map({ _ in Int64(rng.int(-(1 << 40)...(1 << 40))) }) {
                    let exact = (Int128(v) * Int128(m)) >> s
                    XCTAssertEqual(Int128(neuron.leak(v)), exact, "v \(v) m \(m) s \(s)")
                }
            }
        }
        XCTAssertEqual(NeuronModel.integrateAndFire.leak(-7), -7)
    }

    /// Integrate-and-fire is the all-zero neuron and runs the unchanged paths; QNN and layer-wise
    /// runs refuse a model with any other neuron, naming the layer, before touching the arena.
    func testOtherModesRefuseLeakyModels() throws {
        var model = RandomModels.make(seed: 750, layers: 4)
        let leaky = model.layers.lastIndex { $0.kind == .conv2d || $0.kind == .linear }!
        model.layers[leaky].neuron = NeuronModel(leakMultiplier: 3, leakShift: 2, flags: 0)
        let file = try PackedModelFile(bytes: try Packer.pack(model).bytes, name: "m")
        for mode in [ExecutionMode.qnn, .snnLayerwise] {
            XCTAssertThrowsError(try ModelRunner(file: file, mode: mode)) {
                XCTAssertTrue("\($0)".contains("[JOULE_E_NEURONS_NEED_STREAMING], layer \(leaky) ('\(model.layers[leaky].name)')"), "\($0)")
            }
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: file.model.plan(mode).arenaBytes + 16, alignment: 16)
            defer { arena.deallocate() }
            XCTAssertThrowsError(try Interpreter(model: file.model, arena: arena, mode: mode)) {
                XCTAssertEqual(($0 as? JouleError)?.code, .neuronsNeedStreaming)
                XCTAssertEqual(($0 as? JouleError)?.layer, leaky)
            }
        }
        XCTAssertNoThrow(try ModelRunner(file: file, mode: .snnStreaming))
        XCTAssertTrue(NeuronModel.integrateAndFire.isIntegrateAndFire)
        XCTAssertEqual(PackedFormat.versionMinor, 2)
    }

    /// The leak-free twin (the energy tools' QNN for a leaky model) opens, runs every mode, and
    /// equals the same model packed without neurons, for default and compact plans.
    func testLeakFreeTwinOpensAndRuns() throws {
        for compact in [false, true] {
            var model = RandomModels.make(seed: 752, layers: 5, wide: true)
            let plain = try PackedModelFile(bytes: try Packer.pack(model, compact: compact).bytes, name: "plain")
            for i in model.layers.indices where model.layers[i].kind == .conv2d || model.layers[i].kind == .linear {
                model.layers[i].neuron = NeuronModel(leakMultiplier: 3, leakShift: 2, flags: 3)
            }
            let leaky = try PackedModelFile(bytes: try Packer.pack(model, compact: compact).bytes, name: "leaky")
            let twin = try leaky.leakFreeTwin()
            XCTAssertFalse(twin.model.hasLeakyNeurons)
            XCTAssertTrue(leaky.model.hasLeakyNeurons)
            let input = RandomModels.input(for: model, seed: 752)
            for mode in [ExecutionMode.qnn, .snnLayerwise, .snnStreaming] {
                let a = try ModelRunner(file: twin, mode: mode).run(input: input, timesteps: 6)
                let b = try ModelRunner(file: plain, mode: mode).run(input: input, timesteps: 6)
                XCTAssertEqual(a.scores, b.scores, "compact \(compact) \(mode)")
                XCTAssertEqual(a.counters, b.counters, "compact \(compact) \(mode)")
            }
        }
    }

    /// The record's neuron bytes: only valid neurons on weighted layers open.
    func testNeuronFieldsAreValidated() throws {
        var model = RandomModels.make(seed: 751, layers: 4)
        model.layers[0].neuron = NeuronModel(leakMultiplier: 15, leakShift: 4, flags: 3)
        let bytes = try Packer.pack(model).bytes
        let file = try PackedModelFile(bytes: bytes, name: "m")
        XCTAssertEqual(file.model.layer(0).neuron, model.layers[0].neuron)
        let record0 = file.model.layersOffset
        func code(layer: Int, _ change: (inout [UInt8], Int) -> Void) -> JouleErrorCode? {
            var b = bytes
            change(&b, record0 + layer * PackedFormat.layerRecordBytes)
            Packer.sealChecksum(&b)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: b.count, alignment: 16)
            defer { buffer.deallocate() }
            b.withUnsafeBytes { buffer.copyMemory(from: $0) }
            do { _ = try PackedModel.open(UnsafeRawBufferPointer(buffer)); return nil } catch { return error.code }
        }
        let pooling = model.layers.firstIndex { $0.kind == .avgPool || $0.kind == .maxPool }
        typealias F = PackedFormat
        XCTAssertEqual(code(layer: 0) { b, r in b[r + F.offLeakShift] = 17; b[r + F.offLeakMultiplier] = 0 }, .badLayerRecord)
        XCTAssertEqual(code(layer: 0) { b, r in b[r + F.offLeakShift] = 4; b[r + F.offLeakMultiplier] = 16 }, .badLayerRecord)
        XCTAssertEqual(code(layer: 0) { b, r in b[r + F.offLeakShift] = 0; b[r + F.offLeakMultiplier] = 1 }, .badLayerRecord)
        XCTAssertEqual(code(layer: 0) { b, r in b[r + F.offNeuronFlags] = 8 }, .badLayerRecord)
        XCTAssertNil(code(layer: 0) { b, r in b[r + F.offNeuronFlags] = 7 })
        XCTAssertNil(code(layer: 0) { b, r in b[r + F.offLeakShift] = 16; b[r + F.offLeakMultiplier] = 0xFF; b[r + F.offLeakMultiplier + 1] = 0xFF })
        if let pooling {
            XCTAssertEqual(code(layer: pooling) { b, r in b[r + F.offNeuronFlags] = 1 }, .badLayerRecord)
        }
        XCTAssertEqual(code(layer: 0) { b, r in b[r + F.offLayerReserved] = 1 }, .badLayerRecord)
    }

    /// The JSON `neuron` field becomes the smallest exact `m / 2^s`.
    func testBetaPacksAsTheSmallestExactFraction() throws {
        func model(_ n: ModelDescription.Neuron) throws -> NeuronModel {
            try ModelDescription.neuronModel(n) { JouleHostError($0) }
        }
        XCTAssertEqual(try model(.init(beta: 0.5)), NeuronModel(leakMultiplier: 1, leakShift: 1, flags: 0))
        XCTAssertEqual(try model(.init(beta: 0.9375, resetDelay: true, fireAboveThreshold: true)),
                       NeuronModel(leakMultiplier: 15, leakShift: 4, flags: 3))
        XCTAssertEqual(try model(.init(beta: 0.75, resetDelay: true, fireAboveThreshold: true, resetToZero: true)),
                       NeuronModel(leakMultiplier: 3, leakShift: 2, flags: 7))
        XCTAssertEqual(try model(.init(beta: 0)), NeuronModel(leakMultiplier: 0, leakShift: 1, flags: 0))
        XCTAssertEqual(try model(.init(beta: 1, fireAboveThreshold: true)), NeuronModel(leakMultiplier: 0, leakShift: 0, flags: 1))
        XCTAssertEqual(try model(.init()), .integrateAndFire)
        XCTAssertEqual(try model(.init(beta: 65535.0 / 65536)), NeuronModel(leakMultiplier: 65535, leakShift: 16, flags: 0))
        XCTAssertThrowsError(try model(.init(beta: 0.95)))
    }
}

extension LeakyNeuronTests {
    /// Membranes that land exactly on the threshold, where `fireAboveThreshold` decides: a linear
    /// layer whose current is `θ/2` or `θ` per step (weights 1, `M = 1`, `B = 0`, `θ = 2^4`), with
    /// eight outputs (the lane update) and three (neuron by neuron), each flag combination and
    /// leak, against the reference; and the flag must change the spikes.
    func testMembranesOnTheThreshold() throws {
        for outC in [8, 3] {
            for leak in [NeuronModel(leakMultiplier: 0, leakShift: 0, flags: 0), NeuronModel(leakMultiplier: 1, leakShift: 1, flags: 0)] {
                var totals: [Int: [Int64]] = [:]
                for flags in 0...NeuronModel.knownFlags {
                    let neuron = NeuronModel(leakMultiplier: leak.leakMultiplier, leakShift: leak.leakShift, flags: flags)
                    var hidden = PackableLayer(name: "fc1", kind: .linear, inputIndex: -1, inC: 1, inH: 1, inW: 2,
                                               outC: outC, outH: 1, outW: 1, weightBits: 8, shift: 4,
                                               weights: (0..<(outC * 2)).map { Int8($0 % 2 == 0 ? 1 : 0) },
                                               multipliers: [Int32](repeating: 1, count: outC), biases: [Int64](repeating: 0, count: outC))
                    hidden.neuron = neuron
                    var head = PackableLayer(name: "fc2", kind: .linear, inputIndex: 0, inC: outC, inH: 1, inW: 1,
                                             outC: 2, outH: 1, outW: 1, weightBits: 8, shift: 0, activation: .none,
                                             weights: [Int8](repeating: 1, count: 2 * outC), multipliers: [1, 1], biases: [0, 0])
                    head.neuron = neuron
                    let model = PackableModel(name: "edge", inputChannels: 1, inputHeight: 1, inputWidth: 2,
                                              defaultTimesteps: 6, layers: [hidden, head])
                    let harness = try RuntimeHarness(model)
                    for input: [UInt8] in [[8, 0], [16, 0]] {
                        let expected = ReferenceModel(model: model).runStreaming(input: input, timesteps: 6, spikeReadout: true)
                        let got = try harness.run(input, mode: .snnStreaming, timesteps: 6, readout: .spikeCount)
                        XCTAssertEqual(got.layerValues, expected.layerValues, "outC \(outC) \(neuron) input \(input)")
                        XCTAssertEqual(got.scores, expected.scores, "outC \(outC) \(neuron) input \(input)")
                        XCTAssertEqual(got.counters, expected.counters, "outC \(outC) \(neuron) input \(input)")
                        totals[flags, default: []].append(Int64(got.layerValues[0].reduce(0, +)))
                    }
                }
                XCTAssertNotEqual(totals[0], totals[NeuronModel.fireAboveThreshold], "outC \(outC) \(leak): the strict threshold changed nothing")
            }
        }
    }
}
