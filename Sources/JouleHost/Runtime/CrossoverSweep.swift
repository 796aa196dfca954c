import Foundation
import JouleCore

/// The spike rate below which the SNN runs faster than the QNN on this CPU, measured on one
/// convolution layer whose input activity is set exactly.
///
/// The layer (`channels → channels`, 3×3, stride 1, pad 1, on `size × size`, int8 weights,
/// seeded) is preceded by an identity 1×1 convolution that passes the input through, so the
/// layer's input is a tensor of spike counts we choose: every input neuron fires independently at
/// each of the `T` steps with probability `r` (its count, `0…T`, is binomial), so `r` is the
/// spike rate `s_r` of the layer input. The QNN reads the same counts as activation codes (its
/// work follows the non-zero fraction `1 − (1 − r)^T`), the layer-wise SNN runs its
/// event-driven kernels (`ConvolutionKernelPolicy.eventDriven`: spikes gathered or scattered
/// step by step, an accumulate per spike — its work follows `r · T`; not the kernels over spike
/// counts that its automatic policy takes at high rates, which would make it the QNN). Both run
/// the real runtime (`Benchmark`), and the layer's median time is compared.
public enum CrossoverSweep {
    public struct Point: Sendable {
        public var rate: Double
        /// Fraction of input neurons with a non-zero count.
        public var nonZeroFraction: Double
        public var qnnSeconds: Double
        public var snnSeconds: Double
    }

    public struct Result: Sendable {
        public var channels: Int, size: Int, timesteps: Int
        public var points: [Point]
        /// Rate where SNN and QNN times cross (log-linear interpolation between the measured
        /// points), or nil when one is faster over the whole range.
        public var crossover: Double?
    }

    /// The probe model: identity conv 1×1 (pass-through) → conv 3×3 → linear to 10 scores.
    public static func model(channels: Int, size: Int, timesteps: Int, seed: UInt64) -> PackableModel {
        var rng = SplitMix64(seed: seed)
        // Identity 1×1 conv on the input bytes: code = ⌊c · M · T / 2^S⌋ = c for c ≤ T when
        // M = ⌈2^S / T⌉ (M · T = 2^S + δ, δ < T).
        var pass = PackableLayer(name: "input", kind: .conv2d, inputIndex: -1, inC: channels, inH: size, inW: size,
                                 outC: channels, outH: size, outW: size, kernelH: 1, kernelW: 1,
                                 strideH: 1, strideW: 1, padH: 0, padW: 0)
        pass.weightBits = 8
        pass.weights = (0..<(channels * channels)).map { $0 / channels == $0 % channels ? 1 : 0 }
        pass.shift = 16
        pass.multipliers = Array(repeating: Int32(((1 << 16) + timesteps - 1) / timesteps), count: channels)
        pass.biases = Array(repeating: 0, count: channels)
        var conv = PackableLayer(name: "conv", kind: .conv2d, inputIndex: 0, inC: channels, inH: size, inW: size,
                                 outC: channels, outH: size, outW: size, kernelH: 3, kernelW: 3,
                                 strideH: 1, strideW: 1, padH: 1, padW: 1)
        conv.weightBits = 8
        conv.weights = (0..<(channels * channels * 9)).map { _ in Int8(truncatingIfNeeded: Int(rng.next() % 255) - 127) }
        conv.shift = 16
        conv.multipliers = Array(repeating: Int32(1 << 16) / Int32(64 * 3 * max(1, timesteps)), count: channels)
        conv.biases = Array(repeating: 0, count: channels)
        var fc = PackableLayer(name: "fc", kind: .linear, inputIndex: 1, inC: channels, inH: size, inW: size,
                               outC: 10, outH: 1, outW: 1, activation: .none)
        fc.weightBits = 8
        fc.weights = (0..<(10 * channels * size * size)).map { _ in Int8(truncatingIfNeeded: Int(rng.next() % 255) - 127) }
        fc.shift = 16
        fc.multipliers = Array(repeating: 1, count: 10)
        fc.biases = Array(repeating: 0, count: 10)
        return PackableModel(name: "crossover-probe", inputChannels: channels, inputHeight: size, inputWidth: size,
                             defaultTimesteps: timesteps, layers: [pass, conv, fc])
    }

    /// Spike counts `0…T`: each of `count` neurons fires at each step with probability `rate`.
    public static func input(count: Int, rate: Double, timesteps: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        let threshold = UInt64(rate * Double(UInt64.max >> 11)) 
        return (0..<count).map { _ in
            var spikes = 0
            for _ in 0..<timesteps where (rng.next() >> 11) < threshold { spikes += 1 }
            return UInt8(spikes)
        }
    }

