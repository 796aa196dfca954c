import JouleCore
import JouleHost
import XCTest

/// The event scatter (`Kernels/EventScatter.swift`), the QNN's and the layer-wise SNN's over spike
/// trains, against the independent reference
/// (`ReferenceModel`) and the other kernels (`KernelAgreement`): random stride-1 models with
/// dense, sparse and clustered inputs; int32 sums (8-bit model input, `outC` not a multiple of
/// 16) and flushed int16 ones (codes); one-row bands; `T` above the thresholds' table.
final class EventScatterTests: XCTestCase {
    func testMatchesReferenceOnRandomStrideOneModels() throws {
        var scattered = 0, firstLayers = 0, spikeScattered = 0
        for seed in UInt64(1200)...1225 {
            let model = RandomModels.make(seed: seed, layers: 2 + Int(seed % 4), wide: true, unitStride: true, int8: true)
            let input = RandomModels.input(for: model, seed: seed)
            // Sparse: one value in 23 kept (events scattered over every band and border).
            let sparse = input.indices.map { $0 % 23 == 0 ? input[$0] : 0 }
            for t in [1, 2, 6, 15] {
                for (name, x) in [("dense input", input), ("sparse input", sparse)] {
                    let kernels = try KernelAgreement.check(model, input: x, timesteps: t, label: "seed \(seed) \(name)")
                    let scatter = kernels[.eventScatter] ?? []
                    scattered += scatter.filter { $0 == .eventScatter }.count
                    if scatter.first == .eventScatter { firstLayers += 1 }
                    spikeScattered += (kernels.snn[.eventScatter] ?? []).filter { $0 == .eventScatter }.count
                }
            }
            // Above T = 15 the codes come from 64-bit arithmetic, not the thresholds' table:
            // the scatter steps aside.
            for t in [16, 40] {
                let kernels = try KernelAgreement.check(model, input: input, timesteps: t, label: "seed \(seed)")
                XCTAssertFalse((kernels[.eventScatter] ?? []).contains(.eventScatter), "seed \(seed) T \(t): no scatter")
                XCTAssertFalse((kernels.snn[.eventScatter] ?? []).contains(.eventScatter), "seed \(seed) T \(t): no SNN scatter")
            }
        }
        XCTAssertGreaterThan(scattered, 60, "the scatter must really run for the comparison to mean anything")
        XCTAssertGreaterThan(firstLayers, 5, "first layers (input bytes up to 255, int32 sums) through the scatter")
        XCTAssertGreaterThan(spikeScattered, 30, "the SNN's scatter over spike trains must really run too")
    }

