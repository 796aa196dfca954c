import Foundation
import JouleCore

extension ModelDescription {
    /// Infers every shape, drops training-only layers and `flatten`, reads and checks the tensors,
    /// and returns the model ready to pack.
    /// - Parameters:
    ///   - path: the JSON file (named in messages; `weights` is relative to its folder).
    ///   - tensors: the weights; read from `weights` when `nil`.
    /// - Throws: `JouleHostError` naming the file, the layer and the field.
    public func resolve(path: String, tensors: SafeTensors? = nil) throws -> PackableModel {
        func fail(_ layer: String?, _ message: String) -> JouleHostError {
            JouleHostError("\(path): " + (layer.map { "layer '\($0)': " } ?? "") + message)
        }
        guard !name.isEmpty, name.utf8.count <= 31, name.allSatisfy({ $0.isASCII }) else {
            throw fail(nil, "field 'name' must be 1–31 ASCII characters")
        }
        guard (1...65535).contains(input.channels), (1...65535).contains(input.height),
              (1...65535).contains(input.width)
        else { throw fail(nil, "field 'input': channels, height and width must be 1…65535") }
        guard input.scale > 0, input.scale.isFinite else { throw fail(nil, "field 'input.scale' must be a positive number") }
        guard (1...255).contains(timesteps) else { throw fail(nil, "field 'timesteps' must be 1…255, got \(timesteps)") }
        let weightsPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(weights).path
        let tensors = try tensors ?? SafeTensors(path: weightsPath)

        /// Where each named layer's output lives: a kept layer's index, −1 for the model input.
        var source: [String: Int] = ["input": -1]
        var shapes: [Int: (c: Int, h: Int, w: Int)] = [-1: (input.channels, input.height, input.width)]
        var trainingOnly: Set<String> = []
        var layers: [PackableLayer] = []
        var previous = -1
        var seen: Set<String> = ["input"]
        for (position, d) in self.layers.enumerated() {
            let where_ = d.name.isEmpty ? "#\(position)" : d.name
            guard !d.name.isEmpty, d.name.utf8.count <= 31, d.name.allSatisfy({ $0.isASCII }) else {
                throw fail(where_, "field 'name' must be 1–31 ASCII characters")
            }
            guard seen.insert(d.name).inserted else { throw fail(d.name, "duplicate layer name (or the reserved name 'input')") }
            if d.trainingOnly == true {
                trainingOnly.insert(d.name)
                continue
            }
            let from: Int
            if let inputName = d.input {
                if trainingOnly.contains(inputName) {
                    throw fail(d.name, "field 'input': '\(inputName)' is training-only and is dropped by the packer")
                }
                guard let s = source[inputName] else {
                    throw fail(d.name, "field 'input': no earlier layer is named '\(inputName)'")
                }
                from = s
            } else {
                from = previous
            }
            let inShape = shapes[from]!
            if d.type == "flatten" {
                source[d.name] = from
                previous = from
                continue
            }
            var layer = try resolveLayer(d, from: from, inShape: inShape, tensors: tensors, fail: fail)
            if let residual = d.residual {
                guard let r = source[residual], r >= 0 else {
                    throw fail(d.name, "field 'residual': no earlier kept layer is named '\(residual)'")
                }
                guard from >= 0 else {
                    throw fail(d.name, "field 'residual': a layer reading the model input takes no residual")
                }
                guard layer.activation == .quant, layer.kind == .conv2d || layer.kind == .linear else {
                    throw fail(d.name, "field 'residual' needs a conv2d or linear layer with activation \"quant\"")
                }
                let rs = shapes[r]!
                guard rs == (layer.outC, layer.outH, layer.outW) else {
                    throw fail(d.name, "field 'residual': '\(residual)' has shape \(rs.c)×\(rs.h)×\(rs.w), "
                        + "this layer's output is \(layer.outC)×\(layer.outH)×\(layer.outW)")
                }
                layer.residualIndex = r
            }
            if let neuron = d.neuron {
                guard layer.kind == .conv2d || layer.kind == .linear else {
                    throw fail(d.name, "field 'neuron': only conv2d and linear layers have neurons")
                }
                layer.neuron = try Self.neuronModel(neuron) { fail(d.name, $0) }
            }
            layers.append(layer)
            let index = layers.count - 1
            source[d.name] = index
            shapes[index] = (layer.outC, layer.outH, layer.outW)
            previous = index
        }
        guard let last = layers.last else { throw fail(nil, "field 'layers' has no kept layer") }
        guard last.activation == .none, last.outH == 1, last.outW == 1 else {
            throw fail(last.name, "the last layer must be linear (or a conv with 1×1 output) with activation \"none\"")
        }
        if let bad = layers.dropLast().first(where: { $0.activation == .none }) {
            throw fail(bad.name, "field 'activation': only the last layer may be \"none\"")
        }
        if let classes, classes.count != last.outC {
            throw fail(nil, "field 'classes' has \(classes.count) names, the last layer has \(last.outC) outputs")
        }
        return PackableModel(name: name, inputChannels: input.channels, inputHeight: input.height,
                             inputWidth: input.width, defaultTimesteps: timesteps, layers: layers)
    }

