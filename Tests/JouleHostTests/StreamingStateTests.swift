@testable import JouleCore
import JouleHost
import XCTest

/// The streaming schedule's narrow state (`Spiking/StreamingState.swift`): split and wide
/// membranes, the first layer's trains and accumulators, bit spike maps — each held to the
/// independent step-by-step reference (`ReferenceModel.runStreaming`, int64 membranes, dense
/// loops) on models that make every form run, and the packed format's new field checked.
final class StreamingStateTests: XCTestCase {
    /// Runs `model` streaming at `t` (both readouts) against the reference; returns the forms its
    /// layers took.
    func check(_ model: PackableModel, input: [UInt8], timesteps t: Int, compact: Bool = false,
               _ label: String) throws -> [StreamingState.Form] {
        let harness = try RuntimeHarness(model, compact: compact)
        for spikes in [false, true] {
            let expected = ReferenceModel(model: model).runStreaming(input: input, timesteps: t, spikeReadout: spikes)
            let got = try harness.run(input, mode: .snnStreaming, timesteps: t, readout: spikes ? .spikeCount : .membrane)
            let hidden = model.layers.indices.filter { model.layers[$0].activation == .quant }
            XCTAssertEqual(hidden.map { got.layerValues[$0] }, hidden.map { expected.layerValues[$0] }, "\(label) T \(t) spike totals")
            XCTAssertEqual(got.scores, expected.scores, "\(label) T \(t) spikes \(spikes) scores")
            XCTAssertEqual(got.counters, expected.counters, "\(label) T \(t) spikes \(spikes) counters")
        }
        let model = harness.file.model
        return (0..<model.layerCount).map {
            StreamingState.form(model.layer($0), timesteps: t, stateBytes: model.plan(.snnStreaming).region(.state, layer: $0).bytes)
        }
    }

