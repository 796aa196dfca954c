import XCTest
import Foundation
import JouleCore
import JouleEnergy
@testable import JouleHost

/// Break-even sweep, model report, SVG writers and the counters bridge.
final class EnergyReportTests: XCTestCase {
    func testSweepReproducesPaperHeadline() {
        let classic = BreakEvenSweep(label: "classic", board: .paperV1Classic45nm, timestepsMax: 16)
        let dataflow = BreakEvenSweep(label: "dataflow", board: .paperV1Dataflow45nm, timestepsMax: 16)
        XCTAssertEqual(classic.rows.count, 16)
        XCTAssertEqual(classic.rows[5].point.sparsity * 100, 92.4, accuracy: 0.3)
        XCTAssertEqual(dataflow.rows[5].point.sparsity * 100, 92.5, accuracy: 0.3)
        XCTAssertTrue(classic.table().contains(" 6 |        3 |               92.40"))
        let svg = BreakEvenPlot.svg([classic, dataflow], marker: OperatingPoint(timesteps: 6, spikeRate: 0.0581))
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.contains("measured (T=6, sparsity 94.19 %)"))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }

    func testModelReportSumsLayersAndRendersChart() {
        let g = LayerGeometry(kind: .linear, inC: 4, inH: 1, inW: 1, outC: 2, outH: 1, outW: 1, kernelH: 1,
                              kernelW: 1, stride: 1, padding: 0, weightBits: 8, weightCount: 8,
                              nonZeroWeightCount: 8, inputBits: 3, outputBits: 3, analogInput: false, emitsScores: false)
        var q = EventCounters(); q.effectiveMACs = 8; q.weightReadBits = 64; q.neuronUpdates = 2
        var s = EventCounters(); s.effectiveACs = 6; s.weightReadBits = 48; s.neuronUpdates = 12
        s.membraneReads = 12; s.membraneWrites = 12; s.outputEvents = 3
        let qw = LayerWorkload(geometry: g, twin: .qnn, timesteps: 6, events: q)
        let sw = LayerWorkload(geometry: g, twin: .snn, timesteps: 6, events: s)
        let r = ModelEnergyReport(boardName: "v1 <dataflow>", board: .paperV1Dataflow45nm, names: ["fc1"],
                                  qnn: [qw, qw], snn: [sw, sw])
        let one = LayerEnergyModel.energy(of: qw, on: .paperV1Dataflow45nm)
        XCTAssertEqual(r.layers.count, 2)
        XCTAssertEqual(r.layers[1].name, "layer 1")
        XCTAssertEqual(r.qnnTotal.total, 2 * one.total, accuracy: 1e-9)
        XCTAssertEqual(r.ratio, r.snnTotal.total / r.qnnTotal.total)
        XCTAssertTrue(r.table().contains("fc1"))
        let svg = EnergyBreakdownChart.svg(r)
        XCTAssertTrue(svg.contains("v1 &lt;dataflow&gt;"))  // escaped
        XCTAssertTrue(svg.contains("on-chip memory"))
    }
}
