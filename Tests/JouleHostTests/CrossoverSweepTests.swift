import JouleCore
@testable import JouleHost
import XCTest

/// The crossover probe must feed the measured layer exactly the spike counts it claims.
final class CrossoverSweepTests: XCTestCase {
    func testProbeInputLayerPassesSpikeCountsThrough() throws {
        for t in [1, 6, 15] {
            let model = CrossoverSweep.model(channels: 32, size: 6, timesteps: t, seed: 3)
            let harness = try RuntimeHarness(model)
            let input = CrossoverSweep.input(count: 32 * 36, rate: 0.3, timesteps: t, seed: 9)
            for mode in [ExecutionMode.qnn, .snnLayerwise] {
                let out = try harness.run(input, mode: mode, timesteps: t)
                XCTAssertEqual(out.layerValues[0], input.map(Int.init), "T \(t) \(mode): layer 0 must pass the counts through")
            }
        }
    }

    func testInputHasTheRequestedSpikeRate() {
        for rate in [0.01, 0.1, 0.4] {
            let counts = CrossoverSweep.input(count: 20000, rate: rate, timesteps: 6, seed: 1)
            let measured = Double(counts.reduce(0) { $0 + Int($1) }) / Double(counts.count * 6)
            XCTAssertEqual(measured, rate, accuracy: rate * 0.05 + 0.001, "rate \(rate)")
            let nonZero = Double(counts.filter { $0 != 0 }.count) / Double(counts.count)
            XCTAssertEqual(nonZero, 1 - pow(1 - rate, 6), accuracy: 0.02, "binomial counts")
        }
    }

    func testCrossingIsInterpolatedInLogRate() {
        typealias P = CrossoverSweep.Point
        let points = [P(rate: 0.01, nonZeroFraction: 0, qnnSeconds: 2, snnSeconds: 1),
                      P(rate: 0.1, nonZeroFraction: 0, qnnSeconds: 1, snnSeconds: 2)]
        // log(snn/qnn) goes from −log 2 to +log 2: the crossing is halfway in log rate.
        XCTAssertEqual(CrossoverSweep.crossing(points)!, 0.0316227766, accuracy: 1e-6)
        XCTAssertNil(CrossoverSweep.crossing([points[1], P(rate: 0.2, nonZeroFraction: 0, qnnSeconds: 1, snnSeconds: 3)]))
    }
}
