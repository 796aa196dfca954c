import JouleHost

/// Three-layer models that drive a 3×3 convolution's sums to the bounds of a kernel's narrow
/// accumulation: a 1×1 producer turning the model input into `inC` channels of codes, the 3×3
/// convolution with every weight `weight` and biases that centre the sum `centred` on code
/// `T/2` (so that a sum off by 2^16 changes the codes), and a small linear head.
enum ExtremeModels {
    /// - Parameters:
    ///   - producerMultiplier, producerBias: the 1×1 producer's (weight 1, shift 8): multiplier 1
    ///     and bias `T · 256` make every code `T`; multiplier 2 and bias 0 make code `T` where
    ///     the input is 255 and 0 where it is 0.
    static func make(name: String, inC: Int, outC: Int = 16, h: Int, w: Int, timesteps t: Int, weight: Int8,
                     centred: Int64, producerMultiplier: Int32, producerBias: Int64) -> PackableModel {
        var source = PackableLayer(name: "src", kind: .conv2d, inputIndex: -1, inC: 1, inH: h, inW: w, outC: inC,
                                   outH: h, outW: w, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0)
        source.weightBits = 8
        source.weights = Array(repeating: 1, count: inC)
        source.shift = 8
        source.multipliers = Array(repeating: producerMultiplier, count: inC)
        source.biases = Array(repeating: producerBias, count: inC)
        var conv = PackableLayer(name: "conv", kind: .conv2d, inputIndex: 0, inC: inC, inH: h, inW: w, outC: outC,
                                 outH: h, outW: w, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1)
        conv.weightBits = 8
        conv.weights = Array(repeating: weight, count: outC * inC * 9)
        conv.shift = 16
        conv.multipliers = (0..<outC).map { Int32(1 + $0 % 3) }
        conv.biases = (0..<outC).map { _ in (Int64(t / 2) * 65536 - centred) / Int64(t) + Int64(t) * 1000 }
        var fc = PackableLayer(name: "fc", kind: .linear, inputIndex: 1, inC: outC, inH: h, inW: w, outC: 3,
                               outH: 1, outW: 1, activation: .none)
        fc.weightBits = 8
        fc.weights = (0..<(3 * outC * h * w)).map { Int8(truncatingIfNeeded: $0 % 7 - 3) }
        fc.shift = 8
        fc.multipliers = [1, 1, 1]
        fc.biases = [0, 0, 0]
        return PackableModel(name: name, inputChannels: 1, inputHeight: h, inputWidth: w, defaultTimesteps: t,
                             layers: [source, conv, fc])
    }
}
