import JouleCore
import JouleHost
import XCTest

/// Every kind of malformed packed file is rejected with its specific error; thousands of mutated
/// files never crash the validator or the runtime.
final class PackedValidationTests: XCTestCase {
    typealias F = PackedFormat

    /// A model with a conv, a pooling layer, a residual block and a linear head.
    lazy var model: PackableModel = {
        // The first seed whose model has pooling, a residual block and int4 weights.
        for seed in UInt64(1)... {
            let m = RandomModels.make(seed: seed, layers: 6)
            if m.layers.contains(where: { $0.residualIndex >= 0 }),
               m.layers.contains(where: { $0.kind == .avgPool || $0.kind == .maxPool }),
               m.layers.contains(where: { $0.weightBits == 4 }) { return m }
        }
        fatalError()
    }()
    lazy var bytes: [UInt8] = try! Packer.pack(model).bytes
    /// The same model packed `--compact`: QNN codes bit-packed at 3 bits (default T = 6).
    lazy var compactBytes: [UInt8] = try! Packer.pack(model, compact: true).bytes

    func open(_ b: [UInt8]) -> JouleError? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, b.count), alignment: 16)
        defer { buffer.deallocate() }
        b.withUnsafeBytes { buffer.copyMemory(from: $0) }
        do {
            _ = try PackedModel.open(UnsafeRawBufferPointer(rebasing: buffer[0..<b.count]))
            return nil
        } catch {
            return error
        }
    }

    func u32(_ b: [UInt8], _ o: Int) -> Int { (0..<4).reduce(0) { $0 | Int(b[o + $1]) << (8 * $1) } }
    func put32(_ b: inout [UInt8], _ o: Int, _ v: Int) { for k in 0..<4 { b[o + k] = UInt8((v >> (8 * k)) & 0xFF) } }
    func put16(_ b: inout [UInt8], _ o: Int, _ v: Int) { for k in 0..<2 { b[o + k] = UInt8((v >> (8 * k)) & 0xFF) } }

    /// File offset of a section of `kind`.
    func section(_ b: [UInt8], _ kind: SectionKind) -> (offset: Int, length: Int) {
        let table = u32(b, F.offSectionTable)
        for s in 0..<u32(b, F.offSectionCount) where u32(b, table + 16 * s) == Int(kind.rawValue) {
            return (u32(b, table + 16 * s + 4), u32(b, table + 16 * s + 8))
        }
        fatalError("no section \(kind)")
    }

    func record(_ b: [UInt8], _ layer: Int) -> Int { section(b, .layers).offset + layer * F.layerRecordBytes }

    /// Applies `change`, re-seals the CRC (so the structural check, not the checksum, must catch
    /// it), and returns the error code.
    func codeAfter(_ change: (inout [UInt8]) -> Void) -> JouleErrorCode? {
        var b = bytes
        change(&b)
        Packer.sealChecksum(&b)
        return open(b)?.code
    }

    var firstWeighted: Int { model.layers.firstIndex { $0.kind == .conv2d || $0.kind == .linear }! }

    /// A layer reading the model input takes no residual (its current must stay constant over the
    /// streaming steps): the file is refused, and so is the JSON field.
    func testResidualOnALayerReadingTheInputIsRefused() throws {
        func conv(_ name: String, residual: Int) -> PackableLayer {
            PackableLayer(name: name, kind: .conv2d, inputIndex: -1, residualIndex: residual, inC: 1, inH: 4, inW: 4,
                          outC: 2, outH: 4, outW: 4, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1,
                          weightBits: 8, shift: 8, weights: [Int8](repeating: 1, count: 18), multipliers: [1, 1], biases: [0, 0])
        }
        var head = PackableLayer(name: "fc", kind: .linear, inputIndex: 1, inC: 2, inH: 4, inW: 4, outC: 2, outH: 1, outW: 1,
                                 weightBits: 8, shift: 8, activation: .none, weights: [Int8](repeating: 1, count: 64),
                                 multipliers: [1, 1], biases: [0, 0])
        head.name = "fc"
        let model = PackableModel(name: "m", inputChannels: 1, inputHeight: 4, inputWidth: 4, defaultTimesteps: 4,
                                  layers: [conv("a", residual: -1), conv("b", residual: 0), head])
        // The packer opens what it wrote, so the core's refusal reaches it.
        XCTAssertThrowsError(try Packer.pack(model)) {
            XCTAssertTrue("\($0)".contains("[JOULE_E_BAD_LAYER_INDEX], layer 1 ('b')"), "\($0)")
        }
        var fine = model
        fine.layers[1].residualIndex = -1
        XCTAssertNil(open(try Packer.pack(fine).bytes))
    }

    func testIntactFileOpens() {
        XCTAssertNil(open(bytes))
        XCTAssertTrue(model.layers.contains { $0.residualIndex >= 0 }, "fixture should have a residual block")
    }

    func testTruncatedAtEveryOffset() {
        for length in 0..<bytes.count {
            XCTAssertEqual(open(Array(bytes[0..<length]))?.code, .truncated, "truncated to \(length) bytes")
        }
    }

    func testHeaderErrors() {
        var b = bytes
        b[0] = UInt8(ascii: "X")
        XCTAssertEqual(open(b)?.code, .badMagic)
        b = bytes; b[F.offVersionMajor] = 2
        XCTAssertEqual(open(b)?.code, .unsupportedVersion)
        b = bytes; b[b.count - 1] ^= 0x01
        XCTAssertEqual(open(b)?.code, .checksumMismatch)
        b = bytes; b[F.offChecksum] ^= 0x80
        XCTAssertEqual(open(b)?.code, .checksumMismatch)
        XCTAssertEqual(codeAfter { self.put32(&$0, F.offFileBytes, 40) }, .sectionOutOfRange)
    }

    func testSectionErrors() {
        let table = u32(bytes, F.offSectionTable)
        XCTAssertEqual(codeAfter { self.put32(&$0, table + 4, 1 << 30) }, .sectionOutOfRange, "offset beyond file")
        XCTAssertEqual(codeAfter { self.put32(&$0, table + 4, self.u32($0, table + 4) + 4) }, .sectionOutOfRange, "misaligned")
        XCTAssertEqual(codeAfter { self.put32(&$0, table + 16, 99) }, .missingSection, "layers section renamed")
        XCTAssertEqual(codeAfter { self.put32(&$0, table + 16, Int(SectionKind.model.rawValue)) }, .missingSection, "duplicate")
        XCTAssertEqual(codeAfter { self.put32(&$0, F.offSectionCount, 17) }, .sectionOutOfRange)
    }

    func testLayerRecordErrors() {
        let w = firstWeighted
        let r = record(bytes, w)
        XCTAssertEqual(codeAfter { $0[r + F.offKind] = 9 }, .badLayerRecord)
        XCTAssertEqual(codeAfter { $0[r + F.offWeightBits] = 6 }, .badLayerRecord)
        XCTAssertEqual(codeAfter { $0[r + F.offLayerFlags] = 1 }, .badLayerRecord)
        XCTAssertEqual(codeAfter { $0[r + 60] = 1 }, .badLayerRecord, "reserved byte")
        XCTAssertEqual(codeAfter { self.put16(&$0, r + F.offOutH, self.model.layers[w].outH + 1) }, .shapeMismatch)
        XCTAssertEqual(codeAfter { self.put16(&$0, r + F.offInC, self.model.layers[w].inC + 1) }, .shapeMismatch)
        XCTAssertEqual(codeAfter { self.put16(&$0, r + F.offInputIndex, w) }, .badLayerIndex, "reads itself")
        XCTAssertEqual(codeAfter { self.put16(&$0, r + F.offLastReader, 0x7FFF) }, .badLayerIndex)
        let last = model.layers.count - 1
        XCTAssertEqual(codeAfter { $0[self.record($0, last) + F.offActivation] = 1 }, .badOutputLayer)
    }

    func testTensorAndQuantisationErrors() {
        let w = firstWeighted
        let r = record(bytes, w)
        let data = section(bytes, .data)
        XCTAssertEqual(codeAfter { self.put32(&$0, r + F.offWeightOffset, data.offset + data.length) }, .tensorOutOfRange)
        XCTAssertEqual(codeAfter { self.put32(&$0, r + F.offWeightOffset, self.u32($0, r + F.offWeightOffset) + 1) }, .tensorOutOfRange)
        XCTAssertEqual(codeAfter { self.put32(&$0, r + F.offBiasOffset, 16) }, .tensorOutOfRange, "points into the header")
        XCTAssertEqual(codeAfter { self.put32(&$0, r + F.offRowCount, self.u32($0, r + F.offRowCount) + 1) }, .tensorOutOfRange)
        let m = u32(bytes, r + F.offMultiplierOffset)
        XCTAssertEqual(codeAfter { self.put32(&$0, m, 0) }, .badQuantization, "multiplier 0")
        XCTAssertEqual(codeAfter { self.put32(&$0, m, -5) }, .badQuantization, "negative multiplier")
        XCTAssertEqual(codeAfter { $0[r + F.offShift] = 49 }, .badQuantization)
        let b0 = u32(bytes, r + F.offBiasOffset)
        XCTAssertEqual(codeAfter { $0[b0 + 6] = 0x80 }, .badQuantization, "bias ≥ 2^47")
        let counts = u32(bytes, r + F.offRowCountsOffset)
        XCTAssertEqual(codeAfter { self.put32(&$0, counts, self.u32($0, counts) + 1) }, .badRowCounts)
        if model.layers[w].weightBits == 8 {
            let wo = u32(bytes, r + F.offWeightOffset)
            XCTAssertEqual(codeAfter { $0[wo] = 0x80 }, .weightOutOfRange, "int8 −128")
        }
    }

    func testOverflowRiskIsRejected() {
        // An analog linear layer with fan-in 300 and |q| = 127: acc reaches 300·127·255 ≈ 2^23.3;
        // with M = 2^31 − 1 and k = T ≤ 255, M·acc·k could exceed 2^62.
        let fanIn = 300
        var layer = PackableLayer(name: "fc", kind: .linear, inputIndex: -1, inC: 3, inH: 10, inW: 10,
                                  outC: 2, outH: 1, outW: 1, weightBits: 8, shift: 20, activation: .none,
                                  weights: Array(repeating: 127, count: 2 * fanIn), multipliers: [Int32.max, 1],
                                  biases: [0, 0])
        let overflowing = PackableModel(name: "o", inputChannels: 3, inputHeight: 10, inputWidth: 10,
                                        defaultTimesteps: 4, layers: [layer])
        XCTAssertThrowsError(try Packer.pack(overflowing)) {
            XCTAssertTrue("\($0)".contains("JOULE_E_BAD_QUANTIZATION"), "\($0)")
        }
        layer.multipliers = [1 << 20, 1]
        let safe = PackableModel(name: "s", inputChannels: 3, inputHeight: 10, inputWidth: 10,
                                 defaultTimesteps: 4, layers: [layer])
        XCTAssertNoThrow(try Packer.pack(safe))
    }

    func testArenaPlanErrors() {
        let plans = section(bytes, .plans).offset
        let n = model.layers.count
        let block1 = plans + F.planHeaderBytes + (F.planModeHeaderBytes + n * F.planLayerEntryBytes)
        XCTAssertEqual(codeAfter { self.put32(&$0, plans, 2) }, .badArenaPlan, "mode count")
        XCTAssertEqual(codeAfter { self.put32(&$0, block1 + 4, 16) }, .badArenaPlan, "arena smaller than a buffer")
        XCTAssertEqual(codeAfter { self.put32(&$0, block1 + 12, 3) }, .badArenaPlan, "input size")
        // Layer 0's output shrunk below its requirement.
        let entry0 = block1 + F.planModeHeaderBytes
        XCTAssertEqual(codeAfter { self.put32(&$0, entry0 + 4, 1) }, .badArenaPlan)
        // Layer 1's output moved onto layer 0's output while both are live.
        XCTAssertEqual(codeAfter {
            self.put32(&$0, entry0 + F.planLayerEntryBytes, self.u32($0, entry0))
        }, .badArenaPlan, "overlapping live buffers")
    }

    func testPackedCodeWidthIsValidated() {
        let plans = section(bytes, .plans).offset
        XCTAssertNil(open(bytes))
        XCTAssertNil(open(compactBytes))
        XCTAssertEqual(compactBytes[plans + F.offPlanQNNCodeBits], 3, "T = 6: 3 bits per code")
        XCTAssertEqual(codeAfter { $0[plans + F.offPlanQNNCodeBits] = 9 }, .badArenaPlan, "more than 8 bits")
        // A byte plan's outputs are large enough for any width: marking it packed stays valid.
        XCTAssertNil(codeAfter { $0[plans + F.offPlanQNNCodeBits] = 2 })
        // A packed plan's outputs are too small for bytes (or wider codes).
        var b = compactBytes
        b[plans + F.offPlanQNNCodeBits] = 0
        Packer.sealChecksum(&b)
        XCTAssertEqual(open(b)?.code, .badArenaPlan, "packed outputs read as one byte per code")
        b[plans + F.offPlanQNNCodeBits] = 5
        Packer.sealChecksum(&b)
        XCTAssertEqual(open(b)?.code, .badArenaPlan, "3-bit outputs read as 5-bit")
    }

    func testRunRefusesTimestepsBeyondThePackedWidth() throws {
        let file = try PackedModelFile(bytes: compactBytes, name: "c")
        XCTAssertEqual(file.model.plan(.qnn).codeBits, 3)
        let input = RandomModels.input(for: model, seed: 3)
        let runner = try ModelRunner(file: file, mode: .qnn)
        for t in 1...7 { XCTAssertNoThrow(try runner.run(input: input, timesteps: t), "T \(t) fits 3 bits") }
        for t in [8, 15, 255] {
            XCTAssertThrowsError(try runner.run(input: input, timesteps: t)) {
                XCTAssertTrue("\($0)".contains("JOULE_E_TIMESTEPS_EXCEED_PLAN"), "\($0)")
            }
        }
        // The core's error, before the arena is touched.
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: file.model.plan(.qnn).arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: file.model, arena: arena, mode: .qnn)
        XCTAssertThrowsError(try interpreter.check(timesteps: 8)) {
            XCTAssertEqual(($0 as? JouleError)?.code, .timestepsExceedPlan)
        }
        XCTAssertThrowsError(try interpreter.run(timesteps: 8, counters: UnsafeMutableBufferPointer(start: nil, count: 0))) {
            XCTAssertEqual(($0 as? JouleError)?.code, .timestepsExceedPlan)
        }
        // A refused run leaves the QNN usable; the layer-wise SNN plan does not pack and takes any
        // T; the compact streaming plan sized its state for the default T and refuses more, naming
        // the first layer whose state is too small.
        XCTAssertNoThrow(try runner.run(input: input, timesteps: 6))
        XCTAssertNoThrow(try ModelRunner(file: file, mode: .snnLayerwise).run(input: input, timesteps: 40))
        let streaming = try ModelRunner(file: file, mode: .snnStreaming)
        XCTAssertNoThrow(try streaming.run(input: input, timesteps: 6))
        XCTAssertThrowsError(try streaming.run(input: input, timesteps: 40)) {
            XCTAssertTrue("\($0)".contains("JOULE_E_TIMESTEPS_EXCEED_PLAN"), "\($0)")
        }
        // The default plan's streaming state serves every T.
        let wide = try PackedModelFile(bytes: try Packer.pack(model).bytes, name: "t")
        XCTAssertNoThrow(try ModelRunner(file: wide, mode: .snnStreaming).run(input: input, timesteps: 255))
    }

    func testArenaTooSmallAtBind() throws {
        let file = try PackedModelFile(bytes: bytes, name: "t")
        for mode in [ExecutionMode.qnn, .snnLayerwise, .snnStreaming] {
            let need = file.model.plan(mode).arenaBytes
            XCTAssertThrowsError(try ModelRunner(file: file, mode: mode, arenaBytes: need - 1)) {
                XCTAssertTrue("\($0)".contains("JOULE_E_ARENA_TOO_SMALL"), "\($0)")
            }
            XCTAssertNoThrow(try ModelRunner(file: file, mode: mode, arenaBytes: need))
        }
    }

    func testRunRejectsBadArguments() throws {
        let file = try PackedModelFile(bytes: bytes, name: "t")
        let runner = try ModelRunner(file: file, mode: .qnn)
        let input = RandomModels.input(for: model, seed: 1)
        XCTAssertThrowsError(try runner.run(input: input, timesteps: 0))
        XCTAssertThrowsError(try runner.run(input: input, timesteps: 256))
        XCTAssertThrowsError(try runner.run(input: Array(input.dropLast()), timesteps: 4))
    }

    func testFuzzedFilesNeverCrash() throws {
        var rng = TestRNG(2026)
        var opened = 0, rejected = 0
        for round in 0..<3000 {
            var b = round % 3 == 2 ? compactBytes : bytes
            let edits = rng.int(1...4)
            for _ in 0..<edits {
                let o = rng.int(0...(b.count - 1))
                switch rng.int(0...2) {
                case 0: b[o] = UInt8(rng.int(0...255))
                case 1: b[o] ^= UInt8(1 << rng.int(0...7))
                default: b[o] = [0, 0xFF, 0x7F, 0x80][rng.int(0...3)]
                }
            }
            if rng.chance(0.9) { Packer.sealChecksum(&b) }  // mostly reach the structural checks
            if rng.chance(0.1) { b = Array(b.prefix(rng.int(0...b.count))) }
            guard let file = try? PackedModelFile(bytes: b, name: "fuzz\(round)") else {
                rejected += 1
                continue
            }
            opened += 1
            // Whatever validated must also run without trapping, in every mode.
            for mode in [ExecutionMode.qnn, .snnLayerwise, .snnStreaming] {
                let runner = try ModelRunner(file: file, mode: mode)
                do {
                    _ = try runner.run(input: RandomModels.input(for: model, seed: UInt64(round)), timesteps: 1 + round % 16)
                } catch {
                    // The one run-time refusal a valid file may earn: T wider than its packed codes.
                    XCTAssertTrue("\(error)".contains("JOULE_E_TIMESTEPS_EXCEED_PLAN"), "\(error)")
                }
            }
        }
        print("fuzz: \(opened) mutated files validated and ran, \(rejected) rejected")
        XCTAssertGreaterThan(rejected, 1000)
    }
}
