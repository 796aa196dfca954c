import XCTest
import JouleEnergy

/// One conv and one linear layer, both twins, both families, against arithmetic done by hand.
/// Every expected number is written out from the board constants; accuracy 1e-9 pJ.
final class LayerEnergyHandComputedTests: XCTestCase {
    // conv 2→4 channels, 4×4 → 4×4, 3×3, stride 1, pad 1, 72 8-bit weights, T = 3 (2-bit codes).
    let conv = LayerGeometry(kind: .conv2d, inC: 2, inH: 4, inW: 4, outC: 4, outH: 4, outW: 4,
                             kernelH: 3, kernelW: 3, stride: 1, padding: 1, weightBits: 8,
                             weightCount: 72, nonZeroWeightCount: 70, inputBits: 2, outputBits: 2,
                             analogInput: false, emitsScores: false)
    var convQNN: EventCounters {
        var e = EventCounters()
        e.effectiveMACs = 500; e.inputEvents = 20; e.outputEvents = 30; e.outputLevelSum = 45
        e.neuronUpdates = 64; e.weightReadBits = 4800; e.activationReadBits = 300
        e.activationWriteBits = 128; e.inputTrafficBits = 64; e.outputTrafficBits = 128
        return e
    }
    var convSNN: EventCounters {
        var e = EventCounters()
        e.effectiveACs = 700; e.inputEvents = 40; e.outputEvents = 50; e.outputLevelSum = 50
        e.neuronUpdates = 192; e.membraneReads = 192; e.membraneWrites = 192
        e.weightReadBits = 9600; e.activationReadBits = 300; e.activationWriteBits = 192
        e.inputTrafficBits = 96; e.outputTrafficBits = 192
        return e
    }
    // linear 16 → 10, 160 4-bit weights, T = 6 (3-bit codes).
    let linear = LayerGeometry(kind: .linear, inC: 16, inH: 1, inW: 1, outC: 10, outH: 1, outW: 1,
                               kernelH: 1, kernelW: 1, stride: 1, padding: 0, weightBits: 4,
                               weightCount: 160, nonZeroWeightCount: 150, inputBits: 3, outputBits: 3,
                               analogInput: false, emitsScores: false)
    var linearQNN: EventCounters {
        var e = EventCounters()
        e.effectiveMACs = 90; e.inputEvents = 9; e.outputEvents = 6; e.neuronUpdates = 10
        e.weightReadBits = 360; e.activationReadBits = 27; e.activationWriteBits = 30
        e.inputTrafficBits = 48; e.outputTrafficBits = 30
        return e
    }
    var linearSNN: EventCounters {
        var e = EventCounters()
        e.effectiveACs = 120; e.inputEvents = 14; e.outputEvents = 9; e.neuronUpdates = 60
        e.membraneReads = 60; e.membraneWrites = 60; e.weightReadBits = 560; e.activationReadBits = 14
        e.activationWriteBits = 60; e.inputTrafficBits = 96; e.outputTrafficBits = 60
        return e
    }

    func energy(_ g: LayerGeometry, _ twin: Twin, _ t: Int, _ e: EventCounters, _ b: BoardProfile) -> EnergyBreakdown {
        LayerEnergyModel.energy(of: LayerWorkload(geometry: g, twin: twin, timesteps: t, events: e), on: b)
    }

