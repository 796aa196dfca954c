@testable import JouleCore
import JouleHost
import XCTest

/// `Interpreter.attachPrepack` (what the C API's `joule_prepack` relies on: an interpreter per call
/// reading the buffer one `prepack(into:)` filled) locates exactly the parts `prepack(into:)` made
/// — the kernels' data, the tap tables and thresholds, the index — in the QNN and the layer-wise
/// SNN, for models with and without dense layers; refuses short and misaligned buffers; and is a
/// no-op for the streaming SNN. The C API's runs with and without it are compared bit for bit by
/// `test_prepack` (cmocka) and `Tools/cross-test` (the demo with `--prepack`).
final class PrepackAttachTests: XCTestCase {
    func testAttachLocatesWhatPrepackMade() throws {
        for seed in UInt64(811)...814 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 3), wide: true, unitStride: true, int8: true)
            let harness = try RuntimeHarness(model)
            let m = harness.file.model
            for mode in [ExecutionMode.qnn, .snnLayerwise] {
                let bytes = Interpreter.prepackBytes(for: m, mode: mode)
                XCTAssertGreaterThan(bytes, 0, "seed \(seed) \(mode): tap tables at least")
                let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: m.plan(mode).arenaBytes, alignment: 16)
                defer { arena.deallocate() }
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes + 64, alignment: 32)
                defer { buffer.deallocate() }
                var owner = try Interpreter(model: m, arena: arena, mode: mode)
                try owner.prepack(into: buffer)
                var reader = try Interpreter(model: m, arena: arena, mode: mode)
                XCTAssertNil(reader.prepackIndex)
                try reader.attachPrepack(UnsafeRawBufferPointer(buffer))
                XCTAssertEqual(reader.prepacked, owner.prepacked, "seed \(seed) \(mode): kernels' data")
                XCTAssertEqual(reader.tapTables, owner.tapTables, "seed \(seed) \(mode): tap tables")
                XCTAssertEqual(reader.prepackIndex, owner.prepackIndex, "seed \(seed) \(mode): index")
                XCTAssertNotNil(reader.tapTables)
                var short = try Interpreter(model: m, arena: arena, mode: mode)
                XCTAssertThrowsError(try short.attachPrepack(UnsafeRawBufferPointer(rebasing: buffer[0..<(bytes - 1)])))
                XCTAssertThrowsError(try short.attachPrepack(UnsafeRawBufferPointer(rebasing: buffer[16..<(bytes + 16)])))
                XCTAssertNil(short.prepackIndex, "a refused buffer leaves the interpreter as it was")
            }
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: m.plan(.snnStreaming).arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            var streaming = try Interpreter(model: m, arena: arena, mode: .snnStreaming)
            XCTAssertEqual(Interpreter.prepackBytes(for: m, mode: .snnStreaming), 0)
            try streaming.attachPrepack(UnsafeRawBufferPointer(start: nil, count: 0))
            XCTAssertNil(streaming.prepackIndex)
        }
    }
}
