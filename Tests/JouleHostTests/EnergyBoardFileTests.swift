import XCTest
import Foundation
import JouleEnergy
@testable import JouleHost

/// Board files: every shipped board decodes, the paper v1 files equal the built-in values, and
/// broken files give errors that name the file and the field.
final class EnergyBoardFileTests: XCTestCase {
    let boards = BoardCatalog.packageBoardsDirectory

    func testEveryShippedBoardDecodesWithSources() throws {
        let names = BoardCatalog.available(in: [boards])
        for required in ["paper-v1-classic-45nm", "paper-v1-dataflow-45nm", "paper-v4-neuromorphic-22nm",
                         "loihi-like-14nm", "nrf52840-cortex-m4-64mhz"] {
            XCTAssertTrue(names.contains(required), required)
        }
        for name in names {
            let file = try BoardFile.load(boards.appendingPathComponent(name + ".json"))
            XCTAssertEqual(file.name, name)
            XCTAssertGreaterThanOrEqual(file.sources.count, 22, name)  // 5 operations + 8 memory + 6 network + 3 synapse
            for (field, source) in file.sources { XCTAssertFalse(source.isEmpty, "\(name): \(field)") }
        }
    }

    func testPaperV1FilesEqualBuiltInProfiles() throws {
        XCTAssertEqual(try BoardCatalog.load("paper-v1-classic-45nm", currentDirectory: boards.deletingLastPathComponent()).profile,
                       .paperV1Classic45nm)
        XCTAssertEqual(try BoardCatalog.load(boards.appendingPathComponent("paper-v1-dataflow-45nm.json").path).profile,
                       .paperV1Dataflow45nm)
    }

    func testDerivedLoihiConstantsGiveDavies2018Energies() throws {
        let b = try BoardFile.load(boards.appendingPathComponent("loihi-like-14nm.json")).profile
        // One synaptic op (8-bit weight read + add) = 23.6 pJ; one neuron update = 81 pJ.
        XCTAssertEqual(8 * b.memory.onChipPJPerBit + b.operations.addPJ, 23.6, accuracy: 1e-9)
        XCTAssertEqual(2 * 8 * b.memory.membranePJPerBit + b.operations.addPJ + b.operations.comparePJ, 81, accuracy: 1e-9)
    }

    func text(_ name: String) throws -> String {
        try String(contentsOf: boards.appendingPathComponent(name + ".json"), encoding: .utf8)
    }

    func parseError(_ json: String) -> BoardFileError? {
        do { _ = try BoardFile.parse(Data(json.utf8), file: "x.json"); return nil } catch {
            return error as? BoardFileError
        }
    }

    func testMissingFieldNamesFileAndField() throws {
        let json = try text("paper-v1-classic-45nm").replacingOccurrences(of: "\"offChipPJPerBit\"", with: "\"offChipPJ\"")
        XCTAssertEqual(parseError(json), .missingField(file: "x.json", field: "memory.offChipPJPerBit"))
        XCTAssertTrue(parseError(json)!.description.contains("x.json: missing field 'memory.offChipPJPerBit'"))
        var noSection = try JSONSerialization.jsonObject(with: Data(try text("loihi-like-14nm").utf8)) as! [String: Any]
        noSection["network"] = nil
        let data = try JSONSerialization.data(withJSONObject: noSection)
        XCTAssertEqual(parseError(String(decoding: data, as: UTF8.self)), .missingField(file: "x.json", field: "network"))
    }

    func testWrongTypeNamesExpectedAndFound() throws {
        let json = try text("paper-v1-classic-45nm").replacingOccurrences(of: "\"value\": 2395", with: "\"value\": \"2395\"")
        XCTAssertEqual(parseError(json), .wrongType(file: "x.json", field: "synapse.fanIn.value",
                                                    expected: "a number", found: "a string"))
        let boolAsNumber = try text("paper-v1-classic-45nm").replacingOccurrences(of: "\"value\": false", with: "\"value\": 0")
        XCTAssertEqual(parseError(boolAsNumber), .wrongType(file: "x.json", field: "operations.bitWidthScaling.value",
                                                            expected: "a boolean", found: "a number"))
    }

    func testMissingSourceVersionAndBadEnumAreRejected() throws {
        let base = try text("paper-v4-neuromorphic-22nm")
        let noSource = base.replacingOccurrences(of: "\"source\": \"average hops", with: "\"sourceX\": \"average hops")
        XCTAssertEqual(parseError(noSource), .missingField(file: "x.json", field: "network.averageHops.source"))
        let v2 = base.replacingOccurrences(of: "\"formatVersion\": 1", with: "\"formatVersion\": 2")
        XCTAssertEqual(parseError(v2), .unsupportedVersion(file: "x.json", found: 2, supported: 1))
        let enc = base.replacingOccurrences(of: "\"value\": \"sparse\"", with: "\"value\": \"bursty\"")
        if case .invalidValue(_, let field, _)? = parseError(enc) { XCTAssertEqual(field, "network.snnEncoding.value") }
        else { XCTFail("expected invalidValue") }
        XCTAssertNotNil(parseError("{ not json"))
    }

    func testUnknownBoardListsSearchedFoldersAndAvailableBoards() {
        XCTAssertThrowsError(try BoardCatalog.resolve("no-such-board", currentDirectory: URL(fileURLWithPath: "/tmp"))) { e in
            guard case .unknownBoard(let name, let searched, let available)? = e as? BoardFileError else {
                return XCTFail("wrong error \(e)")
            }
            XCTAssertEqual(name, "no-such-board")
            XCTAssertTrue(searched.contains(self.boards.path))
            XCTAssertTrue(available.contains("paper-v1-classic-45nm"))
            XCTAssertTrue(String(describing: e).contains("unknown board 'no-such-board'"))
        }
    }
}
