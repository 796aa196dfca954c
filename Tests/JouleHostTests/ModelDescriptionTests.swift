import Foundation
import JouleCore
import JouleHost
import XCTest

/// The JSON description and safetensors path: a valid model round-trips to the same runtime
/// results as packing it directly; every malformed field gets a message naming file, layer, field.
final class ModelDescriptionTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("joule-md-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A small model as JSON + tensors: conv → avgpool → residual conv → (training-only side head)
    /// → flatten → linear.
    func writeModel(_ edit: (inout [String: Any], inout [(name: String, dtype: String, shape: [Int], data: Data)]) -> Void = { _, _ in })
        throws -> String {
        var rng = TestRNG(11)
        func i8(_ n: Int, _ lim: Int = 60) -> Data { SafeTensors.bytes((0..<n).map { _ in Int8(rng.int(-lim...lim)) }) }
        var tensors: [(name: String, dtype: String, shape: [Int], data: Data)] = [
            ("c1.weight", "I8", [4, 1, 3, 3], i8(36)), ("c1.multiplier", "I32", [4], SafeTensors.bytes([Int32](repeating: 900, count: 4))),
            ("c1.bias", "I64", [4], SafeTensors.bytes([Int64](repeating: 1 << 18, count: 4))),
            ("c2.weight", "I8", [4, 4, 3, 3], i8(144, 7)), ("c2.multiplier", "I32", [4], SafeTensors.bytes([Int32](repeating: 200_000, count: 4))),
            ("side.weight", "I8", [3, 64], i8(192)), ("side.multiplier", "I32", [3], SafeTensors.bytes([Int32](repeating: 1, count: 3))),
            ("fc.weight", "I8", [3, 64], i8(192)), ("fc.multiplier", "I32", [3], SafeTensors.bytes([Int32](repeating: 4096, count: 3))),
        ]
        var json: [String: Any] = [
            "format": "joule-model", "version": 1, "name": "tiny", "weights": "tiny.safetensors",
            "input": ["channels": 1, "height": 8, "width": 8, "scale": 1.0 / 255], "timesteps": 4,
            "classes": ["a", "b", "c"],
            "layers": [
                ["name": "c1", "type": "conv2d", "outChannels": 4, "kernel": [3, 3], "padding": [1, 1], "weightBits": 8,
                 "shift": 20, "activation": "quant"],
                ["name": "p1", "type": "avgpool", "kernel": [2, 2]],
                ["name": "c2", "type": "conv2d", "outChannels": 4, "kernel": [3, 3], "padding": [1, 1], "weightBits": 4,
                 "shift": 20, "activation": "quant", "residual": "p1"],
                ["name": "side", "type": "linear", "outFeatures": 3, "weightBits": 8, "shift": 20, "activation": "none",
                 "trainingOnly": true],
                ["name": "flat", "type": "flatten", "input": "c2"],
                ["name": "fc", "type": "linear", "outFeatures": 3, "weightBits": 8, "shift": 20, "activation": "none"],
            ] as [Any],
        ]
        edit(&json, &tensors)
        let path = dir.appendingPathComponent("tiny.json").path
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        try SafeTensors.encode(tensors).write(to: dir.appendingPathComponent("tiny.safetensors"))
        return path
    }

    func packError(_ edit: (inout [String: Any], inout [(name: String, dtype: String, shape: [Int], data: Data)]) -> Void) throws -> String {
        let path = try writeModel(edit)
        do {
            let packable = try ModelDescription.load(path: path).resolve(path: path)
            _ = try Packer.pack(packable)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func layers(_ json: inout [String: Any], _ change: (inout [[String: Any]]) -> Void) {
        var l = json["layers"] as! [[String: Any]]
        change(&l)
        json["layers"] = l
    }

    func testValidModelResolvesShapesAndDropsTrainingParts() throws {
        let path = try writeModel()
        let model = try ModelDescription.load(path: path).resolve(path: path)
        XCTAssertEqual(model.layers.map(\.name), ["c1", "p1", "c2", "fc"])
        XCTAssertEqual(model.layers[2].residualIndex, 1)
        XCTAssertEqual(model.layers[2].weightBits, 4)
        XCTAssertEqual(model.layers[3].inputIndex, 2, "flatten is the identity on c2")
        XCTAssertEqual([model.layers[1].outC, model.layers[1].outH, model.layers[1].outW], [4, 4, 4])
        XCTAssertEqual(model.layers[2].biases, [0, 0, 0, 0], "absent bias means zeros")
        // The packed file runs and agrees with the reference.
        let harness = try RuntimeHarness(model)
        let input = RandomModels.input(for: model, seed: 3)
        let got = try harness.run(input, mode: .qnn, timesteps: 4)
        XCTAssertEqual(got.scores, ReferenceModel(model: model).run(input: input, timesteps: 4).scores)
    }

    func testMessagesNameFileLayerAndField() throws {
        let cases: [(String, (inout [String: Any], inout [(name: String, dtype: String, shape: [Int], data: Data)]) -> Void)] = [
            ("field 'version' is 2", { j, _ in j["version"] = 2 }),
            ("field 'format'", { j, _ in j["format"] = "onnx" }),
            ("missing field 'weights'", { j, _ in j["weights"] = nil }),
            ("field 'timesteps' has the wrong type: expected an integer", { j, _ in j["timesteps"] = "six" }),
            ("field 'input.height' has the wrong type", { j, _ in j["input"] = ["channels": 1, "height": [8], "width": 8, "scale": 0.1] }),
            ("field 'layers[0].kernel' has the wrong type", { j, _ in self.layers(&j) { $0[0]["kernel"] = "3x3" } }),
            ("layer 'c1': field 'weightBits' must be 8 or 4", { j, _ in self.layers(&j) { $0[0]["weightBits"] = 2 } }),
            ("layer 'c1': field 'shift' must be 0…48", { j, _ in self.layers(&j) { $0[0]["shift"] = 60 } }),
            ("layer 'c1': missing field 'activation'", { j, _ in self.layers(&j) { $0[0]["activation"] = nil } }),
            ("layer 'p1': field 'type' is \"pool\"", { j, _ in self.layers(&j) { $0[1]["type"] = "pool" } }),
            ("layer 'c2': field 'residual': 'c1' has shape 4×8×8", { j, _ in self.layers(&j) { $0[2]["residual"] = "c1" } }),
            ("layer 'c2': field 'residual': no earlier kept layer is named 'nope'", { j, _ in self.layers(&j) { $0[2]["residual"] = "nope" } }),
            ("layer 'flat': field 'input': 'side' is training-only", { j, _ in self.layers(&j) { $0[4]["input"] = "side" } }),
            ("layer 'fc': the last layer must be", { j, _ in self.layers(&j) { $0[5]["activation"] = "quant" } }),
            ("layer 'c1': field 'activation': only the last layer", { j, _ in self.layers(&j) { $0[0]["activation"] = "none" } }),
            ("duplicate layer name", { j, _ in self.layers(&j) { $0[1]["name"] = "c1" } }),
            ("field 'classes' has 2 names", { j, _ in j["classes"] = ["a", "b"] }),
            ("layer 'c1': field 'neuron.beta' is 0.9, not a multiple of 2^-16", { j, _ in
                self.layers(&j) { $0[0]["neuron"] = ["beta": 0.9] } }),
            ("layer 'c1': field 'neuron.beta' must be between 0 and 1", { j, _ in
                self.layers(&j) { $0[0]["neuron"] = ["beta": 1.5] } }),
            ("layer 'p1': field 'neuron': only conv2d and linear layers", { j, _ in
                self.layers(&j) { $0[1]["neuron"] = ["beta": 0.5] } }),
            ("field 'layers[0].neuron': unknown field 'leak'", { j, _ in
                self.layers(&j) { $0[0]["neuron"] = ["leak": 0.5] } }),
            ("field 'layers[2].neuron.resetDelay' has the wrong type", { j, _ in
                self.layers(&j) { $0[2]["neuron"] = ["resetDelay": "yes"] } }),
            ("tensor 'c1.weight' is missing", { _, t in t.removeAll { $0.name == "c1.weight" } }),
            ("tensor 'c1.multiplier' has dtype F32, expected I32", { _, t in
                t[t.firstIndex { $0.name == "c1.multiplier" }!].dtype = "F32" }),
            ("tensor 'fc.weight' has shape [3, 63], expected [3, 64]", { _, t in
                let k = t.firstIndex { $0.name == "fc.weight" }!
                t[k].shape = [3, 63]; t[k].data = t[k].data.prefix(189) }),
            ("tensor 'c2.weight' element 0 is 9, outside −8…7", { _, t in
                let k = t.firstIndex { $0.name == "c2.weight" }!
                var d = t[k].data; d[0] = 9; t[k].data = d }),
            ("tensor 'c1.multiplier' element 0 is 0", { _, t in
                t[t.firstIndex { $0.name == "c1.multiplier" }!].data = SafeTensors.bytes([Int32](repeating: 0, count: 4)) }),
        ]
        for (expected, edit) in cases {
            let message = try packError(edit)
            XCTAssertTrue(message.contains(expected), "expected “\(expected)” in: \(message)")
            XCTAssertTrue(message.contains("tiny.json") || message.contains("tiny.safetensors"), "no file named in: \(message)")
        }
    }

    func testMalformedSafetensors() throws {
        let path = try writeModel()
        let weights = dir.appendingPathComponent("tiny.safetensors")
        let good = try Data(contentsOf: weights)
        for (bytes, expected) in [(good.prefix(5), "truncated"), (good.prefix(40), "header length"),
                                  (Data([8, 0, 0, 0, 0, 0, 0, 0]) + Data("not json".utf8), "not valid JSON: line 1, column 2"),
                                  (Data([3, 0, 0, 0, 0, 0, 0, 0]) + Data("[1]".utf8), "not a JSON object"),
                                  (good.prefix(good.count - 10), "do not fit")] {
            try bytes.write(to: weights)
            XCTAssertThrowsError(try ModelDescription.load(path: path).resolve(path: path)) {
                XCTAssertTrue("\($0)".contains(expected), "expected “\(expected)” in: \($0)")
            }
        }
    }

    func testCRC32MatchesZlib() {
        var crc = CRC32()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        XCTAssertEqual(crc.value, 0xCBF4_3926)  // the standard check value of CRC-32/ISO-HDLC
    }

    func testArenaPlansAreValidAndNearTheLiveSetBound() throws {
        for seed in UInt64(500)...540 {
            let model = RandomModels.make(seed: seed, layers: 3 + Int(seed % 5))
            let summary = try Packer.pack(model)  // the core validates every plan
            for plan in summary.plans {
                XCTAssertGreaterThanOrEqual(plan.arenaBytes, plan.lowerBound)
                XCTAssertLessThanOrEqual(plan.arenaBytes, plan.lowerBound * 3 / 2 + 64, "seed \(seed) \(plan.mode)")
            }
        }
    }
}
