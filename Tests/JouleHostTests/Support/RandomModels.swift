import JouleCore
import JouleHost

/// Seeded generator (SplitMix64) so that every random test is reproducible.
struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// Builds random but well-conditioned models: shapes, strides, paddings, pooling, residual
/// connections, int8 and int4 weights, with multipliers chosen so that codes spread over `0…T`
/// instead of all saturating or all vanishing.
enum RandomModels {
    /// `wide`: convolution and hidden fully connected layers get 32, 64 or 96 output channels and
    /// inputs are larger, so the vectorised event gather (multiples of 32 channels) runs them.
    /// `unitStride`: convolutions get stride 1 (the dense convolution's shape), `int8`: no int4
    /// weights; neither changes the random draws, so a seed's model keeps its other choices.
    static func make(seed: UInt64, layers layerCount: Int = 4, timesteps: Int = 6,
                     allowResidual: Bool = true, maxChannels: Int = 6, wide: Bool = false,
                     unitStride: Bool = false, int8: Bool = false) -> PackableModel {
        var rng = TestRNG(seed)
        let c0 = rng.int(1...3), h0 = rng.int(5...12), w0 = rng.int(5...12)
        var layers: [PackableLayer] = []
        var shape = (c: c0, h: h0, w: w0)
        var source = -1
        for index in 0..<layerCount {
            let isLast = index == layerCount - 1
            let roll = rng.int(0...9)
            if !isLast, roll < 2, shape.h >= 2, shape.w >= 2, source >= 0 {
                // Pooling.
                let kh = rng.int(1...min(3, shape.h)), kw = rng.int(1...min(3, shape.w))
                let sh = rng.int(1...kh), sw = rng.int(1...kw)
                let layer = PackableLayer(name: "pool\(index)", kind: rng.chance(0.6) ? .avgPool : .maxPool,
                                          inputIndex: source, inC: shape.c, inH: shape.h, inW: shape.w,
                                          outC: shape.c, outH: (shape.h - kh) / sh + 1, outW: (shape.w - kw) / sw + 1,
                                          kernelH: kh, kernelW: kw, strideH: sh, strideW: sw)
                layers.append(layer)
            } else if isLast || roll < 3 {
                // Fully connected.
                let out = isLast ? rng.int(2...10) : (wide ? 32 * rng.int(1...2) : rng.int(2...24))
                var layer = PackableLayer(name: "fc\(index)", kind: .linear, inputIndex: source,
                                          inC: shape.c, inH: shape.h, inW: shape.w, outC: out, outH: 1, outW: 1,
                                          activation: isLast ? .none : .quant)
                fillWeights(&layer, fanIn: shape.c * shape.h * shape.w, analog: source < 0, rng: &rng, timesteps: timesteps)
                layers.append(layer)
            } else if allowResidual, source >= 0, roll < 5, layers[source].activation == .quant {
                // Shape-preserving convolution with an identity shortcut from the layer it reads
                // (a spiking ResNet block).
                let k = [1, 3, 5][rng.int(0...2)]
                guard shape.h + k - 1 >= k, shape.w + k - 1 >= k else { continue }
                var layer = PackableLayer(name: "res\(index)", kind: .conv2d, inputIndex: source, residualIndex: source,
                                          inC: shape.c, inH: shape.h, inW: shape.w, outC: shape.c,
                                          outH: shape.h, outW: shape.w, kernelH: k, kernelW: k,
                                          strideH: 1, strideW: 1, padH: k / 2, padW: k / 2)
                fillWeights(&layer, fanIn: shape.c * k * k, analog: false, rng: &rng, timesteps: timesteps)
                layers.append(layer)
            } else {
                // Convolution.
                let kh = rng.int(1...min(5, shape.h + 2)), kw = rng.int(1...min(5, shape.w + 2))
                let ph = rng.int(0...(kh - 1)), pw = rng.int(0...(kw - 1))
                var sh = rng.int(1...3), sw = rng.int(1...3)
                if unitStride { sh = 1; sw = 1 }
                guard shape.h + 2 * ph >= kh, shape.w + 2 * pw >= kw else { continue }
                let outC = wide ? 32 * rng.int(1...3) : rng.int(1...maxChannels)
                var layer = PackableLayer(name: "conv\(index)", kind: .conv2d, inputIndex: source,
                                          inC: shape.c, inH: shape.h, inW: shape.w, outC: outC,
                                          outH: (shape.h + 2 * ph - kh) / sh + 1, outW: (shape.w + 2 * pw - kw) / sw + 1,
                                          kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw)
                fillWeights(&layer, fanIn: shape.c * kh * kw, analog: source < 0, rng: &rng, timesteps: timesteps, int8: int8)
                // A residual from an earlier layer with the same output shape (identity shortcut).
                if allowResidual, rng.chance(0.7),
                   let r = layers.indices.last(where: {
                       layers[$0].activation == .quant
                           && (layers[$0].outC, layers[$0].outH, layers[$0].outW) == (outC, layer.outH, layer.outW)
                   }) {
                    layer.residualIndex = r
                }
                layers.append(layer)
            }
            let last = layers[layers.count - 1]
            shape = (last.outC, last.outH, last.outW)
            source = layers.count - 1
        }
        return PackableModel(name: "random\(seed)", inputChannels: c0, inputHeight: h0, inputWidth: w0,
                             defaultTimesteps: timesteps, layers: layers)
    }

    /// Random weights (a fifth of them zero) and multipliers scaled to the fan-in, so that the
    /// typical pre-activation lands inside `0…T` levels.
    static func fillWeights(_ layer: inout PackableLayer, fanIn: Int, analog: Bool, rng: inout TestRNG, timesteps: Int,
                            int8: Bool = false) {
        layer.weightBits = rng.chance(0.3) && !int8 ? 4 : 8
        let limit = layer.weightBits == 8 ? 127 : 7
        let low = layer.weightBits == 8 ? -127 : -8
        layer.weights = (0..<(layer.outC * fanIn)).map { _ in
            rng.chance(0.2) ? 0 : Int8(rng.int(low...limit))
        }
        layer.shift = rng.int(16...24)
        // Typical |acc| ≈ sqrt(fanIn) · limit/2 · typical input (≈ 128 analog, ≈ T/2 codes).
        let typicalInput = analog ? 128.0 : Double(timesteps) / 2
        let typicalAcc = Double(fanIn).squareRoot() * Double(limit) / 2 * typicalInput
        let wanted = analog ? Double(1) / typicalAcc : Double(timesteps) / typicalAcc
        layer.multipliers = (0..<layer.outC).map { _ in
            let scale = wanted * Double.random(in: 0.5...2.0, using: &rng) * Double(1 << layer.shift)
            return Int32(max(1, min(Double(Int32.max), scale.rounded())))
        }
        layer.biases = (0..<layer.outC).map { _ in
            Int64((Double.random(in: -0.2...0.6, using: &rng) * Double(1 << layer.shift)).rounded())
        }
    }

    static func input(for model: PackableModel, seed: UInt64) -> [UInt8] {
        var rng = TestRNG(seed ^ 0xABCDEF)
        return (0..<(model.inputChannels * model.inputHeight * model.inputWidth)).map { _ in
            rng.chance(0.3) ? 0 : UInt8(rng.int(0...255))
        }
    }
}
