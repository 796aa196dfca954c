import XCTest
import JouleEnergy

/// Monotonicity and fit properties of the layer model, and the width-scaling helpers.
final class EnergyPropertyTests: XCTestCase {
    let conv = LayerGeometry(kind: .conv2d, inC: 8, inH: 8, inW: 8, outC: 8, outH: 8, outW: 8,
                             kernelH: 3, kernelW: 3, stride: 1, padding: 1, weightBits: 8,
                             weightCount: 576, nonZeroWeightCount: 576, inputBits: 3, outputBits: 3,
                             analogInput: false, emitsScores: false)

    /// SNN events for `spikes` input spikes and `outSpikes` output spikes at `t` timesteps
    /// (8 visits per spike, 8 output channels per visit).
    func snnEvents(spikes: UInt64, outSpikes: UInt64, t: Int) -> EventCounters {
        var e = EventCounters()
        let neurons = UInt64(8 * 8 * 8 * t)
        e.effectiveACs = spikes * 64; e.inputEvents = spikes; e.outputEvents = outSpikes
        e.outputLevelSum = outSpikes; e.neuronUpdates = neurons; e.membraneReads = neurons
        e.membraneWrites = neurons; e.weightReadBits = spikes * 8 * 64; e.activationReadBits = spikes * 8
        e.activationWriteBits = neurons; e.inputTrafficBits = 512 * UInt64(t); e.outputTrafficBits = neurons
        return e
    }

    var boards: [BoardProfile] {
        var v4 = BoardProfile.paperV1Dataflow45nm
        v4.network = NetworkOnChip(averageHops: 0.64, densePJPerBitHop: 0.25, sparsePJPerBitHop: 3.0,
                                   sparsePacketPJ: 0, qnnEncoding: .dense, snnEncoding: .sparse)
        return [.paperV1Classic45nm, .paperV1Dataflow45nm, v4]
    }

    func total(_ e: EventCounters, t: Int, _ b: BoardProfile, geometry: LayerGeometry? = nil) -> EnergyBreakdown {
        LayerEnergyModel.energy(of: LayerWorkload(geometry: geometry ?? conv, twin: .snn, timesteps: t, events: e), on: b)
    }

    func testEnergyGrowsWithSpikes() {
        for b in boards {
            var last = -1.0
            for spikes: UInt64 in [0, 10, 100, 1000] {
                let e = total(snnEvents(spikes: spikes, outSpikes: spikes, t: 4), t: 4, b).total
                XCTAssertGreaterThan(e, last)
                last = e
            }
        }
    }

    func testEnergyGrowsWithTimesteps() {
        // Same spikes, more timesteps: more neuron updates and spike-map traffic.
        for b in boards {
            let e4 = total(snnEvents(spikes: 100, outSpikes: 100, t: 4), t: 4, b).total
            let e8 = total(snnEvents(spikes: 100, outSpikes: 100, t: 8), t: 8, b).total
            XCTAssertGreaterThan(e8, e4)
        }
        // Per synapse at a fixed spike rate.
        for b in boards {
            var last = 0.0
            for t in 1...16 {
                let e = SynapseCosts(board: b, timesteps: t, weightBits: 8).snnEnergy(spikeRate: 0.05)
                XCTAssertGreaterThan(e, last)
                last = e
            }
        }
    }

    func testEnergyGrowsWithHops() {
        var b = boards[2]
        var last = -1.0
        for hops in [0.0, 0.64, 1.5, 4.0] {
            b.network.averageHops = hops
            let e = total(snnEvents(spikes: 100, outSpikes: 80, t: 4), t: 4, b)
            XCTAssertGreaterThan(e.network, last)
            last = e.network
            XCTAssertGreaterThan(SynapseCosts(board: b, timesteps: 4, weightBits: 8).snnEnergy(spikeRate: 0.1)
                                 + 1e-12 * hops, 0)
        }
        b.network.averageHops = 1
        let lo = SynapseCosts(board: b, timesteps: 4, weightBits: 8).snnEnergy(spikeRate: 0.1)
        b.network.averageHops = 2
        XCTAssertGreaterThan(SynapseCosts(board: b, timesteps: 4, weightBits: 8).snnEnergy(spikeRate: 0.1), lo)
    }

    func testLayerThatFitsPaysNoExtraOffChipTraffic() {
        let b = BoardProfile.paperV1Classic45nm
        XCTAssertEqual(OnChipFit.tiles(conv, twin: .snn, board: b), 1)
        let e = total(snnEvents(spikes: 100, outSpikes: 80, t: 4), t: 4, b)
        // Exactly the compulsory once-per-inference weight load: 576 weights × 8 bits × 250 pJ/bit.
        XCTAssertEqual(e.offChipMemory, 576 * 2000, accuracy: 1e-9)
        // Dataflow with resident weights: nothing at all.
        XCTAssertEqual(total(snnEvents(spikes: 100, outSpikes: 80, t: 4), t: 4, .paperV1Dataflow45nm).offChipMemory, 0)
    }

