import JouleCore
import XCTest

/// `PackedCodes` (bit-packed QNN activation codes) against a straightforward bit-list reference,
/// for every width 1…8 and lengths around byte and word boundaries.
final class PackedCodesTests: XCTestCase {
    /// The format's layout, written the obvious way: code `i` is bits `i·b ..< (i+1)·b` of the
    /// tensor as one little-endian bit string, LSB first.
    func referencePack(_ codes: [UInt8], bits: Int) -> [UInt8] {
        var out = Array(repeating: UInt8(0), count: (codes.count * bits + 7) / 8)
        for (i, code) in codes.enumerated() {
            for k in 0..<bits where (code >> k) & 1 == 1 {
                let bit = i * bits + k
                out[bit / 8] |= 1 << (bit % 8)
            }
        }
        return out
    }

    let lengths = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 100]

    func testStoreAndLoadMatchTheReference() {
        var rng = SystemRandomNumberGenerator()
        for bits in 1...8 {
            for count in lengths {
                let codes = (0..<count).map { _ in UInt8.random(in: 0...UInt8((1 << bits) - 1), using: &rng) }
                let size = PackedCodes.bytes(count: count, bits: bits)
                XCTAssertEqual(size, (count * bits + 7) / 8 + 3, "three padding bytes")
                // Zeroed buffer, codes written in order: the bytes are the reference's.
                var buffer = Array(repeating: UInt8(0), count: size)
                buffer.withUnsafeMutableBytes { p in
                    for (i, c) in codes.enumerated() { PackedCodes.store(c, p.baseAddress!, index: i, bits: bits) }
                }
                XCTAssertEqual(Array(buffer.prefix(size - PackedCodes.padding)), referencePack(codes, bits: bits), "b \(bits) n \(count)")
                XCTAssertEqual(Array(buffer.suffix(3)), [0, 0, 0], "the padding is kept")
                // Buffer full of ones, codes written in a scattered order (as the CHW stores of a
                // conv layer are): every code reads back, bits outside the codes are kept.
                var dirty = Array(repeating: UInt8(0xFF), count: size)
                let order = (0..<count).map { ($0 * 7) % max(count, 1) }
                let permutation = Set(order).count == count ? order : Array((0..<count).reversed())
                dirty.withUnsafeMutableBytes { p in
                    for i in permutation { PackedCodes.store(codes[i], p.baseAddress!, index: i, bits: bits) }
                }
                dirty.withUnsafeBytes { p in
                    for i in 0..<count {
                        XCTAssertEqual(PackedCodes.load(p.baseAddress!, index: i, bits: bits), codes[i], "b \(bits) n \(count) i \(i)")
                        XCTAssertEqual(PackedCodeReader(p.baseAddress!, bits: bits).code(at: i), codes[i])
                    }
                    // A window holds the codes from `i` on, as many as fit 25 bits.
                    for i in 0..<count {
                        let w = PackedCodes.window(p.baseAddress!, index: i, bits: bits)
                        for k in 0..<min(25 / bits, count - i) {
                            XCTAssertEqual(UInt8((w >> (k * bits)) & ((1 << bits) - 1)), codes[i + k], "b \(bits) window \(i)+\(k)")
                        }
                    }
                    let (nz, sum) = PackedCodes.nonZeroAndSum(p.baseAddress!, count: count, bits: bits)
                    XCTAssertEqual(nz, UInt64(codes.filter { $0 != 0 }.count), "b \(bits) n \(count)")
                    XCTAssertEqual(sum, UInt64(codes.reduce(0) { $0 + Int($1) }), "b \(bits) n \(count)")
                }
                let usedBits = count * bits
                for bit in usedBits..<(size * 8) {
                    XCTAssertEqual((dirty[bit / 8] >> (bit % 8)) & 1, 1, "b \(bits) n \(count): bit \(bit) past the codes kept")
                }
                XCTAssertEqual(Array(dirty.prefix(usedBits / 8)), Array(referencePack(codes, bits: bits).prefix(usedBits / 8)))
            }
        }
    }

    func testWriterOverwritesOnlyItsCode() {
        for bits in 1...8 {
            let count = 40
            var buffer = Array(repeating: UInt8(0), count: PackedCodes.bytes(count: count, bits: bits))
            var codes = (0..<count).map { UInt8(($0 * 5 + 3) % (1 << bits)) }
            buffer.withUnsafeMutableBytes { p in
                let w = PackedCodeWriter(p.baseAddress!, bits: bits)
                for (i, c) in codes.enumerated() { w.setCode(c, at: i) }
                // Rewrite every third code with its complement.
                for i in stride(from: 0, to: count, by: 3) {
                    codes[i] = UInt8((1 << bits) - 1) - codes[i]
                    w.setCode(codes[i], at: i)
                }
                for i in 0..<count { XCTAssertEqual(PackedCodes.load(p.baseAddress!, index: i, bits: bits), codes[i]) }
            }
        }
    }
}