    public static func run(channels: Int, size: Int, timesteps: Int, rates: [Double], rounds: Int,
                           seed: UInt64 = 1, progress: (Int) -> Void = { _ in }) throws -> Result {
        let packed = try Packer.pack(model(channels: channels, size: size, timesteps: timesteps, seed: seed))
        let file = try PackedModelFile(bytes: packed.bytes, name: "crossover-probe")
        var points: [Point] = []
        for (k, rate) in rates.enumerated() {
            let bytes = input(count: channels * size * size, rate: rate, timesteps: timesteps, seed: seed &+ UInt64(k))
            let results = try Benchmark.run(file: file, variants: [.init(mode: .qnn), .init(mode: .snnLayerwise, kernel: .eventDriven)], timesteps: timesteps, input: bytes,
                                            rounds: rounds, denseMACs: 0)
            let nonZero = Double(bytes.filter { $0 != 0 }.count) / Double(bytes.count)
            points.append(Point(rate: rate, nonZeroFraction: nonZero, qnnSeconds: results[0].layerSeconds[1],
                                snnSeconds: results[1].layerSeconds[1]))
            progress(k + 1)
        }
        return Result(channels: channels, size: size, timesteps: timesteps, points: points, crossover: crossing(points))
    }

    /// Where `snn − qnn` changes sign, interpolated linearly in log(rate).
    static func crossing(_ points: [Point]) -> Double? {
        let sorted = points.sorted { $0.rate < $1.rate }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let da = log(a.snnSeconds / a.qnnSeconds), db = log(b.snnSeconds / b.qnnSeconds)
            if da <= 0 && db > 0 || da > 0 && db <= 0 {
                let f = da / (da - db)
                return exp(log(a.rate) + f * (log(b.rate) - log(a.rate)))
            }
        }
        return nil
    }

    /// Layer time of both twins against the spike rate (log scale), with the crossover marked.
    public static func svg(_ result: Result, title: String) -> String {
        var d = SVGDocument(width: 640, height: 400)
        let left = 70.0, right = 600.0, top = 40.0, bottom = 340.0
        let rates = result.points.map(\.rate)
        let lo = log10(rates.min() ?? 0.001), hi = log10(rates.max() ?? 1)
        let times = result.points.flatMap { [$0.qnnSeconds, $0.snnSeconds] }.map { $0 * 1e6 }
        let tHigh = max(1, (times.max() ?? 1) * 1.1)
        func x(_ r: Double) -> Double { left + (right - left) * (log10(r) - lo) / max(1e-9, hi - lo) }
        func y(_ us: Double) -> Double { bottom - (bottom - top) * us / tHigh }
        d.text(320, 24, title, size: 15, anchor: "middle")
        d.line(left, bottom, right, bottom)
        d.line(left, top, left, bottom)
        for r in rates {
            d.line(x(r), bottom, x(r), bottom + 5)
            d.text(x(r), bottom + 18, String(format: r < 0.01 ? "%.3f" : "%.2f", r), size: 10, anchor: "middle")
        }
        d.text((left + right) / 2, bottom + 40, "input spike rate s_r (spikes per neuron per step, log scale)", size: 13, anchor: "middle")
        for k in 0...4 {
            let us = tHigh * Double(k) / 4
            d.line(left - 5, y(us), left, y(us))
            d.text(left - 8, y(us) + 4, String(format: "%.0f", us), size: 11, anchor: "end")
        }
        d.text(20, (top + bottom) / 2, "layer time (µs)", size: 13, anchor: "middle", rotate: -90)
        d.polyline(result.points.map { (x($0.rate), y($0.qnnSeconds * 1e6)) }, stroke: "#1f77b4")
        d.polyline(result.points.map { (x($0.rate), y($0.snnSeconds * 1e6)) }, stroke: "#d62728")
        for p in result.points {
            d.circle(x(p.rate), y(p.qnnSeconds * 1e6), r: 3, fill: "#1f77b4")
            d.circle(x(p.rate), y(p.snnSeconds * 1e6), r: 3, fill: "#d62728")
        }
        d.text(left + 10, top + 4, "— QNN (codes 0…T, one pass)", size: 11, fill: "#1f77b4")
        d.text(left + 10, top + 18, "— SNN layer-wise (T = \(result.timesteps) steps of spikes)", size: 11, fill: "#d62728")
        if let c = result.crossover {
            d.line(x(c), top, x(c), bottom, stroke: "#555", dash: "4 3")
            d.text(x(c) + 4, top + 40, String(format: "crossover s_r ≈ %.4f", c), size: 11, fill: "#555")
        }
        return d.render()
    }
}

/// SplitMix64: a small, seedable generator for reproducible inputs (`joule bench`, the
/// crossover probe).
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
