import XCTest
import Foundation
@testable import JouleHost

/// Outputs never replace inputs and are written atomically; inputs that the fuzzers found
/// troublesome are read or rejected cleanly.
final class FileSafetyTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("file-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testAnInputIsNeverOverwritten() throws {
        let model = dir.appendingPathComponent("m.jmod")
        try Data("weights".utf8).write(to: model)
        XCTAssertEqual(InputFiles.read(model.path), Data("weights".utf8))
        // The same file by another spelling of its path.
        let other = dir.path + "/./sub/../m.jmod"
        XCTAssertThrowsError(try OutputFile.write("x", to: other)) {
            XCTAssertTrue("\($0)".contains("refusing to write over it"), "\($0)")
        }
        XCTAssertThrowsError(try OutputFile.refuseInputs(nil, other))
        XCTAssertNoThrow(try OutputFile.refuseInputs(nil, "-", dir.appendingPathComponent("new.json").path))
        XCTAssertEqual(try Data(contentsOf: model), Data("weights".utf8))
    }

    func testWritesAreAtomicAndLeaveNoTemporaryFile() throws {
        let out = dir.appendingPathComponent("deep/er/report.json")
        try OutputFile.write("first", to: out.path)
        try OutputFile.write("second", to: out.path)
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path), ["report.json"])
    }

    func testAnUnwritableOutputNamesThePath() throws {
        let blocker = dir.appendingPathComponent("file")
        try Data().write(to: blocker)
        XCTAssertThrowsError(try OutputFile.write("x", to: blocker.path + "/inside.json")) {
            XCTAssertTrue("\($0)".hasPrefix(blocker.path + "/inside.json: cannot write"), "\($0)")
        }
    }

    /// An empty file reads as empty data (without Foundation's `contents(atPath:)`, which leaks on it).
    func testAnEmptyFileReadsAsEmptyData() throws {
        let empty = dir.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        XCTAssertEqual(InputFiles.read(empty.path), Data())
        XCTAssertTrue(InputFiles.contains(empty.path))
        XCTAssertNil(InputFiles.read(dir.appendingPathComponent("absent").path))
    }

    /// An IDX header whose image count × rows × columns overflows is an error, not a trap.
    func testAnIDXHeaderThatOverflowsIsRejected() {
        func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        let images = be32(0x0803) + be32(.max) + be32(.max) + be32(.max) + [0, 0, 0, 0]
        let labels = be32(0x0801) + be32(0)
        XCTAssertThrowsError(try IDXDataset.parse(images: images, labels: labels, imagesName: "i", labelsName: "l")) {
            XCTAssertTrue("\($0)".hasPrefix("i: 4 bytes of pixels for"), "\($0)")
        }
        let good = be32(0x0803) + be32(2) + be32(1) + be32(2) + [1, 2, 3, 4]
        XCTAssertEqual(try IDXDataset.parse(images: good, labels: be32(0x0801) + be32(2) + [7, 9],
                                            imagesName: "i", labelsName: "l").labels, [7, 9])
    }
}
