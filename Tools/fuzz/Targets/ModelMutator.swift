// The loader target's structure-aware mutator (libFuzzer's LLVMFuzzerCustomMutator hook).
//
// Byte-level mutation of a packed file saturates: a consistent change of shapes across layers
// needs new records, new arena plans and a new checksum. Half of the time this mutator instead
// reads the model's structure (layer kinds, connections, geometry, weight widths, T), changes one
// to three things consistently — T, the input's size or channels, a layer's kind, kernel, stride,
// padding, output channels or weight width, a residual, a leaky neuron, compact plans — re-derives every shape
// downstream, fills the weights with seeded values, and packs the result with the real packer
// (which plans the arenas and seals the checksum). A mutant the packer rejects falls back to
// libFuzzer's byte mutation.
import JouleCore
import JouleHost

@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// Bounds that keep a mutant's work within the target's budget.
enum MutantLimits {
    static let maxSide = 24, maxChannels = 24, maxKernel = 5, maxStride = 3, maxLayers = 12, maxTimesteps = 16
}

/// Draws from a generator seeded by libFuzzer (`SplitMix64`).
struct MutantRandom {
    var generator: SplitMix64
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int.random(in: 0..<n, using: &generator) }
    mutating func inRange(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &generator) }
}

/// The structure of one layer, without its tensors.
struct LayerShape {
    var kind: LayerKind
    var inputIndex: Int, residualIndex: Int
    var kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int
    var outC: Int
    var weightBits: Int
    /// Weighted layers: the SNN's neuron (leaky ones run only in the streaming schedule).
    var neuron: NeuronModel = .integrateAndFire
}

/// The structure of a model: input, `T`, layers.
struct ModelShape {
    var inputChannels: Int, inputHeight: Int, inputWidth: Int
    var timesteps: Int
    var layers: [LayerShape]

    init?(_ model: PackedModel) {
        inputChannels = model.inputChannels; inputHeight = model.inputHeight; inputWidth = model.inputWidth
        timesteps = model.defaultTimesteps
        layers = (0..<model.layerCount).map { i in
            let r = model.layer(i)
            return LayerShape(kind: r.kind, inputIndex: r.inputIndex, residualIndex: r.residualIndex,
                              kernelH: r.kernelH, kernelW: r.kernelW, strideH: r.strideH, strideW: r.strideW,
                              padH: r.padH, padW: r.padW, outC: r.outC, weightBits: r.weightBits, neuron: r.neuron)
        }
        if layers.isEmpty { return nil }
    }

    /// One random structural change.
    mutating func mutate(_ rng: inout MutantRandom) {
        let L = MutantLimits.self
        let i = rng.below(layers.count)
        switch rng.below(10) {
        case 0: timesteps = rng.inRange(1...L.maxTimesteps)
        case 1: inputHeight = rng.inRange(1...L.maxSide); inputWidth = rng.below(2) == 0 ? inputHeight : rng.inRange(1...L.maxSide)
        case 2: inputChannels = rng.inRange(1...4)
        case 3: layers[i].kind = [.conv2d, .linear, .avgPool, .maxPool][rng.below(4)]
        case 4: layers[i].kernelH = rng.inRange(1...L.maxKernel); layers[i].kernelW = rng.inRange(1...L.maxKernel)
        case 5: layers[i].strideH = rng.inRange(1...L.maxStride); layers[i].strideW = rng.inRange(1...L.maxStride)
        case 6: layers[i].padH = rng.inRange(0...2); layers[i].padW = rng.inRange(0...2)
        case 7: layers[i].outC = rng.inRange(1...L.maxChannels); layers[i].weightBits = rng.below(2) == 0 ? 8 : 4
        case 8:  // a leaky neuron (or back to integrate-and-fire): any valid leak and flags
            let s = rng.below(3) == 0 ? 0 : rng.inRange(1...NeuronModel.maxLeakShift)
            layers[i].neuron = NeuronModel(leakMultiplier: s == 0 ? 0 : rng.below(1 << s), leakShift: s, flags: rng.below(NeuronModel.knownFlags + 1))
        default:
            if i > 0 { layers[i].residualIndex = rng.below(2) == 0 ? -1 : rng.below(i) }
            if layers.count < L.maxLayers, rng.below(3) == 0 {  // duplicate a layer after itself
                var copy = layers[i]
                copy.inputIndex = i
                copy.residualIndex = -1
                layers.insert(copy, at: i + 1)
                for k in (i + 2)..<layers.count {
                    if layers[k].inputIndex > i { layers[k].inputIndex += 1 }
                    if layers[k].residualIndex > i { layers[k].residualIndex += 1 }
                }
            }
        }
    }

