import JouleCore

/// A model ready to pack: shapes inferred, tensors in PyTorch layout, training-only parts gone.
/// Built from a JSON description (`ModelDescription.resolve`) or directly (tests, generators).
public struct PackableModel: Sendable {
    public var name: String
    public var inputChannels: Int, inputHeight: Int, inputWidth: Int
    public var defaultTimesteps: Int
    public var layers: [PackableLayer]

    public init(name: String, inputChannels: Int, inputHeight: Int, inputWidth: Int,
                defaultTimesteps: Int, layers: [PackableLayer]) {
        self.name = name
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.defaultTimesteps = defaultTimesteps
        self.layers = layers
    }

    /// Multiply-accumulates of one dense QNN pass (padding excluded).
    public var denseMACs: Int {
        layers.reduce(0) { $0 + ($1.kind == .conv2d || $1.kind == .linear ? $1.denseMACs : 0) }
    }

    /// Number of weights (biases and multipliers excluded).
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count } }
}

/// One layer of a `PackableModel`.
public struct PackableLayer: Sendable {
    public var name: String
    public var kind: LayerKind
    /// Index of the layer read, −1 for the model input.
    public var inputIndex: Int
    /// Index of the layer whose codes are added before the activation, −1 for none.
    public var residualIndex: Int
    public var inC: Int, inH: Int, inW: Int
    public var outC: Int, outH: Int, outW: Int
    public var kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int
    /// 8 or 4 for weighted layers, 0 for pooling.
    public var weightBits: Int
    public var shift: Int
    public var activation: ActivationKind
    /// PyTorch layout: conv `[outC][inC][kh][kw]`, linear `[out][in]` (in = CHW-flattened input).
    public var weights: [Int8]
    public var multipliers: [Int32]
    public var biases: [Int64]
    /// The SNN's neuron (weighted layers; `NeuronModel`).
    public var neuron: NeuronModel = .integrateAndFire

    public init(name: String, kind: LayerKind, inputIndex: Int, residualIndex: Int = -1,
                inC: Int, inH: Int, inW: Int, outC: Int, outH: Int, outW: Int,
                kernelH: Int = 0, kernelW: Int = 0, strideH: Int = 0, strideW: Int = 0,
                padH: Int = 0, padW: Int = 0, weightBits: Int = 0, shift: Int = 0,
                activation: ActivationKind = .quant, weights: [Int8] = [], multipliers: [Int32] = [],
                biases: [Int64] = []) {
        self.name = name; self.kind = kind; self.inputIndex = inputIndex; self.residualIndex = residualIndex
        self.inC = inC; self.inH = inH; self.inW = inW; self.outC = outC; self.outH = outH; self.outW = outW
        self.kernelH = kernelH; self.kernelW = kernelW; self.strideH = strideH; self.strideW = strideW
        self.padH = padH; self.padW = padW; self.weightBits = weightBits; self.shift = shift
        self.activation = activation; self.weights = weights; self.multipliers = multipliers; self.biases = biases
    }

    public var inputCount: Int { inC * inH * inW }
    public var outputCount: Int { outC * outH * outW }

    /// Dense multiply-accumulates of one pass (valid taps only).
    public var denseMACs: Int {
        switch kind {
        case .linear: return inputCount * outC
        case .conv2d:
            var taps = 0
            for oy in 0..<outH {
                let y0 = oy * strideH - padH
                let rows = max(0, min(kernelH, inH - y0) - max(0, -y0))
                for ox in 0..<outW {
                    let x0 = ox * strideW - padW
                    taps += rows * max(0, min(kernelW, inW - x0) - max(0, -x0))
                }
            }
            return taps * inC * outC
        case .avgPool, .maxPool: return 0
        }
    }

    /// The `LayerRecord` geometry this layer packs to (tensor offsets zero).
    func record(lastReader: Int) -> LayerRecord {
        let isLinear = kind == .linear
        return LayerRecord(
            kind: kind, weightBits: weightBits, activation: activation, shift: shift,
            inputIndex: inputIndex, residualIndex: residualIndex,
            inC: inC, inH: inH, inW: inW, outC: outC, outH: outH, outW: outW,
            kernelH: isLinear ? 0 : kernelH, kernelW: isLinear ? 0 : kernelW,
            strideH: isLinear ? 0 : strideH, strideW: isLinear ? 0 : strideW,
            padH: isLinear ? 0 : padH, padW: isLinear ? 0 : padW,
            weightOffset: 0, weightBytes: 0, multiplierOffset: 0, biasOffset: 0,
            rowCountsOffset: 0, rowCount: 0, lastReader: lastReader,
            streamWeightBound: streamWeightBound, neuron: neuron)
    }

    /// Weighted layers fed by spikes: `max_j max(Σ⁺_j, Σ⁻_j)` over output channel `j`'s positive
    /// and negative weights (`LayerRecord.streamWeightBound`); 0 for the other layers and where it
    /// exceeds 65535.
    var streamWeightBound: Int {
        guard kind == .conv2d || kind == .linear, inputIndex >= 0, outC > 0 else { return 0 }
        let fanIn = weights.count / outC
        var bound = 0
        for j in 0..<outC {
            let channel = weights[(j * fanIn)..<((j + 1) * fanIn)]
            let positive = channel.reduce(0) { $0 + max(0, Int($1)) }
            let negative = channel.reduce(0) { $0 + max(0, -Int($1)) }
            bound = max(bound, positive, negative)
        }
        return bound <= 65535 ? bound : 0
    }
}
