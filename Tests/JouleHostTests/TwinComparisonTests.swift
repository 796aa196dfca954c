import XCTest
import Foundation
@testable import JouleHost
import JouleEnergy

/// `joule compare`'s numbers against independent paths, and its verdict's wording per case.
final class TwinComparisonTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func comparison(images: Int = 40) throws -> TwinComparison {
        let json = Self.root.appendingPathComponent("Models/watch-net.json").path
        let file = try InferenceEnergy.open(model: json)
        let data = try IDXDataset.load(named: "fashion-mnist")
        let boards = try ["paper-v1-classic-45nm", "nrf52840-cortex-m4-64mhz"].map {
            try BoardFile.load(Self.root.appendingPathComponent("Boards/\($0).json"))
        }
        let workload = try Workload.load(path: Self.root.appendingPathComponent("Workloads/activity-recognition.json").path)
        return try TwinComparison.run(file: file, model: json, dataset: "fashion-mnist", data: data, timesteps: 6,
                                      images: images, threads: 2, streaming: false, boards: boards, workload: workload)
    }

    func testEnergyAndLifetimesAgreeWithTheIndependentPaths() throws {
        let c = try comparison()
        let json = Self.root.appendingPathComponent("Models/watch-net.json").path
        let file = try InferenceEnergy.open(model: json)
        let data = try IDXDataset.load(named: "fashion-mnist")
        let inputs = try (0..<40).map { try data.input($0, height: 28, width: 28) }
        for b in c.boards {
            // The energy command's path: one runner per mode, counters averaged over the same images.
            let board = try BoardFile.load(Self.root.appendingPathComponent("Boards/\(b.board).json"))
            let measured = try InferenceEnergy.measure(file: file, board: board, timesteps: 6, streaming: false, inputs: inputs)
            XCTAssertEqual(b.qnnMicrojoules, measured.joules[.qnn]! * 1e6, accuracy: 1e-9 * b.qnnMicrojoules)
            XCTAssertEqual(b.snnMicrojoules, measured.joules[.snn]! * 1e6, accuracy: 1e-9 * b.snnMicrojoules)
            XCTAssertEqual(b.winner == .snn, b.snnMicrojoules < b.qnnMicrojoules)
            // Closed-form lifetimes against the time-stepping simulator.
            for (budget, joules) in [(b.qnnBattery, measured.joules[.qnn]!), (b.snnBattery, measured.joules[.snn]!)] {
                let simulated = try DutyCycleSimulator(workload: c.workload, inferenceJoules: joules).run()
                XCTAssertEqual(budget.lifetimeDays, simulated.lifetimeDays, accuracy: 1e-3 * simulated.lifetimeDays)
            }
        }
        XCTAssertEqual(c.spikeRate, measuredSpikeRate(c), accuracy: 1e-12)
    }

    /// Σ spikes / (neurons · T · images) over the hidden layers, from the SNN's summed counters.
    func measuredSpikeRate(_ c: TwinComparison) -> Double {
        let hidden = c.snn.hiddenLayers
        let spikes = hidden.reduce(0.0) { $0 + Double(c.snn.counters[$1].outputLevelSum) }
        let neurons = hidden.reduce(0.0) { $0 + Double(c.snn.neurons[$1]) }
        return spikes / (neurons * 6 * Double(c.snn.images))
    }

    func testVerdictWordingFollowsTheWinners() throws {
        var c = try comparison(images: 20)
        XCTAssertTrue(c.boards.allSatisfy { $0.winner == .qnn })
        XCTAssertTrue(c.verdictSentence().hasPrefix("The QNN twin uses less energy per inference on every board."))
        XCTAssertTrue(c.verdictSentence().contains(String(format: "%.2f %%", c.spikeRate * 100)))
        // Make the SNN cheaper on the first board only: the sentence names it and counts the rest.
        c.boards[0].energy.snnTotal = EnergyBreakdown(compute: c.boards[0].energy.qnnTotal.total / 2)
        XCTAssertEqual(c.boards[0].winner, .snn)
        XCTAssertTrue(c.verdictSentence().hasPrefix("The SNN twin uses less energy on \(c.boards[0].board); the QNN twin on the other 1."),
                      c.verdictSentence())
        // That board's per-layer totals now disagree with its per-synapse break-even: said so.
        XCTAssertTrue(c.verdictSentence().contains("On \(c.boards[0].board) the per-layer totals and the per-synapse break-even disagree"))
        for i in c.boards.indices { c.boards[i].energy.snnTotal = EnergyBreakdown(compute: 1) }
        XCTAssertTrue(c.verdictSentence().hasPrefix("The SNN twin uses less energy per inference on every board."))
    }

    func testTableRowsCarryEveryBoard() throws {
        let c = try comparison(images: 20)
        let table = c.verdictTable()
        for b in c.boards {
            let row = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix(b.board + " ") })
            XCTAssertTrue(row.contains(String(format: "%.2f", b.ratio)), String(row))
            XCTAssertTrue(row.contains(TwinComparison.breakEvenCell(b.twin)), String(row))
        }
        XCTAssertEqual("one two three four".wrapped(width: 9), "one two\nthree\nfour")
    }
}
