import XCTest
import Foundation
@testable import JouleHost

/// Invalid workloads fail with a message that names the file and the field.
final class BatteryWorkloadErrorTests: XCTestCase {
    let good = BatteryWorkloadFixtures.constantLoad

    func expect(_ json: String, _ fragments: [String], line: UInt = #line) {
        guard let message = BatteryWorkloadFixtures.error(json) else {
            return XCTFail("decoded without error", line: line)
        }
        XCTAssertTrue(message.hasPrefix("bad.json: "), message, line: line)
        for f in fragments { XCTAssertTrue(message.contains(f), "'\(f)' not in: \(message)", line: line) }
    }

    func testFixtureDecodes() {
        XCTAssertNil(BatteryWorkloadFixtures.error(good))
    }

    func testNegativeRate() {
        expect(good.replacingOccurrences(of: "\"inferencesPerHour\": {\"value\": 0", with: "\"inferencesPerHour\": {\"value\": -5"),
               ["'schedule.inferencesPerHour.value'", "must be ≥ 0", "-5"])
        expect(good.replacingOccurrences(of: "\"burstsPerHour\": {\"value\": 0", with: "\"burstsPerHour\": {\"value\": -1"),
               ["'watch.radio.burstsPerHour.value'", "must be ≥ 0"])
    }

    func testZeroCapacity() {
        expect(good.replacingOccurrences(of: "\"capacityMilliampHours\": {\"value\": 100", with: "\"capacityMilliampHours\": {\"value\": 0"),
               ["'battery.capacityMilliampHours.value'", "must be > 0"])
    }

    func testUnknownBoard() {
        expect(good.replacingOccurrences(of: "\"board\": \"nrf52840-cortex-m4-64mhz\"", with: "\"board\": \"no-such-board\""),
               ["'board'", "unknown board 'no-such-board'"])
    }

    func testUnknownBoardThroughTheCatalog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("battery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.json").path
        try good.replacingOccurrences(of: "nrf52840-cortex-m4-64mhz", with: "nrf99999").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Workload.load(path: path)) { e in
            XCTAssertTrue("\(e)".contains(path) && "\(e)".contains("'board'"), "\(e)")
        }
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try Workload.load(path: path))
    }

    func testMissingField() {
        expect(good.replacingOccurrences(of: "\"nominalVolts\"", with: "\"nominalVoltage\""),
               ["missing field 'battery.nominalVolts'"])
        expect(good.replacingOccurrences(of: "\"sleepMicroamps\": {\"value\": 1000, \"source\": \"test\"}",
                                         with: "\"sleepMicroamps\": {\"value\": 1000}"),
               ["missing field 'watch.mcu.sleepMicroamps.source'"])
        expect(good.replacingOccurrences(of: "\"twins\": [\"qnn\", \"snn\"],", with: ""), ["missing field 'twins'"])
    }

    func testWrongType() {
        expect(good.replacingOccurrences(of: "\"usableFraction\": {\"value\": 0.8", with: "\"usableFraction\": {\"value\": \"0.8\""),
               ["'battery.usableFraction.value'", "should be a number, found a string"])
        expect(good.replacingOccurrences(of: "\"battery\": {", with: "\"battery\": [1], \"spare\": {"),
               ["'battery'", "should be an object, found an array"])
        expect(good.replacingOccurrences(of: "\"twins\": [\"qnn\", \"snn\"]", with: "\"twins\": [\"qnn\", \"dnn\"]"),
               ["'twins[1]'"])
    }

    func testOutOfRangeAndMissingEnergySource() {
        expect(good.replacingOccurrences(of: "\"regulatorEfficiency\": {\"value\": 1", with: "\"regulatorEfficiency\": {\"value\": 1.2"),
               ["'battery.regulatorEfficiency.value'", "must be ≤ 1"])
        expect(good.replacingOccurrences(of: "\"snn\": {\"value\": 0, \"source\": \"test\"}", with: "\"xnn\": {\"value\": 0, \"source\": \"test\"}"),
               ["'model.energyPerInferenceMicrojoules.xnn'"])
        expect(good.replacingOccurrences(of: ", \"snn\": {\"value\": 0, \"source\": \"test\"}", with: ""),
               ["'model'", "twin 'snn' needs"])
        expect(good.replacingOccurrences(of: "\"kind\": \"fixed\"", with: "\"kind\": \"sometimes\""), ["'schedule.kind'"])
        expect(good.replacingOccurrences(of: "\"source\": \"test\"}, \"dutyFraction\"", with: "\"source\": \" \"}, \"dutyFraction\""),
               ["'watch.sensors.currentMilliamps.source'", "needs a source"])
    }
}