    /// The `NeuronModel` of a layer's `neuron` field: `β = m / 2^s` with the smallest `s ≤ 16`.
    public static func neuronModel(_ n: Neuron, fail: (String) -> JouleHostError) throws -> NeuronModel {
        var flags = 0
        if n.fireAboveThreshold == true { flags |= NeuronModel.fireAboveThreshold }
        if n.resetDelay == true { flags |= NeuronModel.resetAfterLeak }
        if n.resetToZero == true { flags |= NeuronModel.resetToZero }
        let beta = n.beta ?? 1
        guard beta.isFinite, beta >= 0, beta <= 1 else {
            throw fail("field 'neuron.beta' must be between 0 and 1, got \(beta)")
        }
        if beta == 1 { return NeuronModel(leakMultiplier: 0, leakShift: 0, flags: flags) }
        for s in 1...NeuronModel.maxLeakShift {
            let scaled = beta * Double(1 << s)
            if scaled == scaled.rounded() { return NeuronModel(leakMultiplier: Int(scaled), leakShift: s, flags: flags) }
        }
        let limit = Double(1 << NeuronModel.maxLeakShift)
        let nearest = (beta * limit).rounded()
        throw fail("field 'neuron.beta' is \(beta), not a multiple of 2^-16 (the leak is an integer multiply and "
            + "shift); the nearest is \(nearest / limit) = \(Int(nearest))/65536")
    }

    private func pair(_ value: [Int]?, _ field: String, default def: [Int], layer: String,
                      fail: (String?, String) -> JouleHostError) throws -> (Int, Int) {
        let v = value ?? def
        guard v.count == 2, v.allSatisfy({ (0...255).contains($0) }) else {
            throw fail(layer, "field '\(field)' must be [h, w] with values 0…255, got \(v)")
        }
        return (v[0], v[1])
    }