    func testLayerThatDoesNotFitPaysExtraOffChipTraffic() {
        var b = BoardProfile.paperV1Classic45nm
        let fits = total(snnEvents(spikes: 100, outSpikes: 80, t: 4), t: 4, b)
        b.memory.onChipBytes = 512  // 4096 bits < weights 4608 + maps + membranes
        XCTAssertGreaterThan(OnChipFit.tiles(conv, twin: .snn, board: b), 1)
        let spills = total(snnEvents(spikes: 100, outSpikes: 80, t: 4), t: 4, b)
        XCTAssertGreaterThan(spills.offChipMemory, fits.offChipMemory)
        // Non-stationary SNN reloads weights every timestep: more T, more traffic.
        let spillsT8 = total(snnEvents(spikes: 100, outSpikes: 80, t: 8), t: 8, b)
        XCTAssertGreaterThan(spillsT8.offChipMemory, spills.offChipMemory)
        // Stationary weights cut that reload.
        var s = b
        s.memory.weightsStationaryAcrossTimesteps = true
        XCTAssertLessThan(total(snnEvents(spikes: 100, outSpikes: 80, t: 8), t: 8, s).offChipMemory,
                          spillsT8.offChipMemory)
    }

    func testStationaryWeightsReadEachWeightOnce() {
        var b = BoardProfile.paperV1Dataflow45nm
        let moving = total(snnEvents(spikes: 1000, outSpikes: 10, t: 4), t: 4, b)
        b.memory.weightsStationaryAcrossTimesteps = true
        let stationary = total(snnEvents(spikes: 1000, outSpikes: 10, t: 4), t: 4, b)
        // 576 weights × 20 pJ once, instead of 1000 spikes × 64 weights × 20 pJ.
        XCTAssertEqual(moving.onChipMemory - stationary.onChipMemory, (64_000.0 - 576) * 20, accuracy: 1e-6)
    }

    func testBitWidthScalingRule() {
        let ops = OperationEnergies(referenceBits: 8, addPJ: 0.03, multiplyPJ: 0.2, comparePJ: 0.03,
                                    bitWidthScaling: true)
        XCTAssertEqual(ops.add(bits: 16), 0.06, accuracy: 1e-15)
        XCTAssertEqual(ops.add(bits: 4), 0.015, accuracy: 1e-15)
        XCTAssertEqual(ops.multiply(8, 8), 0.2, accuracy: 1e-15)
        XCTAssertEqual(ops.multiply(4, 8), 0.1, accuracy: 1e-15)
        XCTAssertEqual(ops.multiply(4, 3), 0.2 * 12 / 64, accuracy: 1e-15)
        XCTAssertEqual(ops.compare(bits: 3), 0.03 * 3 / 8, accuracy: 1e-15)
        XCTAssertEqual(ops.memory(bits: 24, width: 3, pJPerBit: 2.5), 60, accuracy: 1e-12)
        let flat = BoardProfile.paperV1Operations
        XCTAssertEqual(flat.multiply(4, 3), 0.2)
        XCTAssertEqual(flat.memory(bits: 24, width: 3, pJPerBit: 2.5), 8 * 20, accuracy: 1e-12)
        // 4-bit weights are cheaper than 8-bit ones on a scaled board.
        var b = BoardProfile.paperV1Dataflow45nm
        b.operations.bitWidthScaling = true
        XCTAssertLessThan(SynapseCosts(board: b, timesteps: 6, weightBits: 4).qnnEnergy(density: 0.45),
                          SynapseCosts(board: b, timesteps: 6, weightBits: 8).qnnEnergy(density: 0.45))
    }

    func testActivationBitsAgainstFloatingPointReference() {
        XCTAssertEqual(ActivationBits.forTimesteps(0), 0)
        for t in 1...4096 {
            var ref = 0
            while (1 << ref) < t + 1 { ref += 1 }  // smallest b with 2^b ≥ T+1
            XCTAssertEqual(ActivationBits.forTimesteps(t), ref, "T=\(t)")
        }
        XCTAssertEqual([1, 2, 3, 6, 7, 8, 15, 16].map(ActivationBits.forTimesteps), [1, 2, 2, 3, 3, 4, 4, 5])
    }

    func testPoolingUsesLargerOfInputEventsAndCountedOps() {
        let pool = LayerGeometry(kind: .maxPool, inC: 1, inH: 4, inW: 4, outC: 1, outH: 2, outW: 2,
                                 kernelH: 2, kernelW: 2, stride: 2, padding: 0, weightBits: 0, weightCount: 0,
                                 nonZeroWeightCount: 0, inputBits: 3, outputBits: 3, analogInput: false, emitsScores: false)
        var e = EventCounters()
        e.inputEvents = 7; e.effectiveACs = 5; e.neuronUpdates = 4
        let w = LayerWorkload(geometry: pool, twin: .qnn, timesteps: 6, events: e)
        // 7 compares + 4 requantisation compares, 0.03 each.
        XCTAssertEqual(LayerEnergyModel.compute(w, .paperV1Classic45nm), 11 * 0.03, accuracy: 1e-12)
    }

    func testBreakdownAddition() {
        let a = EnergyBreakdown(compute: 1, onChipMemory: 2, offChipMemory: 3, network: 4)
        let s = a + a
        XCTAssertEqual(s, EnergyBreakdown(compute: 2, onChipMemory: 4, offChipMemory: 6, network: 8))
        XCTAssertEqual(s.total, 20)
    }
}