    /// Shapes the random models miss: codes into 8 and 24 channels (int32 sums: `outC` not a
    /// multiple of 16), 128 channels on a 40-pixel row (one-row bands: 40 · 128 · 4 > 16 KiB),
    /// rectangular kernels with uneven padding, rows whose width is not a multiple of 8.
    func testOddShapesAndOneRowBands() throws {
        let cases: [(inC: Int, h: Int, w: Int, outC: Int, kh: Int, kw: Int, ph: Int, pw: Int)] = [
            (16, 9, 13, 8, 3, 3, 1, 1), (5, 7, 11, 24, 5, 3, 2, 0), (8, 5, 40, 128, 3, 3, 1, 1),
            (32, 6, 9, 16, 1, 5, 0, 2), (3, 4, 17, 48, 2, 2, 1, 1),
        ]
        var scattered = 0
        for (index, c) in cases.enumerated() {
            var rng = TestRNG(UInt64(1300 + index))
            // A first layer into `inC` channels of codes, then the layer under test reading them.
            var first = PackableLayer(name: "c0", kind: .conv2d, inputIndex: -1, inC: 1, inH: c.h, inW: c.w, outC: c.inC,
                                      outH: c.h, outW: c.w, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0)
            RandomModels.fillWeights(&first, fanIn: 1, analog: true, rng: &rng, timesteps: 6, int8: true)
            let outH = c.h + 2 * c.ph - c.kh + 1, outW = c.w + 2 * c.pw - c.kw + 1
            var conv = PackableLayer(name: "c1", kind: .conv2d, inputIndex: 0, inC: c.inC, inH: c.h, inW: c.w, outC: c.outC,
                                     outH: outH, outW: outW, kernelH: c.kh, kernelW: c.kw, strideH: 1, strideW: 1,
                                     padH: c.ph, padW: c.pw)
            RandomModels.fillWeights(&conv, fanIn: c.inC * c.kh * c.kw, analog: false, rng: &rng, timesteps: 6, int8: true)
            var head = PackableLayer(name: "fc", kind: .linear, inputIndex: 1, inC: c.outC, inH: outH, inW: outW, outC: 3,
                                     outH: 1, outW: 1, activation: .none)
            RandomModels.fillWeights(&head, fanIn: c.outC * outH * outW, analog: false, rng: &rng, timesteps: 6, int8: true)
            let model = PackableModel(name: "odd\(index)", inputChannels: 1, inputHeight: c.h, inputWidth: c.w,
                                      defaultTimesteps: 6, layers: [first, conv, head])
            let input = RandomModels.input(for: model, seed: UInt64(index))
            for t in [2, 6, 15] {
                let kernels = try KernelAgreement.check(model, input: input, timesteps: t, label: "odd \(index)")
                let scatter = kernels[.eventScatter] ?? []
                XCTAssertEqual(scatter[1], .eventScatter, "odd \(index): the layer under test runs the scatter")
                XCTAssertEqual(kernels.snn[.eventScatter]?[1], .eventScatter, "odd \(index): and the SNN's over spike trains")
                scattered += scatter.filter { $0 == .eventScatter }.count
            }
        }
        XCTAssertGreaterThanOrEqual(scattered, 15)
    }

    /// The 16-bit sums at their bound: one input pixel at `T` in every one of `inC` channels,
    /// weights all ±127 (validation's range). The scan meets that pixel's events one channel
    /// after another, all adding into the same 9 outputs, whose sums (`inC · T · 127`) would wrap
    /// 16 bits — the kernel must widen them in time (every 255 of added value: 17 events at
    /// T = 15; 20 would already wrap). Codes centred so that a wrapped sum changes them.
    func testSixteenBitSumsAreFlushedInTime() throws {
        for (t, weight, inC) in [(15, Int8(-127), 32), (15, Int8(127), 48), (6, Int8(-127), 96), (3, Int8(127), 128)] {
            let h = 5, w = 6
            // Code T where the input is 255, else 0; the hot pixel's neighbours (one tap each:
            // inC · t · weight) centred.
            let model = ExtremeModels.make(name: "flush", inC: inC, h: h, w: w, timesteps: t, weight: weight,
                                           centred: Int64(inC * t) * Int64(weight), producerMultiplier: 2, producerBias: 0)
            var input = [UInt8](repeating: 0, count: h * w)
            input[2 * w + 3] = 255
            let codes = ReferenceModel(model: model).run(input: input, timesteps: t).layerValues
            XCTAssertEqual(codes[0].filter { $0 == t }.count, inC, "T \(t): one hot pixel per channel")
            XCTAssertEqual(codes[0].filter { $0 != 0 }.count, inC, "T \(t): zero elsewhere")
            XCTAssertTrue(Set(codes[1]).count > 1, "T \(t): the codes under test are not all clamped")
            XCTAssertGreaterThan(inC * t * 127, 32767, "T \(t): the neighbours' sums would wrap 16 bits")
            let kernels = try KernelAgreement.check(model, input: input, timesteps: t, label: "flush w \(weight) inC \(inC)")
            XCTAssertEqual(kernels[.eventScatter]?[1], .eventScatter)
            // The SNN's scatter adds inC · T unit spikes of ±127 into the same outputs: its
            // 16-bit sums must be widened every 255 spikes.
            XCTAssertEqual(kernels.snn[.eventScatter]?[1], .eventScatter)
        }
    }
}
