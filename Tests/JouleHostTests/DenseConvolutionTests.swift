import Foundation
import JouleCore
import JouleHost
import XCTest

/// The dense convolution (`Kernels/x86/DenseConvolution*.swift`, x86 builds with AVX2 or AVX-512
/// VNNI; `Kernels/arm/DenseConvolutionNEON.swift` through its plain C in the host build of `neon`)
/// against the independent reference (`ReferenceModel`), the event gather and the plain kernels,
/// on random stride-1 models, and at the bounds of its 16-bit accumulation.
final class DenseConvolutionTests: XCTestCase {
    /// Runs `model` under every kernel policy and as a compact plan against the reference
    /// (`KernelAgreement`); returns the kernels of the forced-dense run (no `.denseConvolution`
    /// where the kernel is not built).
    @discardableResult
    func checkAgainstReference(_ model: PackableModel, input: [UInt8], timesteps t: Int, label: String) throws -> [LayerKernel] {
        try KernelAgreement.check(model, input: input, timesteps: t, label: label)[.dense] ?? []
    }

    /// Whether this build contains the dense convolution (`DenseBlock.built`, from the build's
    /// `JOULE_ISA`), decided by the build, never by what ran: where it does, every dense check of
    /// a test must see the kernel run.
    let denseBuilt = DenseBlock.built != .none

    /// Ends a test as skipped where the build has no dense convolution, after the comparisons
    /// against the reference that ran on the other kernels.
    func skipUnlessDenseBuilt() throws {
        try XCTSkipUnless(denseBuilt, "this build has no dense convolution (JOULE_ISA portable): "
                          + "the comparisons ran on the other kernels; the dense checks need avx2, avx512vnni or neon")
    }

