import JouleCore
import XCTest

/// Small integer helpers of the core, exhaustively or densely against wider-type references.
final class IntegerHelperTests: XCTestCase {
    func testCodeIsClampedFloorDivision() {
        for t in [1, 2, 3, 6, 15, 16, 255] {
            for shift in [0, 1, 7, 20, 48] {
                let d = Int64(1) << Int64(shift)
                let low: Int64 = -3 * d - 5
                let high: Int64 = Int64(t + 2) * d + 5
                let step = Int(max(1, d / 3))
                for a in stride(from: low, through: high, by: step) {
                    let floor: Int64 = a >= 0 ? a / d : (a + 1) / d - 1
                    let clamped: Int64 = min(max(floor, 0), Int64(t))
                    let expected = UInt8(clamped)
                    XCTAssertEqual(Requantize.code(a, shift: shift, timesteps: t), expected, "a \(a) S \(shift) T \(t)")
                }
            }
        }
    }

    /// The event gather's codes count thresholds instead of computing the 64-bit requantisation:
    /// for parameters across the validated ranges (multipliers up to 2^31 − 1, biases up to
    /// ±2^47, shifts up to 48, input scale k up to 255), a code equals the number of its level
    /// thresholds the accumulator reaches, at and around every threshold and at random points.
    func testCodeThresholdsCountTheCode() {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<4000 {
            let t = [1, 2, 3, 6, 7, 15][trial % 6]
            let shift = [0, 1, 8, 20, 31, 48][(trial / 6) % 6]
            let m = trial % 5 == 0 ? Int64(Int32.max) : Int64.random(in: 1...(Int64(1) << 31 - 1), using: &rng)
            let k: Int64 = trial % 3 == 0 ? Int64(t) : (trial % 7 == 0 ? 255 : 1)
            let bias = trial % 4 == 0 ? Int64.random(in: -(Int64(1) << 47 - 1)...(Int64(1) << 47 - 1), using: &rng)
                : Int64.random(in: -(Int64(1) << Int64(shift + 3))...(Int64(1) << Int64(shift + 3)), using: &rng)
            let offset = Int64(t) * bias
            // Accumulators the validation admits: |m · a · k| and the sum stay far inside int64.
            let bound = min(Int64(Int32.max) - 1, (Int64(1) << 61) / (m * k))
            var thresholds = [Int32](repeating: 0, count: 2 * t)
            thresholds.withUnsafeMutableBufferPointer {
                Requantize.fillCodeThresholds($0.baseAddress! + 1, stride: 2, timesteps: t,
                                              multiplier: m, offset: offset, shift: shift, scale: k)
            }
            XCTAssertEqual(thresholds.enumerated().filter { $0.offset % 2 == 0 }.map(\.element), [Int32](repeating: 0, count: t),
                           "writes only its stride")
            thresholds = thresholds.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            // Each threshold is the ceiling division, computed here directly.
            for n in 1...t {
                let x = (Int64(n) << Int64(shift)) - offset, d = m * k
                let q = x >= 0 ? (x + d - 1) / d : -((-x) / d)
                XCTAssertEqual(thresholds[n - 1], Int32(clamping: q), "level \(n)")
            }
            func check(_ a: Int64) {
                guard a >= -bound, a <= bound else { return }
                let expected = Requantize.code(m * a * k + offset, shift: shift, timesteps: t)
                let counted = thresholds.filter { Int64($0) <= a }.count
                XCTAssertEqual(counted, Int(expected), "a \(a) m \(m) k \(k) B \(bias) S \(shift) T \(t)")
            }
            for th in thresholds { for d in Int64(-1)...1 { check(Int64(th) + d) } }
            for _ in 0..<8 { check(Int64.random(in: -bound...bound, using: &rng)) }
            check(0)
        }
    }

    func testIntegrateAndFireEmitsTheQuantisedCount() {
        // A step-by-step IF neuron with current total/T per step (rational arithmetic, scaled by T)
        // fires clamp(floor(total / threshold), 0, T) times.
        for t in 1...16 {
            for threshold in [Int64(1), 4, 9, 1 << 20] {
                let low: Int64 = -2 * threshold
                let high: Int64 = Int64(t + 2) * threshold
                let step = Int(max(1, threshold / 5))
                for total in stride(from: low, through: high, by: step) {
                    let floor: Int64 = total >= 0 ? total / threshold : -1
                    let expected: Int64 = min(max(floor, 0), Int64(t))
                    XCTAssertEqual(Int64(Requantize.integrateAndFire(total: total, threshold: threshold, timesteps: t)),
                                   expected, "total \(total) θ \(threshold) T \(t)")
                }
            }
        }
    }

