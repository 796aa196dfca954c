import Foundation
@testable import JouleHost

/// Small workloads written in the tests, with every value chosen so the lifetime can be worked out by hand.
enum BatteryWorkloadFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)  // …/Tests/JouleHostTests/BatteryWorkloadFixtures.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Sleep current 1 mA and nothing else; 100 mAh, 80 % usable, rail = cell = 3.0 V, η = 1.
    static let constantLoad = """
    {"format": "joule-workload", "formatVersion": 1, "name": "constant", "description": "hand check",
     "board": "nrf52840-cortex-m4-64mhz",
     "model": {"timesteps": {"value": 4, "source": "test"},
               "energyPerInferenceMicrojoules": {"qnn": {"value": 0, "source": "test"}, "snn": {"value": 0, "source": "test"}}},
     "twins": ["qnn", "snn"],
     "schedule": {"kind": "fixed", "inferencesPerHour": {"value": 0, "source": "test"}},
     "watch": {"supplyVolts": {"value": 3.0, "source": "test"},
       "sensors": {"currentMilliamps": {"value": 0, "source": "test"}, "dutyFraction": {"value": 0, "source": "test"}},
       "radio": {"currentMilliamps": {"value": 0, "source": "test"}, "burstSeconds": {"value": 0, "source": "test"},
                 "burstsPerHour": {"value": 0, "source": "test"}},
       "display": {"currentMilliamps": {"value": 0, "source": "test"}, "onSecondsPerDay": {"value": 0, "source": "test"},
                   "activationsPerDay": {"value": 0, "source": "test"}},
       "mcu": {"sleepMicroamps": {"value": 1000, "source": "test"}, "activeMilliamps": {"value": 0, "source": "test"},
               "overheadSecondsPerInference": {"value": 0, "source": "test"}, "wakeUpMicrojoules": {"value": 0, "source": "test"}}},
     "battery": {"capacityMilliampHours": {"value": 100, "source": "test"}, "nominalVolts": {"value": 3.0, "source": "test"},
                 "usableFraction": {"value": 0.8, "source": "test"}, "regulatorEfficiency": {"value": 1, "source": "test"},
                 "selfDischargePercentPerMonth": {"value": 0, "source": "test"}}}
    """

    static func workload(_ json: String, file: String = "w.json") throws -> Workload {
        try Workload.parse(Data(json.utf8), file: file, boardExists: { $0 == "nrf52840-cortex-m4-64mhz" })
    }

    /// The error message decoding `json` gives, or nil when it decodes.
    static func error(_ json: String, file: String = "bad.json") -> String? {
        do { _ = try workload(json, file: file); return nil } catch { return "\(error)" }
    }
}