    func testMatchesReferenceOnRandomStrideOneModels() throws {
        var denseLayers = 0, firstLayers = 0
        for seed in UInt64(800)...830 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 4), wide: true, unitStride: true, int8: true)
            let input = RandomModels.input(for: model, seed: seed)
            // The same input kept only in its top-left ninth: windows elsewhere are empty, so the
            // dense kernel's group masks skip most of the work.
            let (h, w) = (model.inputHeight, model.inputWidth)
            let patch = input.indices.map { i in (i % (h * w)) / w < (h + 2) / 3 && i % w < (w + 2) / 3 ? input[i] : 0 }
            for t in [1, 2, 6, 15] {
                for (name, x) in [("dense input", input), ("patch input", patch)] {
                    let kernels = try checkAgainstReference(model, input: x, timesteps: t, label: "seed \(seed) \(name)")
                    denseLayers += kernels.filter { $0 == .denseConvolution }.count
                    if kernels.first == .denseConvolution { firstLayers += 1 }
                }
            }
            // Above T = 15 the codes exceed 4 bits and the thresholds' table: the dense kernel
            // must step aside for every layer, the model input's too, and results stay exact.
            for t in [16, 40] {
                let kernels = try checkAgainstReference(model, input: input, timesteps: t, label: "seed \(seed)")
                XCTAssertFalse(kernels.contains(.denseConvolution), "seed \(seed) T \(t): no dense layer")
            }
        }
        try skipUnlessDenseBuilt()
        XCTAssertGreaterThan(denseLayers, 60, "the dense kernel must really run for the comparison to mean anything")
        XCTAssertGreaterThan(firstLayers, 5, "first layers (input bytes up to 255, 16-bit values) through the dense kernel")
    }

    /// One 3×3 convolution whose every input is the largest value and every weight the same:
    /// each 16-bit lane of the accumulation reaches its bound, so one step more before widening
    /// would overflow and change the codes. At ±127 the weights leave no group within budget
    /// and `K = ⌊32767 / (256 · m)⌋` taps are added (`K · 2 · 127 · m ≤ 32767`); at 60 (codes
    /// of 6) a group adds 6 · 9 · 120 = 6,480 and 5 groups are (32,400), at 14 (codes of 15)
    /// 15 · 9 · 28 = 3,780 and 8 groups (30,240) — a sixth or ninth would overflow. Output
    /// scaled so that a 2^16 error moves a code.
    func testAccumulationBoundsAreExact() throws {
        for (t, weight, inC) in [(15, Int8(-127), 64), (15, Int8(127), 64), (6, Int8(-127), 128), (6, Int8(127), 40),
                                 (1, Int8(-127), 200), (6, Int8(60), 64), (6, Int8(-60), 96), (15, Int8(14), 64),
                                 (15, Int8(-14), 80)] {
            let h = 6, w = 7
            // Every code T (large producer bias); the interior sums (9 · inC · t · weight) centred.
            let model = ExtremeModels.make(name: "bounds", inC: inC, h: h, w: w, timesteps: t, weight: weight,
                                           centred: Int64(9 * inC * t) * Int64(weight), producerMultiplier: 1,
                                           producerBias: Int64(t) * 256)
            let input = [UInt8](repeating: 7, count: h * w)
            let codes = ReferenceModel(model: model).run(input: input, timesteps: t).layerValues
            XCTAssertTrue(codes[0].allSatisfy { $0 == t }, "T \(t): the producer saturates")
            XCTAssertTrue(Set(codes[1]).count > 1, "T \(t): the codes under test are not all clamped")
            let kernels = try checkAgainstReference(model, input: input, timesteps: t, label: "bounds w \(weight) inC \(inC)")
            guard denseBuilt else { continue }
            XCTAssertEqual(kernels[1], .denseConvolution, "bounds w \(weight) inC \(inC): the layer under test runs dense")
            if inC % 16 == 0 {
                XCTAssertEqual(kernels[0], .denseConvolution, "the 1×1 first layer (8-bit input) runs dense too")
            }
        }
        try skipUnlessDenseBuilt()
    }

    /// The counters of a dense layer from its channels-last copy at the bound of their 16-bit
    /// per-channel totals (`countDenseInputVNNI` on AVX-512 VNNI hosts: ⌊32767 / (15 · inW)⌋
    /// rows a total): every code 15, 64 pixels a row, so a total over 34 rows reaches 32,640 in
    /// the layer-wise SNN (values counted) and one row more would wrap; 36 rows take two
    /// totals. Counters against the reference under every policy (`KernelAgreement`).
    func testCounterTotalsAtTheirBound() throws {
        let t = 15, h = 36, w = 64
        let model = ExtremeModels.make(name: "totals", inC: 32, h: h, w: w, timesteps: t, weight: 3,
                                       centred: Int64(9 * 32 * t) * 3, producerMultiplier: 1,
                                       producerBias: Int64(t) * 256)
        let input = [UInt8](repeating: 7, count: h * w)
        XCTAssertTrue(ReferenceModel(model: model).run(input: input, timesteps: t).layerValues[0].allSatisfy { $0 == t },
                      "every input of the layer under test is 15")
        let kernels = try checkAgainstReference(model, input: input, timesteps: t, label: "totals")
        try skipUnlessDenseBuilt()
        XCTAssertEqual(kernels[1], .denseConvolution, "the layer under test runs dense")
    }

    /// The input copies' other shapes: a model input of 4–9 channels (wide: 16-bit values, odd
    /// channel counts leaving half a pair, not folded) and a convolution reading codes of 1
    /// channel (folded), 1×1 to 5×5 kernels.
    func testCopiesOfWideInputsAndFoldedCodes() throws {
        var dense = 0
        for (index, (inC, h, w, k)) in [(4, 5, 21, 3), (5, 3, 16, 3), (9, 4, 35, 5), (6, 6, 18, 1)].enumerated() {
            var rng = TestRNG(UInt64(900 + index))
            var first = PackableLayer(name: "c1", kind: .conv2d, inputIndex: -1, inC: inC, inH: h, inW: w, outC: 16,
                                      outH: h, outW: w, kernelH: k, kernelW: k, strideH: 1, strideW: 1, padH: k / 2, padW: k / 2)
            RandomModels.fillWeights(&first, fanIn: inC * k * k, analog: true, rng: &rng, timesteps: 6, int8: true)
            // 16 channels of codes, rows of 16 and more pixels: the one-plane vectorised copy.
            var middle = PackableLayer(name: "c1b", kind: .conv2d, inputIndex: 0, inC: 16, inH: h, inW: w, outC: 16,
                                       outH: h, outW: w, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1)
            RandomModels.fillWeights(&middle, fanIn: 16 * 9, analog: false, rng: &rng, timesteps: 6, int8: true)
            // One channel of codes for the folded layer: the 1×1 layer narrowing 16 → 1 does not
            // run dense (outC % 16), it runs the plain kernel; the next one folds.
            var narrow = PackableLayer(name: "c2", kind: .conv2d, inputIndex: 1, inC: 16, inH: h, inW: w, outC: 1,
                                       outH: h, outW: w, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0)
            RandomModels.fillWeights(&narrow, fanIn: 16, analog: false, rng: &rng, timesteps: 6, int8: true)
            var folded = PackableLayer(name: "c3", kind: .conv2d, inputIndex: 2, inC: 1, inH: h, inW: w, outC: 32,
                                       outH: h, outW: w, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1)
            RandomModels.fillWeights(&folded, fanIn: 9, analog: false, rng: &rng, timesteps: 6, int8: true)
            var head = PackableLayer(name: "fc", kind: .linear, inputIndex: 3, inC: 32, inH: h, inW: w, outC: 4,
                                     outH: 1, outW: 1, activation: .none)
            RandomModels.fillWeights(&head, fanIn: 32 * h * w, analog: false, rng: &rng, timesteps: 6, int8: true)
            let model = PackableModel(name: "copies\(index)", inputChannels: inC, inputHeight: h, inputWidth: w,
                                      defaultTimesteps: 6, layers: [first, middle, narrow, folded, head])
            let input = RandomModels.input(for: model, seed: UInt64(index))
            for t in [3, 6] {
                let kernels = try checkAgainstReference(model, input: input, timesteps: t, label: "copies \(index)")
                dense += kernels.filter { $0 == .denseConvolution }.count
                if kernels[0] == .denseConvolution {
                    XCTAssertEqual(kernels[1], .denseConvolution, "copies \(index): the 16-channel layer runs dense")
                    XCTAssertEqual(kernels[3], .denseConvolution, "copies \(index): the 1-channel layer runs dense, folded")
                }
            }
        }
        try skipUnlessDenseBuilt()
        XCTAssertEqual(dense, 24)
    }

    /// Small outputs fold too: a 32 → 64 convolution from 4 × 4 to 2 × 2 pixels (VGG*'s last
    /// convolution in small) runs as one block of its 4 pixels over 288 folded channels — 72
    /// groups, two mask words — and a 1-channel layer of 9 × 5 pixels as rows of 45 (a last
    /// block of 1 pixel). Results, spike counts and counters against the reference at several
    /// `T`, dense and patchy inputs.
    func testFoldsSmallOutputsAcrossMaskWords() throws {
        var rng = TestRNG(950)
        func conv(_ name: String, from: Int, _ inC: Int, _ outC: Int, _ h: Int, _ w: Int, pad: Int, analog: Bool = false) -> PackableLayer {
            var c = PackableLayer(name: name, kind: .conv2d, inputIndex: from, inC: inC, inH: h, inW: w, outC: outC,
                                  outH: h + 2 * pad - 2, outW: w + 2 * pad - 2, kernelH: 3, kernelW: 3, strideH: 1,
                                  strideW: 1, padH: pad, padW: pad)
            RandomModels.fillWeights(&c, fanIn: inC * 9, analog: analog, rng: &rng, timesteps: 6, int8: true)
            return c
        }
        var head = PackableLayer(name: "fc", kind: .linear, inputIndex: 2, inC: 64, inH: 2, inW: 2, outC: 5,
                                 outH: 1, outW: 1, activation: .none)
        RandomModels.fillWeights(&head, fanIn: 64 * 4, analog: false, rng: &rng, timesteps: 6, int8: true)
        let small = PackableModel(name: "small-out", inputChannels: 3, inputHeight: 6, inputWidth: 6, defaultTimesteps: 6,
                                  layers: [conv("c1", from: -1, 3, 32, 6, 6, pad: 1, analog: true),
                                           conv("c2", from: 0, 32, 32, 6, 6, pad: 0), conv("c3", from: 1, 32, 64, 4, 4, pad: 0),
                                           head])
        var tall = PackableLayer(name: "fc", kind: .linear, inputIndex: 0, inC: 16, inH: 9, inW: 5, outC: 3,
                                 outH: 1, outW: 1, activation: .none)
        RandomModels.fillWeights(&tall, fanIn: 16 * 45, analog: false, rng: &rng, timesteps: 6, int8: true)
        let oneChannel = PackableModel(name: "one-channel", inputChannels: 1, inputHeight: 9, inputWidth: 5,
                                       defaultTimesteps: 6, layers: [conv("c1", from: -1, 1, 16, 9, 5, pad: 1, analog: true), tall])
        var dense = 0
        for (model, folded) in [(small, 2), (oneChannel, 0)] {
            let input = RandomModels.input(for: model, seed: 951)
            let patch = input.enumerated().map { i, v in i % 7 < 2 ? v : 0 }
            for t in [1, 6, 15] {
                for (name, x) in [("dense input", input), ("patchy input", patch)] {
                    let kernels = try checkAgainstReference(model, input: x, timesteps: t, label: "\(model.name) T \(t) \(name)")
                    if kernels[folded] == .denseConvolution { dense += 1 }
                }
            }
        }
        try skipUnlessDenseBuilt()
        XCTAssertEqual(dense, 12, "both folded layers run dense under the forced policy")
    }

    /// The build contains the instruction-set kernels its `JOULE_ISA` names (Package.swift's table):
    /// `Tools/test` exports the variable it built with, so a build that silently lost its flags
    /// (a manifest change, a stale cache) fails here instead of skipping the dense tests.
    func testBuildHasTheKernelsItsInstructionSetNames() throws {
        guard let isa = ProcessInfo.processInfo.environment["JOULE_ISA"], !isa.isEmpty else {
            throw XCTSkip("JOULE_ISA not set: the test cannot know which build was asked for")
        }
        let expected: [String: DenseBlock] = ["portable": .none, "neon": .armDot, "avx2": .avx2, "avx512vnni": .avx512VNNI]
        XCTAssertEqual(DenseBlock.built, expected[isa], "JOULE_ISA=\(isa)")
    }

    /// The automatic policy's cost model: sparse inputs to the event kernels, dense ones to the
    /// dense kernel, W1's last convolution (folded: 4 pixels, one block) to the dense kernel.
    func testCostModelPrefersEventsForSparseInputs() throws {
        func layer(inC: Int, outC: Int, size: Int, pad: Int) throws -> WeightedLayer {
            var conv = PackableLayer(name: "c", kind: .conv2d, inputIndex: -1, inC: inC, inH: size, inW: size, outC: outC,
                                     outH: size + 2 * pad - 2, outW: size + 2 * pad - 2, kernelH: 3, kernelW: 3,
                                     strideH: 1, strideW: 1, padH: pad, padW: pad)
            conv.weightBits = 8
            conv.weights = Array(repeating: 1, count: outC * inC * 9)
            conv.shift = 8
            conv.multipliers = Array(repeating: 1, count: outC)
            conv.biases = Array(repeating: 0, count: outC)
            var head = PackableLayer(name: "fc", kind: .linear, inputIndex: 0, inC: outC, inH: size + 2 * pad - 2,
                                     inW: size + 2 * pad - 2, outC: 2, outH: 1, outW: 1, activation: .none)
            head.weightBits = 8
            head.weights = Array(repeating: 1, count: 2 * head.inputCount)
            head.shift = 8
            head.multipliers = [1, 1]
            head.biases = [0, 0]
            let packed = try RuntimeHarness(PackableModel(name: "m", inputChannels: inC, inputHeight: size, inputWidth: size,
                                                          defaultTimesteps: 6, layers: [conv, head]))
            return WeightedLayer(packed.file.model.layer(0), in: packed.file.model)
        }
        // watch-net's conv4 shape (64 → 64, 14 × 14): trained inputs are ≈ 5 % non-zero, seeded ≈ 40 %.
        // Every (block, group) pair active: 14 rows × 4 blocks × 16 groups.
        let w2 = try layer(inC: 64, outC: 64, size: 14, pad: 1)
        let inputs = 64 * 14 * 14, allGroups = 49 * 16  // 49 blocks of 4 of the 196 pixels
        let vnni = DenseBlock.built == .avx512VNNI
        if vnni {
            // The VNNI block does a group in half the AVX2 block's time (measured, Zen 5, trained
            // watch-net at T = 6: its conv4 dense 16.7 µs against the event scatter's 33.2 µs).
            XCTAssertTrue(w2.prefersDense(nonZero: inputs * 5 / 100, activeGroups: allGroups),
                          "VNNI: scattered sparse input still dense")
        } else {
            XCTAssertFalse(w2.prefersDense(nonZero: inputs * 5 / 100, activeGroups: allGroups),
                           "scattered sparse input: every group active somewhere, events few")
        }
        XCTAssertTrue(w2.prefersDense(nonZero: inputs * 40 / 100, activeGroups: allGroups))
        XCTAssertTrue(w2.prefersDense(nonZero: inputs * 5 / 100, activeGroups: allGroups / 8),
                      "clustered sparse input: most blocks see few active groups")
        // VGG*'s last convolution shape (512 → 1024 on 4 × 4, no padding: 4 output pixels): it
        // folds, its 4 pixels one block over 1,152 groups of folded taps, and its 4.7 MB of
        // (prepacked) weights are read once per run. Measured on the seeded input (40 % non-zero,
        // Zen 3): dense 245 µs against the event scatter's 387 µs alone, 400 against 530 µs
        // interleaved with the SNN.
        let w1 = try layer(inC: 512, outC: 1024, size: 4, pad: 0)
        XCTAssertTrue(w1.prefersDense(nonZero: 512 * 16 * 4 / 10, activeGroups: 1_152))
        XCTAssertLessThan(w1.densePicoseconds(activeGroups: 1_152)!,
                          w1.scatterPicoseconds(nonZero: 512 * 16 * 4 / 10, maxValue: 6))
        // The event scatter (measured on these shapes, Zen 3): fastest on the trained, sparse
        // watch-net input; slower than the dense kernel on a dense one; and on VGG*'s last
        // convolution, where each event's weight rows are read once instead of once per output
        // pixel, faster than the gather even at 40 % non-zero.
        let sparse = inputs * 5 / 100, dense = inputs * 40 / 100
        XCTAssertLessThan(w2.scatterPicoseconds(nonZero: sparse, maxValue: 6), w2.gatherPicoseconds(nonZero: sparse))
        if !vnni {
            XCTAssertLessThan(w2.scatterPicoseconds(nonZero: sparse, maxValue: 6),
                              w2.densePicoseconds(activeGroups: allGroups)!)
        }
        XCTAssertGreaterThan(w2.scatterPicoseconds(nonZero: dense, maxValue: 6),
                             w2.densePicoseconds(activeGroups: allGroups)!)
        XCTAssertLessThan(w1.scatterPicoseconds(nonZero: 512 * 16 * 4 / 10, maxValue: 6),
                          w1.gatherPicoseconds(nonZero: 512 * 16 * 4 / 10))
        // The layer-wise SNN at T = 6 (measured per layer, Zen 3, one interleaved run each): on
        // watch-net's conv2 shape the trained input's 3,020 spikes go faster through the scatter
        // over spike trains (190 vs 420 µs), the seeded input's 33,377 through the per-step gather
        // (690 vs 1,060 µs); on VGG*'s 256 → 256 16 × 16 layer the seeded 158,748 spikes through
        // the gather (21.0 vs 25.4 ms), on its 512 → 512 8 × 8 layer (2.4 MB of weights) the
        // seeded 81,518 through the scatter (20.7 vs 26.3 ms).
        func scatterWins(_ w: WeightedLayer, spikes: Int) -> Bool {
            w.spikeScatterPicoseconds(spikes: spikes, timesteps: 6) < w.spikeGatherPicoseconds(spikes: spikes, timesteps: 6)
        }
        let conv2 = try layer(inC: 32, outC: 32, size: 28, pad: 1)
        XCTAssertTrue(scatterWins(conv2, spikes: 3_020), "trained watch-net conv2")
        XCTAssertFalse(scatterWins(conv2, spikes: 33_377), "seeded watch-net conv2")
        XCTAssertFalse(scatterWins(try layer(inC: 256, outC: 256, size: 16, pad: 1), spikes: 158_748), "VGG* conv4")
        XCTAssertTrue(scatterWins(try layer(inC: 512, outC: 512, size: 8, pad: 1), spikes: 81_518), "VGG* conv6")
    }

    /// Prepacking wants a 32-byte aligned buffer of at least `prepackBytes`: anything less is an
    /// error, not a trap; what it lays out equals the per-run re-laying (`KernelAgreement` runs
    /// both).
    func testPrepackRejectsSmallOrMisalignedBuffers() throws {
        let model = RandomModels.make(seed: 801, layers: 3, wide: true, unitStride: true, int8: true)
        let harness = try RuntimeHarness(model)
        let bytes = Interpreter.prepackBytes(for: harness.file.model)
        try skipUnlessDenseBuilt()
        XCTAssertGreaterThan(bytes, 0, "a model with stride-1 int8 convolutions has dense weights to prepack")
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: harness.file.model.plan(.qnn).arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes + 64, alignment: 32)
        defer { buffer.deallocate() }
        var interpreter = try Interpreter(model: harness.file.model, arena: arena, mode: .qnn)
        XCTAssertThrowsError(try interpreter.prepack(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(bytes - 1)])))
        XCTAssertThrowsError(try interpreter.prepack(into: UnsafeMutableRawBufferPointer(rebasing: buffer[16..<(bytes + 16)])))
        XCTAssertNoThrow(try interpreter.prepack(into: UnsafeMutableRawBufferPointer(rebasing: buffer[32..<(bytes + 32)])))
    }

    /// One prepacked copy serves the QNN and the layer-wise SNN of a model (`sharePrepack`, as
    /// `joule bench` runs them): the sharing runner holds none of its own and gives the scores,
    /// counters and kernels of a runner with its own copy; the streaming SNN and another model's
    /// interpreter are refused.
    func testSharedPrepackServesQNNAndLayerwiseSNN() throws {
        let model = RandomModels.make(seed: 802, layers: 4, wide: true, unitStride: true, int8: true)
        let harness = try RuntimeHarness(model)
        try skipUnlessDenseBuilt()
        XCTAssertGreaterThan(Interpreter.prepackBytes(for: harness.file.model), 0, "dense weights to prepack")
        let input = RandomModels.input(for: model, seed: 802)
        let owner = try ModelRunner(file: harness.file, mode: .qnn)
        XCTAssertGreaterThan(owner.prepackedBytes, 0)
        for mode in [ExecutionMode.qnn, .snnLayerwise] {
            let shared = try ModelRunner(file: harness.file, mode: mode, sharingPrepackOf: owner)
            let own = try ModelRunner(file: harness.file, mode: mode)
            XCTAssertEqual(shared.prepackedBytes, 0, "\(mode): reads the owner's copy")
            for policy in [ConvolutionKernelPolicy.automatic, .dense] {
                shared.convolutionKernel = policy
                own.convolutionKernel = policy
                for t in [3, 6] {
                    let a = try shared.run(input: input, timesteps: t), b = try own.run(input: input, timesteps: t)
                    XCTAssertEqual(a.scores, b.scores, "\(mode) \(policy) T \(t)")
                    XCTAssertEqual(a.counters, b.counters, "\(mode) \(policy) T \(t)")
                    XCTAssertEqual(shared.lastKernels, own.lastKernels, "\(mode) \(policy) T \(t)")
                }
            }
        }
        let streaming = try ModelRunner(file: harness.file, mode: .snnStreaming, sharingPrepackOf: owner)
        XCTAssertEqual(streaming.prepackedBytes, 0)
        // The core refuses what would be wrong: a streaming interpreter, another model's bytes.
        let other = try RuntimeHarness(model)
        let arenaBytes = [ExecutionMode.qnn, .snnLayerwise, .snnStreaming].map { harness.file.model.plan($0).arenaBytes }.max()!
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Interpreter.prepackBytes(for: other.file.model),
                                                            alignment: 32)
        defer { buffer.deallocate() }
        var first = try Interpreter(model: harness.file.model, arena: arena, mode: .qnn)
        try first.prepack(into: buffer)
        var another = try Interpreter(model: other.file.model, arena: arena, mode: .qnn)
        XCTAssertThrowsError(try another.sharePrepack(of: first), "another model's bytes")
        var stream = try Interpreter(model: harness.file.model, arena: arena, mode: .snnStreaming)
        XCTAssertThrowsError(try stream.sharePrepack(of: first), "the streaming SNN")
        var same = try Interpreter(model: harness.file.model, arena: arena, mode: .snnLayerwise)
        XCTAssertNoThrow(try same.sharePrepack(of: first))
    }
}