    func testEvenSpikeTrainsHaveTheirCount() {
        for t in 1...32 {
            for c in 0...t {
                XCTAssertEqual((0..<t).filter { Requantize.spikes(count: c, step: $0, timesteps: t) }.count, c)
            }
        }
    }

    func testCodeBits() {
        XCTAssertEqual([1, 2, 3, 4, 6, 7, 8, 15, 16, 255].map { Requantize.codeBits(timesteps: $0) },
                       [1, 2, 2, 3, 3, 3, 4, 4, 5, 8])
    }

    func testInt4RowsDecodeEveryNibble() {
        // Every byte value, both nibbles, against sign extension by arithmetic.
        for byte in 0...255 {
            var b = UInt8(byte)
            withUnsafeBytes(of: &b) { raw in
                let lo = byte & 0xF, hi = byte >> 4
                XCTAssertEqual(Int(WeightRow.weight(raw.baseAddress!, index: 0, bits: 4)), lo >= 8 ? lo - 16 : lo)
                XCTAssertEqual(Int(WeightRow.weight(raw.baseAddress!, index: 1, bits: 4)), hi >= 8 ? hi - 16 : hi)
            }
        }
    }

    func testMultiplyAccumulateBothFormats() {
        let weights: [Int8] = [-8, 7, 0, -1, 3, -5, 6]
        let packed: [UInt8] = stride(from: 0, to: weights.count, by: 2).map { j in
            (UInt8(bitPattern: weights[j]) & 0xF) | (j + 1 < weights.count ? (UInt8(bitPattern: weights[j + 1]) & 0xF) << 4 : 0)
        }
        for (row, bits) in [(weights.map { UInt8(bitPattern: $0) }, 8), (packed, 4)] {
            var acc = [Int32](repeating: 100, count: weights.count)
            row.withUnsafeBytes { r in
                acc.withUnsafeMutableBufferPointer {
                    WeightRow.multiplyAccumulate(r.baseAddress!, bits: bits, x: 13, into: $0.baseAddress!, count: weights.count)
                    WeightRow.accumulate(r.baseAddress!, bits: bits, into: $0.baseAddress!, count: weights.count)
                }
            }
            XCTAssertEqual(acc, weights.map { 100 + 14 * Int32($0) }, "bits \(bits)")
        }
    }

    func testWideningMatchesConversion() {
        for v in [Int.min / 2, -1, 0, 1, Int(Int32.max), Int(Int32.min)] {
            XCTAssertEqual(Int64(widening: Int32(truncatingIfNeeded: v)), Int64(Int32(truncatingIfNeeded: v)))
        }
        for v: UInt32 in [0, 1, .max, 0x8000_0000] { XCTAssertEqual(UInt64(widening: v), UInt64(v)) }
    }
}

/// The word-at-a-time byte counts against plain loops, at every length 0…600 (block edges and
/// tails included) and with worst-case bytes (255 everywhere) for the lane overflow bounds.
final class ByteCountsTests: XCTestCase {
    func testNonZeroAndSumEqualPlainLoops() {
        var state: UInt64 = 12345
        // Every short length, and lengths around the vector blocks' flush points (255 and 256
        // vectors of 32 bytes, 31 and 32 SWAR words) with all-255 data, the worst case for lanes.
        for length in Array(0...600) + [7_935, 7_936, 7_937, 8_159, 8_160, 8_161, 8_191, 8_192, 8_193, 16_385, 40_000] {
            let bytes: [UInt8] = (0..<length).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let r = UInt8(truncatingIfNeeded: state >> 56)
                return r < 150 ? 0 : r  // ~40 % non-zero, values up to 255
            }
            // Every byte value in turn too (the non-zero test of 128 and 255, whose negations
            // are 128 and 1, differs from the others').
            let cycling = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            for data in [bytes, cycling, [UInt8](repeating: 255, count: length), [UInt8](repeating: 1, count: length),
                         [UInt8](repeating: 128, count: length)] {
                data.withUnsafeBufferPointer { b in
                    let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
                    XCTAssertEqual(ByteCounts.nonZero(p, count: length), UInt64(data.filter { $0 != 0 }.count), "length \(length)")
                    XCTAssertEqual(ByteCounts.sum(p, count: length), data.reduce(UInt64(0)) { $0 + UInt64($1) }, "length \(length)")
                    let both = ByteCounts.nonZeroAndSum(p, count: length)
                    XCTAssertEqual(both.nonZero, UInt64(data.filter { $0 != 0 }.count), "length \(length)")
                    XCTAssertEqual(both.sum, data.reduce(UInt64(0)) { $0 + UInt64($1) }, "length \(length)")
                }
            }
        }
    }
}
