import XCTest
import Foundation
@testable import JouleHost

/// The duty-cycle simulator against the closed form on every shipped workload, and hand-checked
/// cases whose lifetime is computed in the test.
final class BatterySimulatorTests: XCTestCase {
    static let workloads = BatteryWorkloadFixtures.packageRoot.appendingPathComponent("Workloads")

    func testSimulatorAgreesWithClosedFormOnEveryShippedWorkload() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.workloads.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 3)
        for f in files {
            let w = try Workload.load(path: Self.workloads.appendingPathComponent(f).path)
            XCTAssertEqual(w.name + ".json", f)
            XCTAssertEqual(Set(w.twins), [.qnn, .snn], f)
            for twin in w.twins {
                let e = try XCTUnwrap(w.model.energyOverride[twin], "\(f): needs a µJ override for \(twin)")
                let closed = PowerBudget(workload: w, inferenceJoules: e).lifetimeSeconds
                let sim = try DutyCycleSimulator(workload: w, inferenceJoules: e).run().lifetimeSeconds
                XCTAssertEqual(sim / closed, 1, accuracy: 0.01, "\(f) \(twin): simulated \(sim) s, closed form \(closed) s")
                // And at rates 100× lower and 10× higher, where other loads or inference dominate.
                for factor in [0.01, 10] {
                    let s = w.schedule.scaled(by: factor)
                    let c = PowerBudget(workload: w, inferenceJoules: e, schedule: s).lifetimeSeconds
                    let m = try DutyCycleSimulator(workload: w, inferenceJoules: e, schedule: s).run().lifetimeSeconds
                    XCTAssertEqual(m / c, 1, accuracy: 0.01, "\(f) \(twin) ×\(factor)")
                }
            }
            for (field, source) in w.sources { XCTAssertFalse(source.isEmpty, "\(f): \(field)") }
        }
    }

    /// Only the MCU sleep current, 1 mA, at a rail equal to the cell voltage, η = 1, no self-discharge:
    /// 100 mAh × 0.8 usable / 1 mA = 80 h exactly.
    func testConstantLoadLastsCapacityOverCurrent() throws {
        let w = try BatteryWorkloadFixtures.workload(BatteryWorkloadFixtures.constantLoad)
        XCTAssertEqual(PowerBudget(workload: w, inferenceJoules: 0).lifetimeSeconds, 80 * 3600, accuracy: 1e-6)
        let sim = try DutyCycleSimulator(workload: w, inferenceJoules: 0).run()
        XCTAssertEqual(sim.lifetimeSeconds, 80 * 3600, accuracy: 1e-6)
        XCTAssertEqual(sim.samples.first?.coulombs, 100 * 3.6 * 0.8)
        XCTAssertEqual(sim.samples.last?.coulombs, 0)
    }

    /// Rail 3.0 V, cell 3.75 V, η = 0.8: 1 mA at the rail draws 3 mW / 0.8 / 3.75 V = 1 mA at the cell;
    /// self-discharge 3 %/month of 200 mAh = 6 mAh / 730.5 h; 180 usable mAh / (1 mA + that) in hours.
    func testEfficiencyAndSelfDischargeByHand() throws {
        var json = BatteryWorkloadFixtures.constantLoad
        json = json.replacingOccurrences(of: "\"capacityMilliampHours\": {\"value\": 100", with: "\"capacityMilliampHours\": {\"value\": 200")
            .replacingOccurrences(of: "\"usableFraction\": {\"value\": 0.8", with: "\"usableFraction\": {\"value\": 0.9")
            .replacingOccurrences(of: "\"nominalVolts\": {\"value\": 3.0", with: "\"nominalVolts\": {\"value\": 3.75")
            .replacingOccurrences(of: "\"regulatorEfficiency\": {\"value\": 1", with: "\"regulatorEfficiency\": {\"value\": 0.8")
            .replacingOccurrences(of: "\"selfDischargePercentPerMonth\": {\"value\": 0", with: "\"selfDischargePercentPerMonth\": {\"value\": 3")
        let w = try BatteryWorkloadFixtures.workload(json)
        let hours = 180 / (1 + 6 / 730.5)
        XCTAssertEqual(PowerBudget(workload: w, inferenceJoules: 0).lifetimeSeconds / 3600, hours, accuracy: 1e-9)
        XCTAssertEqual(try DutyCycleSimulator(workload: w, inferenceJoules: 0).run().lifetimeSeconds / 3600, hours, accuracy: 1e-9)
    }

    /// Inferences only: 3600 inferences/h of 1 mJ at η = 1, 3 V cell = 1 mW = 1/3 mA on top of 1 mA
    /// sleep; 80 mAh / (4/3 mA) = 60 h. The simulator lands within one inference period of it.
    func testInferenceLoadByHand() throws {
        let json = BatteryWorkloadFixtures.constantLoad
            .replacingOccurrences(of: "\"inferencesPerHour\": {\"value\": 0", with: "\"inferencesPerHour\": {\"value\": 3600")
        let w = try BatteryWorkloadFixtures.workload(json)
        let budget = PowerBudget(workload: w, inferenceJoules: 1e-3)
        XCTAssertEqual(budget.lifetimeSeconds, 60 * 3600, accuracy: 1e-6)
        XCTAssertEqual(budget.batteryWatts[.inference]!, 1e-3, accuracy: 1e-15)
        XCTAssertEqual(budget.inferenceShare, 0.25, accuracy: 1e-12)
        XCTAssertEqual(try DutyCycleSimulator(workload: w, inferenceJoules: 1e-3).run().lifetimeSeconds, 60 * 3600, accuracy: 1)
    }

    /// The sweep's "µJ needed for 1.8×" really gives 1.8× in the closed form.
    func testSweepTargetEnergyGivesTargetRatio() throws {
        let w = try Workload.load(path: Self.workloads.appendingPathComponent("activity-recognition.json").path)
        let q = w.model.energyOverride[.qnn]!, s = w.model.energyOverride[.snn]!
        let sweep = RateSweep(workload: w, qnnJoules: q, snnJoules: s)
        for p in sweep.points {
            guard let need = p.snnJoulesForTarget else { continue }
            let sched = w.schedule.at(inferencesPerHour: p.inferencesPerHour)
            let ratio = PowerBudget(workload: w, inferenceJoules: need, schedule: sched).lifetimeSeconds / p.qnn.lifetimeSeconds
            XCTAssertEqual(ratio, RateSweep.target, accuracy: 1e-9)
        }
        XCTAssertTrue(sweep.table().contains("SNN/QNN"))
        XCTAssertTrue(RateSweepChart.svg(sweep).hasPrefix("<svg"))
    }
}
