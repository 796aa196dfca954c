import XCTest
import Foundation
@testable import JouleHost

/// A JSON syntax error is reported with the file, its line and column, and the line with a caret,
/// by every reader of JSON files (model description, board, workload).
final class JSONSyntaxTests: XCTestCase {
    /// A stray comma on line 3: the second comma is at column 20.
    let broken = "{\n  \"format\": \"x\",\n  \"layers\": [ 1, 2,, ]\n}\n"

    func testLineColumnAndCaret() throws {
        let message = try XCTUnwrap(JSONSyntax.error(in: Data(broken.utf8)))
        XCTAssertTrue(message.hasPrefix("line 3, column 20: "), message)
        let lines = message.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, message)
        XCTAssertEqual(String(lines[1]), "      \"layers\": [ 1, 2,, ]")
        // The caret sits under the offending character.
        let caret = try XCTUnwrap(lines[2].firstIndex(of: "^"))
        let offset = lines[2].distance(from: lines[2].startIndex, to: caret)
        XCTAssertEqual(offset, 4 + 19)
        XCTAssertEqual(Array(lines[1])[offset], ",")
    }

    func testValidJSONHasNoSyntaxError() {
        XCTAssertNil(JSONSyntax.error(in: Data("{\"a\": [1, 2, {\"b\": null}]}".utf8)))
        XCTAssertNil(JSONSyntax.error(in: Data("3".utf8)))
    }

    func testColumnsCountCharactersNotBytes() throws {
        // "é" is two UTF-8 bytes but one column; the error is the unquoted x at column 10.
        let message = try XCTUnwrap(JSONSyntax.error(in: Data("{\"é\": 1, x}".utf8)))
        XCTAssertTrue(message.hasPrefix("line 1, column 10: "), message)
    }

    func testUnterminatedDocumentPointsAtItsEnd() throws {
        let message = try XCTUnwrap(JSONSyntax.error(in: Data("{\n  \"a\": [1, 2\n".utf8)))
        XCTAssertTrue(message.hasPrefix("line 2, column 13: the document ends"), message)
    }

    func testEveryReaderNamesFileLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("json-syntax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.json")
        try Data(broken.utf8).write(to: file)
        var messages: [String] = []
        XCTAssertThrowsError(try ModelDescription.load(path: file.path)) { messages.append("\($0)") }
        XCTAssertThrowsError(try BoardFile.load(file)) { messages.append("\($0)") }
        XCTAssertThrowsError(try Workload.load(path: file.path)) { messages.append("\($0)") }
        XCTAssertEqual(messages.count, 3)
        for m in messages {
            XCTAssertTrue(m.contains(file.path), "no file in: \(m)")
            XCTAssertTrue(m.contains("not valid JSON: line 3, column 20"), "no line and column in: \(m)")
        }
    }
}
