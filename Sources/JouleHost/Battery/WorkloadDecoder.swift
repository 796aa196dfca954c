import Foundation

extension Workload {
    /// Reads and decodes the workload file at `path`.
    /// - Parameter boardExists: checks the `board` field (default: `BoardCatalog.resolve` from the
    ///   current directory, then the package).
    /// - Throws: `JouleHostError` naming the file and the dotted field.
    public static func load(path: String, boardExists: (String) -> Bool = Workload.boardResolves) throws -> Workload {
        guard let data = InputFiles.read(path) else {
            throw JouleHostError("\(path): cannot read the workload file")
        }
        return try parse(data, file: path, boardExists: boardExists)
    }

    /// Whether `BoardCatalog` finds a board of that name or path.
    public static func boardResolves(_ name: String) -> Bool { (try? BoardCatalog.resolve(name)) != nil }

    /// Decodes workload JSON `data`; `file` names it in errors and anchors a relative model path.
    public static func parse(_ data: Data, file: String, boardExists: (String) -> Bool = Workload.boardResolves) throws -> Workload {
        if let syntax = JSONSyntax.error(in: data) { throw JouleHostError("\(file): not valid JSON: \(syntax)") }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw JouleHostError("\(file): not valid JSON: \(error)")
        }
        var r = WorkloadReader(file: file)
        let top = try r.object(root, "")
        let format = try r.string(top, "format", "")
        guard format == "joule-workload" else { throw r.fail("format", "expected \"joule-workload\", found \"\(format)\"") }
        let version = try r.int(top, "formatVersion", "")
        guard version == formatVersion else {
            throw r.fail("formatVersion", "version \(version) is not supported (this build reads version \(formatVersion))")
        }
        let board = try r.string(top, "board", "")
        guard boardExists(board) else {
            throw r.fail("board", "unknown board '\(board)' (no such file, and no Boards/\(board).json)")
        }
        let model = try decodeModel(&r, top, file: file)
        let twins = try decodeTwins(r, top)
        for t in twins where model.path == nil && model.energyOverride[t] == nil {
            throw r.fail("model", "twin '\(t.rawValue)' needs 'model.path' or 'model.energyPerInferenceMicrojoules.\(t.rawValue)'")
        }
        let schedule = try decodeSchedule(&r, top)
        let watch = try decodeWatch(&r, top)
        let overheadPerHour = schedule.inferencesPerHour * watch.overheadSecondsPerInference
        if overheadPerHour > 3600 {
            throw r.fail("watch.mcu.overheadSecondsPerInference.value",
                         "the MCU would be busy \(r.format(overheadPerHour)) s an hour at \(r.format(schedule.inferencesPerHour)) inferences/h")
        }
        let battery = try decodeBattery(&r, top)
        return Workload(file: file, name: try r.string(top, "name", ""), description: try r.string(top, "description", ""),
                        board: board, model: model, twins: twins, schedule: schedule, watch: watch,
                        battery: battery, sources: r.sources)
    }

    static func decodeModel(_ r: inout WorkloadReader, _ top: [String: JSONValue], file: String) throws -> WorkloadModel {
        let m = try r.section(top, "model", "")
        var path: String?
        if m["path"] != nil {
            let p = try r.string(m, "path", "model")
            path = p.hasPrefix("/") ? p
                : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(p).standardizedFileURL.path
        }
        let t = try r.integer(m, "timesteps", "model", min: 1, max: 255)
        var streaming = false
        if m["snnSchedule"] != nil {
            let s = try r.string(m, "snnSchedule", "model")
            guard s == "layerwise" || s == "streaming" else {
                throw r.fail("model.snnSchedule", "expected \"layerwise\" or \"streaming\", found \"\(s)\"")
            }
            streaming = s == "streaming"
        }
        var override: [Twin: Double] = [:]
        if m["energyPerInferenceMicrojoules"] != nil {
            let e = try r.section(m, "energyPerInferenceMicrojoules", "model")
            for key in e.keys.sorted() {
                guard let twin = Twin(rawValue: key) else {
                    throw r.fail("model.energyPerInferenceMicrojoules.\(key)", "unknown twin (expected \"qnn\" or \"snn\")")
                }
                override[twin] = try r.number(e, key, "model.energyPerInferenceMicrojoules") * 1e-6
            }
        }
        return WorkloadModel(path: path, timesteps: t, streaming: streaming, energyOverride: override)
    }

    static func decodeTwins(_ r: WorkloadReader, _ top: [String: JSONValue]) throws -> [Twin] {
        let v = try r.field(top, "twins", "")
        guard case .array(let items) = v, !items.isEmpty else { throw r.wrongType("twins", "a non-empty array", v) }
        var twins: [Twin] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item, let t = Twin(rawValue: s) else {
                throw r.fail("twins[\(i)]", "expected \"qnn\" or \"snn\"")
            }
            guard !twins.contains(t) else { throw r.fail("twins[\(i)]", "'\(s)' listed twice") }
            twins.append(t)
        }
        return twins
    }

    static func decodeSchedule(_ r: inout WorkloadReader, _ top: [String: JSONValue]) throws -> InferenceSchedule {
        let s = try r.section(top, "schedule", "")
        let kind = try r.string(s, "kind", "schedule")
        switch kind {
        case "fixed":
            return .fixed(inferencesPerHour: try r.number(s, "inferencesPerHour", "schedule"))
        case "bursts":
            return .bursts(eventsPerHour: try r.number(s, "eventsPerHour", "schedule"),
                           inferencesPerEvent: try r.integer(s, "inferencesPerEvent", "schedule", min: 1))
        default:
            throw r.fail("schedule.kind", "expected \"fixed\" or \"bursts\", found \"\(kind)\"")
        }
    }

    static func decodeWatch(_ r: inout WorkloadReader, _ top: [String: JSONValue]) throws -> WatchLoads {
        let w = try r.section(top, "watch", "")
        let supply = try r.number(w, "supplyVolts", "watch", positive: true)
        let sensors = try r.section(w, "sensors", "watch")
        let radio = try r.section(w, "radio", "watch")
        let display = try r.section(w, "display", "watch")
        let mcu = try r.section(w, "mcu", "watch")
        let sensorMA = try r.number(sensors, "currentMilliamps", "watch.sensors")
        let duty = try r.number(sensors, "dutyFraction", "watch.sensors", max: 1)
        let radioMA = try r.number(radio, "currentMilliamps", "watch.radio")
        let burst = try r.number(radio, "burstSeconds", "watch.radio")
        let bursts = try r.number(radio, "burstsPerHour", "watch.radio")
        if burst * bursts > 3600 {
            throw r.fail("watch.radio.burstSeconds.value", "bursts of \(r.format(burst)) s, \(r.format(bursts)) an hour, overlap")
        }
        let displayMA = try r.number(display, "currentMilliamps", "watch.display")
        let onSeconds = try r.number(display, "onSecondsPerDay", "watch.display", max: BatteryUnits.secondsPerDay)
        let activations = try r.number(display, "activationsPerDay", "watch.display")
        if onSeconds > 0 && activations < 1 {
            throw r.fail("watch.display.activationsPerDay.value", "must be ≥ 1 when the display is on for \(r.format(onSeconds)) s a day")
        }
        return WatchLoads(
            supplyVolts: supply, sensorAmps: sensorMA * 1e-3, sensorDuty: duty,
            radioAmps: radioMA * 1e-3, radioBurstSeconds: burst, radioBurstsPerSecond: bursts / 3600,
            displayAmps: displayMA * 1e-3, displayOnSecondsPerDay: onSeconds, displayActivationsPerDay: activations,
            sleepAmps: try r.number(mcu, "sleepMicroamps", "watch.mcu") * 1e-6,
            activeAmps: try r.number(mcu, "activeMilliamps", "watch.mcu") * 1e-3,
            overheadSecondsPerInference: try r.number(mcu, "overheadSecondsPerInference", "watch.mcu"),
            wakeUpJoules: try r.number(mcu, "wakeUpMicrojoules", "watch.mcu") * 1e-6)
    }

    static func decodeBattery(_ r: inout WorkloadReader, _ top: [String: JSONValue]) throws -> BatteryPack {
        let b = try r.section(top, "battery", "")
        return BatteryPack(
            capacityCoulombs: try r.number(b, "capacityMilliampHours", "battery", positive: true) * BatteryUnits.coulombsPerMilliampHour,
            nominalVolts: try r.number(b, "nominalVolts", "battery", positive: true),
            usableFraction: try r.number(b, "usableFraction", "battery", positive: true, max: 1),
            regulatorEfficiency: try r.number(b, "regulatorEfficiency", "battery", positive: true, max: 1),
            selfDischargePerSecond: try r.number(b, "selfDischargePercentPerMonth", "battery", max: 100) / 100
                / BatteryUnits.secondsPerMonth)
    }
}