    /// A packable model with every shape re-derived from the input down, so that the packer's
    /// rules hold (pooling never reads the model input, kernels fit, the last layer is a linear
    /// read-out, residuals match or are dropped), and seeded tensors.
    func packable(_ rng: inout MutantRandom) -> PackableModel {
        let L = MutantLimits.self
        var out: [PackableLayer] = []
        for (i, s) in layers.enumerated() {
            let last = i == layers.count - 1
            var kind = last ? .linear : s.kind
            let source = max(-1, min(s.inputIndex, i - 1))
            if source < 0, kind == .avgPool || kind == .maxPool { kind = .conv2d }
            let (inC, inH, inW) = source < 0 ? (inputChannels, inputHeight, inputWidth)
                : (out[source].outC, out[source].outH, out[source].outW)
            var layer = PackableLayer(name: "l\(i)", kind: kind, inputIndex: source, inC: inC, inH: inH, inW: inW,
                                      outC: min(max(1, s.outC), L.maxChannels), outH: 1, outW: 1)
            switch kind {
            case .conv2d:
                layer.padH = min(max(0, s.padH), 2); layer.padW = min(max(0, s.padW), 2)
                layer.kernelH = min(max(layer.padH + 1, s.kernelH), inH + 2 * layer.padH, L.maxKernel)
                layer.kernelW = min(max(layer.padW + 1, s.kernelW), inW + 2 * layer.padW, L.maxKernel)
                layer.padH = min(layer.padH, layer.kernelH - 1); layer.padW = min(layer.padW, layer.kernelW - 1)
                layer.strideH = min(max(1, s.strideH), L.maxStride); layer.strideW = min(max(1, s.strideW), L.maxStride)
                layer.outH = (inH + 2 * layer.padH - layer.kernelH) / layer.strideH + 1
                layer.outW = (inW + 2 * layer.padW - layer.kernelW) / layer.strideW + 1
            case .avgPool, .maxPool:
                layer.kernelH = min(max(1, s.kernelH), inH); layer.kernelW = min(max(1, s.kernelW), inW)
                layer.strideH = min(max(1, s.strideH), L.maxStride); layer.strideW = min(max(1, s.strideW), L.maxStride)
                layer.outC = inC
                layer.outH = (inH - layer.kernelH) / layer.strideH + 1
                layer.outW = (inW - layer.kernelW) / layer.strideW + 1
            case .linear:
                if last { layer.outC = min(max(2, s.outC), 10) }
            }
            layer.activation = last ? .none : .quant
            if kind == .conv2d || kind == .linear {
                layer.weightBits = s.weightBits == 4 ? 4 : 8
                layer.shift = 16
                let fanIn = kind == .linear ? inC * inH * inW : inC * layer.kernelH * layer.kernelW
                let range = layer.weightBits == 4 ? 8 : 128
                layer.weights = (0..<(layer.outC * fanIn)).map { _ in Int8(rng.inRange(-range...(range - 1))) }
                // Multipliers that put typical sums near the middle of the code range 0…T.
                let scale = max(1, (1 << 16) / max(1, fanIn * range / 4))
                layer.multipliers = (0..<layer.outC).map { _ in Int32(rng.inRange(1...max(1, scale * 2))) }
                layer.biases = (0..<layer.outC).map { _ in Int64(rng.inRange(-(1 << 14)...(1 << 14))) }
            }
            if kind == .conv2d || kind == .linear { layer.neuron = s.neuron }
            if s.residualIndex >= 0, s.residualIndex < i, !last, source >= 0 {
                let r = out[s.residualIndex]
                if r.activation == .quant, r.outC == layer.outC, r.outH == layer.outH, r.outW == layer.outW {
                    layer.residualIndex = s.residualIndex
                }
            }
            out.append(layer)
        }
        return PackableModel(name: "mutant", inputChannels: inputChannels, inputHeight: inputHeight,
                             inputWidth: inputWidth, defaultTimesteps: timesteps, layers: out)
    }
}

/// A structural mutant of the packed model in `bytes`, packed; nil when the input does not open
/// or the packer rejects the mutant.
func structuralMutant(_ bytes: [UInt8], seed: UInt32) -> [UInt8]? {
    var copy = bytes
    if copy.count >= PackedFormat.headerBytes { Packer.sealChecksum(&copy) }
    guard let file = try? PackedModelFile(bytes: copy, name: "seed"), var shape = ModelShape(file.model) else { return nil }
    var rng = MutantRandom(generator: SplitMix64(seed: UInt64(seed)))
    for _ in 0...rng.below(3) { shape.mutate(&rng) }
    let model = shape.packable(&rng)
    return try? Packer.pack(model, compact: rng.below(4) == 0).bytes
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzLoaderMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    if seed % 2 == 0, let mutant = structuralMutant(Array(UnsafeBufferPointer(start: data, count: size)), seed: seed),
       mutant.count <= maxSize {
        mutant.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: mutant.count) }
        return mutant.count
    }
    return libFuzzerMutate(data, size, maxSize)
}
