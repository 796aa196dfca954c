@testable import JouleCore
import XCTest

/// The 2×2, stride-2 average pooling's vector path (`PoolingLayer.averageTwoByTwo`: 16, 8 or 4
/// outputs per step, a row's last step overlapping the one before; rows of 2 or 3 outputs in
/// one 4-lane step that reads past the row and stores one output too many, except at the end of
/// the buffers) against the definition written out per window, on widths around the step sizes
/// (guard bytes after the output), odd heights and widths (the last row or column is
/// left out) and byte values up to 255 (sums of four past one byte); and the windows' non-zero
/// visits and value sum from the input's less `unvisited`.
final class PoolingTests: XCTestCase {
    func record(channels: Int, height: Int, width: Int) -> LayerRecord {
        LayerRecord(kind: .avgPool, weightBits: 0, activation: .none, shift: 0, inputIndex: 0, residualIndex: -1,
                    inC: channels, inH: height, inW: width, outC: channels, outH: height / 2, outW: width / 2,
                    kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
                    weightOffset: 0, weightBytes: 0, multiplierOffset: 0, biasOffset: 0,
                    rowCountsOffset: 0, rowCount: 0, lastReader: 1)
    }

    func testMatchesTheDefinitionOnEveryWidth() {
        var rng = SystemRandomNumberGenerator()
        for width in [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 20, 30, 31, 32, 33, 34, 47, 48, 49, 64, 66] {
            for (channels, height) in [(1, 2), (3, 5), (2, 14)] {
                for maxValue in [1, 6, 255] {
                    let pool = PoolingLayer(record(channels: channels, height: height, width: width))
                    XCTAssertTrue(pool.isTwoByTwoAverage)
                    // Mostly zeros, so that the non-zero count differs from the window count.
                    let input = (0..<(channels * height * width)).map { _ in
                        Bool.random(using: &rng) ? UInt8(0) : UInt8.random(in: 0...UInt8(maxValue), using: &rng)
                    }
                    let (outH, outW) = (height / 2, width / 2)
                    var expected: [UInt8] = [], nonZero: UInt64 = 0, values: UInt64 = 0
                    for c in 0..<channels {
                        for oy in 0..<outH {
                            for ox in 0..<outW {
                                var sum = 0
                                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                                    let v = Int(input[(c * height + 2 * oy + dy) * width + 2 * ox + dx])
                                    sum += v
                                    if v != 0 { nonZero += 1 }
                                }
                                values += UInt64(sum)
                                expected.append(UInt8(sum / 4))
                            }
                        }
                    }
                    // Guard bytes after the output: the vector stores must not run past it.
                    var output = [UInt8](repeating: 0xA5, count: expected.count + 32)
                    let unvisited = input.withUnsafeBufferPointer { i in
                        output.withUnsafeMutableBufferPointer { o in
                            pool.averageTwoByTwo(i.baseAddress!, output: o.baseAddress!)
                        }
                        return pool.unvisited(i.baseAddress!)
                    }
                    let label = "C \(channels) H \(height) W \(width) max \(maxValue)"
                    XCTAssertEqual(Array(output.prefix(expected.count)), expected, label)
                    XCTAssertEqual(Array(output.suffix(32)), [UInt8](repeating: 0xA5, count: 32), "\(label): past the output")
                    // The windows' non-zero visits and value sum, as the counters take them.
                    XCTAssertEqual(UInt64(input.filter { $0 != 0 }.count) - unvisited.nonZero, nonZero, "\(label): non-zero visits")
                    XCTAssertEqual(input.reduce(UInt64(0)) { $0 + UInt64($1) } - unvisited.sum, values, "\(label): value sum")
                }
            }
        }
    }
}
