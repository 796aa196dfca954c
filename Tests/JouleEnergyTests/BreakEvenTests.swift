import XCTest
import JouleEnergy

/// The paper's headline: with v1 constants the per-synapse model needs > 92.4 % (classic) /
/// > 92.5 % (dataflow) sparsity at T = 6 and > 97 % at T = 16 — solved from the model here.
final class BreakEvenTests: XCTestCase {
    func testPaperV1BreakEvenAtSixTimesteps() {
        let classic = BreakEven.point(board: .paperV1Classic45nm, timesteps: 6)
        let dataflow = BreakEven.point(board: .paperV1Dataflow45nm, timesteps: 6)
        XCTAssertEqual(classic.kind, .crossing)
        XCTAssertEqual(dataflow.kind, .crossing)
        XCTAssertEqual(classic.sparsity * 100, 92.4, accuracy: 0.3)
        XCTAssertEqual(dataflow.sparsity * 100, 92.5, accuracy: 0.3)
    }

    func testPaperV1NeedsOver97PercentAtSixteenTimesteps() {
        XCTAssertGreaterThan(BreakEven.point(board: .paperV1Classic45nm, timesteps: 16).sparsity, 0.97)
        XCTAssertGreaterThan(BreakEven.point(board: .paperV1Dataflow45nm, timesteps: 16).sparsity, 0.97)
    }

    /// The model against the authors' plotting formulas (science.md), typed in independently: the
    /// model's derivation differs only in the classic per-timestep term (40.06 vs 64.35 over 2395)
    /// and a 0.03/2395 reset term, so the curves agree within 0.05 points for every T.
    func testMatchesPaperFormulasForEveryT() {
        for t in 1...16 {
            let T = Double(t)
            let paperDataflow = 1 - (0.45 * 20.23 - 40.06 / 2395 * T) / (T * 20.03)
            let paperClassic = 1 - (0.45 * 80.23 + 2020 / 216 - 4040 * T / (216 * (1 + T)) - 0.026868 * T)
                / (T * 64.32 + T * 0.03 / 2395)
            XCTAssertEqual(BreakEven.point(board: .paperV1Dataflow45nm, timesteps: t).sparsity,
                           paperDataflow, accuracy: 0.0005, "dataflow T=\(t)")
            XCTAssertEqual(BreakEven.point(board: .paperV1Classic45nm, timesteps: t).sparsity,
                           paperClassic, accuracy: 0.0005, "classic T=\(t)")
        }
    }

    /// The bisection agrees with the closed form of the linear per-synapse model.
    func testBisectionMatchesClosedForm() {
        for board in [BoardProfile.paperV1Classic45nm, .paperV1Dataflow45nm] {
            for t in [1, 4, 6, 10, 16] {
                let c = SynapseCosts(board: board, timesteps: t, weightBits: 8)
                let T = Double(t)
                let closed = (c.qnnEnergy(density: 0.45) - T * c.snnPerTimestep - c.snnPerSynapse)
                    / (T * c.snnPerInputSpike)
                XCTAssertEqual(BreakEven.point(costs: c, qnnDensity: 0.45).spikeRate, closed, accuracy: 1e-12)
            }
        }
    }

    /// Derived v1 coefficients are the paper's numbers.
    func testPaperV1SynapseCoefficients() {
        let d = SynapseCosts(board: .paperV1Dataflow45nm, timesteps: 6, weightBits: 8)
        XCTAssertEqual(d.qnnPerActiveInput, 20 + 0.2 + 0.03, accuracy: 1e-12)
        XCTAssertEqual(d.snnPerInputSpike, 20 + 0.03 + 0.03 / 2395, accuracy: 1e-12)
        XCTAssertEqual(d.snnPerTimestep, (2 * 20 + 0.03 + 0.03) / 2395, accuracy: 1e-12)
        XCTAssertEqual(d.snnPerSynapse, 0)
        let c = SynapseCosts(board: .paperV1Classic45nm, timesteps: 6, weightBits: 8)
        XCTAssertEqual(c.qnnPerActiveInput, 4 * 20 + 0.2 + 0.03, accuracy: 1e-12)
        XCTAssertEqual(c.qnnPerSynapse, 2020.0 / 216 + 0.03 / 2395, accuracy: 1e-12)
        XCTAssertEqual(c.snnPerInputSpike, 64.32 + 0.03 / 2395, accuracy: 1e-12)
        XCTAssertEqual(c.snnPerSynapse, 4040.0 * 6 / (216 * 7), accuracy: 1e-12)
    }

    func testExtremesAreReported() {
        // QNN activity so low that the SNN's per-timestep costs alone exceed it.
        XCTAssertEqual(BreakEven.point(board: .paperV1Classic45nm, timesteps: 16, qnnDensity: 0).kind,
                       .snnNeverCheaper)
        // T = 1 with a fully dense QNN on dataflow: the SNN is cheaper even at rate 1.
        XCTAssertEqual(BreakEven.point(board: .paperV1Dataflow45nm, timesteps: 1, qnnDensity: 1).kind,
                       .snnAlwaysCheaper)
    }

    /// Required sparsity rises with T, with denser QNN it falls.
    func testMonotoneInTimestepsAndDensity() {
        for board in [BoardProfile.paperV1Classic45nm, .paperV1Dataflow45nm] {
            var last = 0.0
            for t in 1...16 {
                let s = BreakEven.point(board: board, timesteps: t).sparsity
                XCTAssertGreaterThan(s, last)
                last = s
            }
            XCTAssertLessThan(BreakEven.point(board: board, timesteps: 6, qnnDensity: 0.8).sparsity,
                              BreakEven.point(board: board, timesteps: 6, qnnDensity: 0.45).sparsity)
        }
    }
}