    func testWideModelsMatchStepByStep() throws {
        var forms: [String: Int] = [:]
        var simdSplit = 0
        for seed in UInt64(600)...647 {
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 3), wide: true)
            let input = RandomModels.input(for: model, seed: seed)
            for t in [[1, 40], [6], [20], [3, 33]][Int(seed % 4)] {
                let taken = try check(model, input: input, timesteps: t, "seed \(seed)")
                for (i, form) in taken.enumerated() {
                    let key: String
                    switch form {
                    case .split: key = "split"; if model.layers[i].outC % 8 == 0 { simdSplit += 1 }
                    case .wide: key = "wide"
                    case .trains: key = "trains"
                    case .inputAccumulators: key = "accumulators"
                    case .pooling: key = "pooling"
                    case .poolingBits: key = "pooling bits"
                    case .maxPoolCounts: key = "max"
                    case .leaky, .leakyInput: key = "leaky"
                    }
                    forms[key, default: 0] += 1
                }
            }
        }
        // Every form ran, and split membranes ran eight channels at a time.
        for key in ["split", "wide", "trains", "accumulators", "pooling", "pooling bits", "max"] {
            XCTAssertGreaterThan(forms[key, default: 0], 0, "form \(key) never ran: \(forms)")
        }
        XCTAssertGreaterThan(simdSplit, 0)
    }

    /// Compact plans (the firmware's) give every hidden layer without a residual input the
    /// threshold table with which builds without vector lanes (`JOULE_PLAIN_KERNELS`: the armdsp
    /// run of `Tools/test`) update neurons in 32 bits; results equal the reference either way.
    func testCompactPlansMatchStepByStep() throws {
        var tables = 0
        for seed in UInt64(640)...659 {
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 4), timesteps: 5, wide: seed % 2 == 0)
            let input = RandomModels.input(for: model, seed: seed)
            _ = try check(model, input: input, timesteps: 5, compact: true, "seed \(seed) compact")
            let file = try PackedModelFile(bytes: try Packer.pack(model, compact: true).bytes, name: "c")
            for i in 0..<file.model.layerCount {
                let layer = file.model.layer(i)
                let need = StreamingNeurons.thresholdTableBytes(layer, timesteps: 5)
                guard layer.isWeighted, need > 0 else { continue }
                XCTAssertGreaterThanOrEqual(file.model.plan(.snnStreaming).region(.scratch, layer: i).bytes, need)
                tables += 1
            }
        }
        XCTAssertGreaterThan(tables, 0)
    }

    /// A layer whose sums run to `±T · b`: the first layer fires every step, the second has
    /// all-positive weights in half its channels and all-negative in the other half, so split
    /// membranes carry into and out of `H` at every step up to its extremes, then (at larger `T`)
    /// no longer fit and the layer goes wide.
    func extremeModel(weight: Int8) -> PackableModel {
        let first = PackableLayer(name: "in", kind: .conv2d, inputIndex: -1, inC: 1, inH: 4, inW: 4, outC: 8, outH: 4, outW: 4,
                                  kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, weightBits: 8, shift: 16,
                                  weights: Array(repeating: 1, count: 8), multipliers: Array(repeating: 1, count: 8),
                                  biases: Array(repeating: 1 << 17, count: 8))
        // b = 128 · |weight|; the positive channels fire on about 0.4 of the steps.
        let b = 128 * Int(abs(Int(weight)))
        let hidden = PackableLayer(name: "hidden", kind: .linear, inputIndex: 0, inC: 8, inH: 4, inW: 4, outC: 8,
                                   outH: 1, outW: 1, weightBits: 8, shift: 30,
                                   weights: (0..<(8 * 128)).map { $0 / 128 < 4 ? weight : -weight },
                                   multipliers: Array(repeating: Int32((Double(1 << 30) * 0.4 / Double(b)).rounded()), count: 8),
                                   biases: (0..<8).map { Int64($0) * 1000 })
        let out = PackableLayer(name: "out", kind: .linear, inputIndex: 1, inC: 8, inH: 1, inW: 1, outC: 2,
                                outH: 1, outW: 1, weightBits: 8, shift: 20, activation: .none,
                                weights: (0..<16).map { Int8($0 % 7) - 3 }, multipliers: [1 << 18, 1 << 19], biases: [5, -5])
        return PackableModel(name: "extreme", inputChannels: 1, inputHeight: 4, inputWidth: 4, defaultTimesteps: 6,
                             layers: [first, hidden, out])
    }

    func testSplitMembranesCarryAtTheirExtremes() throws {
        let input = (0..<16).map { UInt8($0 * 13) }
        var split = 0, wide = 0
        for weight: Int8 in [127, 100, 37] {
            let model = extremeModel(weight: weight)
            for t in [1, 2, 5, 6, 7, 12, 15, 20, 40] {
                let forms = try check(model, input: input, timesteps: t, "weight \(weight)")
                if case .split = forms[1] { split += 1 } else { wide += 1 }
            }
        }
        XCTAssertGreaterThan(split, 0)
        XCTAssertGreaterThan(wide, 0)
        // The first layer fires every step, so the hidden sums reach their bound exactly.
        let harness = try RuntimeHarness(extremeModel(weight: 127))
        let got = try harness.run(input, mode: .snnStreaming, timesteps: 6)
        XCTAssertEqual(got.counters[0].outputEvents, 6 * 128)
    }

    /// Layer record `i`'s byte `offset` in `bytes`.
    func recordByte(_ bytes: [UInt8], layer i: Int, offset: Int) throws -> Int {
        let file = try PackedModelFile(bytes: bytes, name: "t")
        return file.model.layersOffset + i * PackedFormat.layerRecordBytes + offset
    }

    func testVersion10FilesRunWideWithTheSameResults() throws {
        for seed in UInt64(660)...669 {
            let model = RandomModels.make(seed: seed, layers: 4, wide: true)
            let input = RandomModels.input(for: model, seed: seed)
            let new = try Packer.pack(model).bytes
            // The same file as a 1.0 writer made it: no bounds, minor version 0.
            var old = new
            for i in model.layers.indices {
                let o = try recordByte(new, layer: i, offset: PackedFormat.offStreamWeightBound)
                old[o] = 0
                old[o + 1] = 0
            }
            old[PackedFormat.offVersionMinor] = 0
            Packer.sealChecksum(&old)
            let oldFile = try PackedModelFile(bytes: old, name: "old"), newFile = try PackedModelFile(bytes: new, name: "new")
            for i in model.layers.indices where model.layers[i].kind == .linear || model.layers[i].kind == .conv2d {
                if model.layers[i].inputIndex >= 0 {
                    XCTAssertEqual(StreamingState.form(oldFile.model.layer(i), timesteps: 6,
                                                       stateBytes: oldFile.model.plan(.snnStreaming).region(.state, layer: i).bytes), .wide)
                }
            }
            for spikes in [false, true] {
                let readout: Readout = spikes ? .spikeCount : .membrane
                let a = try ModelRunner(file: oldFile, mode: .snnStreaming).run(input: input, timesteps: 6, readout: readout)
                let b = try ModelRunner(file: newFile, mode: .snnStreaming).run(input: input, timesteps: 6, readout: readout)
                XCTAssertEqual(a.scores, b.scores, "seed \(seed)")
                XCTAssertEqual(a.counters, b.counters, "seed \(seed)")
            }
        }
    }

    /// A streaming plan as a 1.0 packer sized it — state 8n bytes per weighted layer (16n for the
    /// analog first layer), 8n for average pooling, aligned(inputs) + n for max pooling — with no
    /// bounds stated: it opens, and every T it ran before runs with the new file's results (the
    /// layers fall back to the forms that fit: wide membranes, the first layer's accumulators).
    func testVersion10PlanSizesStillRun() throws {
        for seed in UInt64(1)...16 {
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 3))
            let input = RandomModels.input(for: model, seed: seed)
            let new = try Packer.pack(model).bytes
            let newFile = try PackedModelFile(bytes: new, name: "new")
            let m = newFile.model
            var old = new
            let block = PackedModel.planBlockOffset(m.plansOffset, mode: .snnStreaming, layerCount: m.layerCount)
            for i in 0..<m.layerCount {
                let l = m.layer(i), n = l.outputCount
                let size: Int
                switch l.kind {
                case .conv2d, .linear: size = n * 8 * (l.readsModelInput ? 2 : 1)
                case .avgPool: size = n * 8
                case .maxPool: size = PackedFormat.aligned(l.inputCount) + n
                }
                let entry = block + PackedFormat.planModeHeaderBytes + i * PackedFormat.planLayerEntryBytes + 2 * 8 + 4
                let current = Int(old[entry]) | Int(old[entry + 1]) << 8 | Int(old[entry + 2]) << 16 | Int(old[entry + 3]) << 24
                let shrunk = min(size, current)  // only ever smaller, so the plan stays overlap-free
                for k in 0..<4 { old[entry + k] = UInt8((shrunk >> (8 * k)) & 0xFF) }
                let bound = try recordByte(new, layer: i, offset: PackedFormat.offStreamWeightBound)
                old[bound] = 0
                old[bound + 1] = 0
            }
            old[PackedFormat.offVersionMinor] = 0
            Packer.sealChecksum(&old)
            let oldFile = try PackedModelFile(bytes: old, name: "old")
            for t in [1, 6, 8, 16, 32, 40] {
                let a = try ModelRunner(file: oldFile, mode: .snnStreaming).run(input: input, timesteps: t)
                let b = try ModelRunner(file: newFile, mode: .snnStreaming).run(input: input, timesteps: t)
                XCTAssertEqual(a.scores, b.scores, "seed \(seed) T \(t)")
                XCTAssertEqual(a.counters, b.counters, "seed \(seed) T \(t)")
            }
        }
    }

    /// A compact plan for a default T above the first layer's train limit still serves every
    /// shorter run in its preferred form.
    func testCompactPlanServesEveryShorterT() throws {
        var model = RandomModels.make(seed: 4, layers: 3, timesteps: 40)
        model.defaultTimesteps = 40
        let file = try PackedModelFile(bytes: try Packer.pack(model, compact: true).bytes, name: "c")
        let input = RandomModels.input(for: model, seed: 4)
        for t in [40, 33, 32, 16, 8, 1] {
            XCTAssertNoThrow(try ModelRunner(file: file, mode: .snnStreaming).run(input: input, timesteps: t), "T \(t)")
        }
    }

    func testStatedWeightBoundsAreChecked() throws {
        let model = extremeModel(weight: 100)
        let bytes = try Packer.pack(model).bytes
        let file = try PackedModelFile(bytes: bytes, name: "t")
        XCTAssertEqual(file.model.layer(1).streamWeightBound, 12800)
        XCTAssertEqual(file.model.layer(0).streamWeightBound, 0)
        // Output channel 0's weights are −3 −2 −1 0 1 2 3 −3: its negatives total 9, the most of any.
        XCTAssertEqual(file.model.layer(2).streamWeightBound, 9)
        func patched(layer: Int, bound: Int) throws -> [UInt8] {
            var b = bytes
            let o = try recordByte(bytes, layer: layer, offset: PackedFormat.offStreamWeightBound)
            b[o] = UInt8(bound & 0xFF)
            b[o + 1] = UInt8(bound >> 8)
            Packer.sealChecksum(&b)
            return b
        }
        // A larger bound is safe; one below the weights' is not; layers reading the model input
        // state none.
        XCTAssertNoThrow(try PackedModelFile(bytes: try patched(layer: 1, bound: 20000), name: "t"))
        XCTAssertThrowsError(try PackedModelFile(bytes: try patched(layer: 1, bound: 12799), name: "t")) {
            XCTAssertTrue("\($0)".contains("BAD_QUANTIZATION"), "\($0)")
        }
        XCTAssertThrowsError(try PackedModelFile(bytes: try patched(layer: 0, bound: 5), name: "t")) {
            XCTAssertTrue("\($0)".contains("BAD_LAYER_RECORD"), "\($0)")
        }
    }
}