    private func resolveLayer(_ d: Layer, from: Int, inShape: (c: Int, h: Int, w: Int), tensors: SafeTensors,
                              fail: (String?, String) -> JouleHostError) throws -> PackableLayer {
        let (c, h, w) = inShape
        switch d.type {
        case "avgpool", "maxpool":
            let (kh, kw) = try pair(d.kernel, "kernel", default: [], layer: d.name, fail: fail)
            let (sh, sw) = try pair(d.stride, "stride", default: [kh, kw], layer: d.name, fail: fail)
            let (ph, pw) = try pair(d.padding, "padding", default: [0, 0], layer: d.name, fail: fail)
            guard ph == 0, pw == 0 else { throw fail(d.name, "field 'padding': pooling takes no padding") }
            guard from >= 0 else {
                throw fail(d.name, "pooling cannot read the model input (bytes 0…255); put a weighted layer first")
            }
            guard kh >= 1, kw >= 1, sh >= 1, sw >= 1, kh <= h, kw <= w else {
                throw fail(d.name, "field 'kernel' \([kh, kw]) / 'stride' \([sh, sw]) do not fit the \(h)×\(w) input")
            }
            return PackableLayer(name: d.name, kind: d.type == "avgpool" ? .avgPool : .maxPool, inputIndex: from,
                                 inC: c, inH: h, inW: w, outC: c, outH: (h - kh) / sh + 1, outW: (w - kw) / sw + 1,
                                 kernelH: kh, kernelW: kw, strideH: sh, strideW: sw)
        case "conv2d", "linear":
            let isConv = d.type == "conv2d"
            guard let outC = isConv ? d.outChannels : d.outFeatures else {
                throw fail(d.name, "missing field '\(isConv ? "outChannels" : "outFeatures")'")
            }
            guard (1...65535).contains(outC) else { throw fail(d.name, "output size must be 1…65535, got \(outC)") }
            guard let bits = d.weightBits else { throw fail(d.name, "missing field 'weightBits'") }
            guard bits == 8 || bits == 4 else { throw fail(d.name, "field 'weightBits' must be 8 or 4, got \(bits)") }
            guard let shift = d.shift else { throw fail(d.name, "missing field 'shift'") }
            guard (0...48).contains(shift) else { throw fail(d.name, "field 'shift' must be 0…48, got \(shift)") }
            let activation: ActivationKind
            switch d.activation {
            case "quant": activation = .quant
            case "none": activation = .none
            case let other:
                throw fail(d.name, other == nil ? "missing field 'activation'"
                    : "field 'activation' must be \"quant\" or \"none\", got \"\(other!)\"")
            }
            var layer = PackableLayer(name: d.name, kind: isConv ? .conv2d : .linear, inputIndex: from,
                                      inC: c, inH: h, inW: w, outC: outC, outH: 1, outW: 1,
                                      weightBits: bits, shift: shift, activation: activation)
            var weightShape = [outC, c * h * w]
            if isConv {
                let (kh, kw) = try pair(d.kernel, "kernel", default: [], layer: d.name, fail: fail)
                let (sh, sw) = try pair(d.stride, "stride", default: [1, 1], layer: d.name, fail: fail)
                let (ph, pw) = try pair(d.padding, "padding", default: [0, 0], layer: d.name, fail: fail)
                guard kh >= 1, kw >= 1, sh >= 1, sw >= 1 else {
                    throw fail(d.name, "fields 'kernel' and 'stride' must be ≥ 1")
                }
                guard ph < kh, pw < kw else { throw fail(d.name, "field 'padding' must be smaller than the kernel") }
                guard h + 2 * ph >= kh, w + 2 * pw >= kw else {
                    throw fail(d.name, "kernel \(kh)×\(kw) does not fit the padded \(h)×\(w) input")
                }
                layer.kernelH = kh; layer.kernelW = kw; layer.strideH = sh; layer.strideW = sw
                layer.padH = ph; layer.padW = pw
                layer.outH = (h + 2 * ph - kh) / sh + 1
                layer.outW = (w + 2 * pw - kw) / sw + 1
                weightShape = [outC, c, kh, kw]
            }
            let weights = SafeTensors.integers(
                try tensors.tensor("\(d.name).weight", dtype: "I8", shape: weightShape, for: d.name), as: Int8.self)
            let limit: Int8 = bits == 8 ? 127 : 7
            if let bad = weights.firstIndex(where: { $0 < -limit - (bits == 4 ? 1 : 0) || $0 > limit }) {
                throw fail(d.name, "tensor '\(d.name).weight' element \(bad) is \(weights[bad]), "
                    + "outside \(bits == 8 ? "−127…127" : "−8…7") for weightBits \(bits)")
            }
            layer.weights = weights
            layer.multipliers = SafeTensors.integers(
                try tensors.tensor("\(d.name).multiplier", dtype: "I32", shape: [outC], for: d.name), as: Int32.self)
            if let bad = layer.multipliers.firstIndex(where: { $0 <= 0 }) {
                throw fail(d.name, "tensor '\(d.name).multiplier' element \(bad) is \(layer.multipliers[bad]); must be > 0")
            }
            if tensors.tensors["\(d.name).bias"] != nil {
                layer.biases = SafeTensors.integers(
                    try tensors.tensor("\(d.name).bias", dtype: "I64", shape: [outC], for: d.name), as: Int64.self)
                if let bad = layer.biases.firstIndex(where: { abs($0) >= 1 << 47 }) {
                    throw fail(d.name, "tensor '\(d.name).bias' element \(bad) is outside ±2^47")
                }
            } else {
                layer.biases = Array(repeating: 0, count: outC)
            }
            return layer
        default:
            throw fail(d.name, "field 'type' is \"\(d.type)\"; expected conv2d, linear, avgpool, maxpool or flatten")
        }
    }
}
