@testable import JouleCore
import XCTest

/// `BorderClasses.forEachRectangle` (the counters' division-free walk) yields exactly the
/// classes `rectangle(k)` defines, in order, and the classes tile the border: every input
/// whose window misses a kernel tap lies in exactly one class, every other input in none.
final class BorderClassesTests: XCTestCase {
    func testWalkEqualsIndexedRectanglesAndTilesTheBorder() {
        var shapes = 0
        for kernel in 1...5 {
            for pad in 0...2 where pad < kernel {
                for inH in 1...9 {
                    for inW in 1...9 {
                        let outH = inH + 2 * pad - kernel + 1, outW = inW + 2 * pad - kernel + 1
                        guard outH > 0, outW > 0 else { continue }
                        let record = LayerRecord(kind: .conv2d, weightBits: 8, activation: .quant, shift: 0, inputIndex: -1,
                                                 residualIndex: -1, inC: 1, inH: inH, inW: inW, outC: 16, outH: outH,
                                                 outW: outW, kernelH: kernel, kernelW: kernel, strideH: 1, strideW: 1,
                                                 padH: pad, padW: pad, weightOffset: 0, weightBytes: 0,
                                                 multiplierOffset: 0, biasOffset: 0, rowCountsOffset: 0, rowCount: 0,
                                                 lastReader: 1)
                        let classes = BorderClasses(record)
                        var walked: [[Int]] = []
                        classes.forEachRectangle { k, r in
                            XCTAssertEqual(k, walked.count)
                            walked.append([r.y0, r.y1, r.x0, r.x1])
                        }
                        let indexed = (0..<classes.count).map { k -> [Int] in
                            let r = classes.rectangle(k)
                            return [r.y0, r.y1, r.x0, r.x1]
                        }
                        let label = "k \(kernel) pad \(pad) \(inH)×\(inW)"
                        XCTAssertEqual(walked, indexed, label)
                        // Tiling: an input misses a tap iff some window position of it is
                        // outside the output range.
                        var cover = [Int](repeating: 0, count: inH * inW)
                        for r in walked {
                            for y in r[0]..<r[1] { for x in r[2]..<r[3] { cover[y * inW + x] += 1 } }
                        }
                        for y in 0..<inH {
                            for x in 0..<inW {
                                let missesRow = y + pad - (kernel - 1) < 0 || y + pad > outH - 1
                                let missesColumn = x + pad - (kernel - 1) < 0 || x + pad > outW - 1
                                XCTAssertEqual(cover[y * inW + x], missesRow || missesColumn ? 1 : 0, "\(label) input (\(y), \(x))")
                            }
                        }
                        shapes += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(shapes, 300)
    }
}