    func assertParts(_ got: EnergyBreakdown, _ compute: Double, _ on: Double, _ off: Double, _ noc: Double,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.compute, compute, accuracy: 1e-9, "compute", file: file, line: line)
        XCTAssertEqual(got.onChipMemory, on, accuracy: 1e-9, "on-chip", file: file, line: line)
        XCTAssertEqual(got.offChipMemory, off, accuracy: 1e-9, "off-chip", file: file, line: line)
        XCTAssertEqual(got.network, noc, accuracy: 1e-9, "network", file: file, line: line)
        XCTAssertEqual(got.total, compute + on + off + noc, accuracy: 1e-9, "total", file: file, line: line)
    }

    // Paper v1 classic: every op/access at 8 bits; 20 pJ SRAM access, 2000 pJ DRAM access.
    func testConvQNNClassicV1() {
        // compute: 500 MACs × (0.2 + 0.03) + 64 requantisations × 0.03 = 115 + 1.92
        let compute = 116.92
        // SRAM: weights 4800 bits / 8 = 600 accesses × 20 = 12000; activation reads 300 bits / 2 = 150
        // accesses × 20 = 3000; writes 128 / 2 = 64 × 20 = 1280; partial sums 2 × 500 × 20 = 20000;
        // refill of the 72 weights loaded from DRAM 72 × 20 = 1440.
        let on = 12000.0 + 3000 + 1280 + 20000 + 1440
        // DRAM: 72 weights × 2000 (the layer fits 1 MiB: 576 + 32·2 + 64·2 bits).
        let off = 72.0 * 2000
        assertParts(energy(conv, .qnn, 3, convQNN, .paperV1Classic45nm), compute, on, off, 0)
    }

    func testConvSNNClassicV1() {
        // compute: 700 ACs × 0.03 + 192 neuron steps × (0.03 + 0.03) + 50 resets × 0.03
        let compute = 21.0 + 11.52 + 1.5
        // SRAM: weights 9600/8 = 1200 × 20 = 24000; spike reads 300 × 20 = 6000; spike writes
        // 192 × 20 = 3840; partial sums 2 × 700 × 20 = 28000; membranes (192 + 192) × 20 = 7680;
        // refill 72 × 20 = 1440.
        let on = 24000.0 + 6000 + 3840 + 28000 + 7680 + 1440
        let off = 72.0 * 2000
        assertParts(energy(conv, .snn, 3, convSNN, .paperV1Classic45nm), compute, on, off, 0)
    }

    /// The score layer (linear 16 → 10, no activation) of the SNN writes its 10 scores once, 32
    /// bits each — `EventCounters.activationWriteBits` = 320 — and they are priced as 10 writes
    /// of 32-bit values, as the QNN's are, not as 320 one-bit spikes.
    func testScoreLayerWritesPricedAtScoreWidthSNNClassicV1() {
        let scores = LayerGeometry(kind: .linear, inC: 16, inH: 1, inW: 1, outC: 10, outH: 1, outW: 1,
                                   kernelH: 1, kernelW: 1, stride: 1, padding: 0, weightBits: 8,
                                   weightCount: 160, nonZeroWeightCount: 160, inputBits: 3, outputBits: 32,
                                   analogInput: false, emitsScores: true)
        var e = EventCounters()
        e.activationWriteBits = 320
        // compute 0; SRAM: 320 bits / 32 = 10 writes × 20 = 200, refill of 160 weights × 20 = 3200;
        // DRAM: 160 weights × 2000.
        assertParts(energy(scores, .snn, 6, e, .paperV1Classic45nm), 0, 200 + 3200, 160.0 * 2000, 0)
        assertParts(energy(scores, .qnn, 6, e, .paperV1Classic45nm), 0, 200 + 3200, 160.0 * 2000, 0)
    }

    // Paper v1 dataflow: 20 pJ per local move, accumulators in registers, weights resident, no NoC price.
    func testConvQNNDataflowV1() {
        // compute as classic; on-chip: weights only, 600 accesses × 20.
        assertParts(energy(conv, .qnn, 3, convQNN, .paperV1Dataflow45nm), 116.92, 12000, 0, 0)
    }

    func testConvSNNDataflowV1() {
        // on-chip: weights 1200 × 20 = 24000 + membranes 384 × 20 = 7680.
        assertParts(energy(conv, .snn, 3, convSNN, .paperV1Dataflow45nm), 34.02, 24000 + 7680, 0, 0)
    }

    /// v1 classic prices with Horowitz width scaling switched on (add ∝ bits, multiply ∝ bits²).
    var scaledClassic: BoardProfile {
        var b = BoardProfile.paperV1Classic45nm
        b.operations.bitWidthScaling = true
        return b
    }

    func testLinearQNNClassicScaled() {
        // multiply 4×3 bits = 0.2 · 12/64 = 0.0375; add 8 bits 0.03; compare 0.03.
        // compute: 90 × (0.0375 + 0.03) + 10 × 0.03 = 6.075 + 0.3
        let compute = 6.375
        // SRAM per bit 2.5: weights 360 → 900; reads 27 → 67.5; writes 30 → 75;
        // partial sums 2 × 90 × 8 bits → 3600; refill 160 × 4 = 640 bits → 1600.
        let on = 900.0 + 67.5 + 75 + 3600 + 1600
        // DRAM: 640 bits × 250 pJ/bit.
        assertParts(energy(linear, .qnn, 6, linearQNN, scaledClassic), compute, on, 160000, 0)
    }

    func testLinearSNNClassicScaled() {
        // compute: 120 × 0.03 + 60 × 0.06 + 9 × 0.03 = 3.6 + 3.6 + 0.27
        let compute = 7.47
        // SRAM: weights 560 → 1400; spike reads 14 → 35; writes 60 → 150; partial sums 2 × 120 × 8 → 4800;
        // membranes 120 × 8 bits → 2400; refill 640 bits → 1600.
        let on = 1400.0 + 35 + 150 + 4800 + 2400 + 1600
        assertParts(energy(linear, .snn, 6, linearSNN, scaledClassic), compute, on, 160000, 0)
    }

    /// The paper v4 22 nm board as in Boards/paper-v4-neuromorphic-22nm.json.
    var v4: BoardProfile {
        BoardProfile(family: .dataflow,
                     operations: OperationEnergies(referenceBits: 16, addPJ: 0.05448, multiplyPJ: 0.3632,
                                                   comparePJ: 0.05448, bitWidthScaling: true),
                     memory: MemoryParameters(onChipPJPerBit: 0.156, offChipPJPerBit: 31.25, membranePJPerBit: 0.156,
                                              onChipBytes: 67_108_864, accumulatorBits: 16,
                                              partialSumAccessesPerSynapticOp: 0, activationsInOnChipMemory: false,
                                              weightsStationaryAcrossTimesteps: false),
                     network: NetworkOnChip(averageHops: 0.64, densePJPerBitHop: 0.25, sparsePJPerBitHop: 3.0,
                                            sparsePacketPJ: 0, qnnEncoding: .dense, snnEncoding: .sparse),
                     synapse: SynapseCalibration(reuseFactor: 216, fanIn: 2395, qnnDensity: 0.45))
    }

    func testLinearQNNDataflowV4() {
        // multiply 4×3 = 0.3632 · 12/256 = 0.017025; add 16 bits 0.05448; compare 0.05448.
        // compute: 90 × (0.017025 + 0.05448) + 10 × 0.05448 = 6.43545 + 0.5448
        let compute = 6.98025
        // on-chip: weight reads 360 bits × 0.156 = 56.16. NoC dense: 30 bits × 0.25 × 0.64 = 4.8.
        assertParts(energy(linear, .qnn, 6, linearQNN, v4), compute, 56.16, 0, 4.8)
    }

    func testLinearSNNDataflowV4() {
        // compute: 120 × 0.05448 + 60 × (0.05448 + 0.05448) + 9 × 0.05448 = 6.5376 + 6.5376 + 0.49032
        let compute = 13.56552
        // on-chip: weights 560 × 0.156 = 87.36; membranes 120 × 16 bits × 0.156 = 299.52.
        // NoC sparse: 9 spikes × 1 bit × 3.0 × 0.64 = 17.28.
        assertParts(energy(linear, .snn, 6, linearSNN, v4), compute, 87.36 + 299.52, 0, 17.28)
    }

    func testGeometryReuseFactors() {
        // 3×3 pad 1 over 4 positions: valid taps per axis 2 + 3 + 3 + 2 = 10 → 100 × 2 × 4 = 800 MACs.
        XCTAssertEqual(conv.denseOperations, 800)
        XCTAssertEqual(conv.weightReuseFactor, 800.0 / 72, accuracy: 1e-12)
        XCTAssertEqual(conv.inputReuseFactor, 800.0 / 32, accuracy: 1e-12)
        XCTAssertEqual(conv.fanIn, 18)
        XCTAssertEqual(linear.denseOperations, 160)
        XCTAssertEqual(linear.weightReuseFactor, 1)
        // stride 2, no padding, 2×2 pooling of 4×4: 2 outputs × 2 taps per axis.
        let pool = LayerGeometry(kind: .avgPool, inC: 3, inH: 4, inW: 4, outC: 3, outH: 2, outW: 2,
                                 kernelH: 2, kernelW: 2, stride: 2, padding: 0, weightBits: 0, weightCount: 0,
                                 nonZeroWeightCount: 0, inputBits: 2, outputBits: 2, analogInput: false, emitsScores: false)
        XCTAssertEqual(pool.denseOperations, 48)
        XCTAssertEqual(pool.weightReuseFactor, 0)
    }
}
