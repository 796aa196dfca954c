/// The shape of one layer: tensor sizes, kernel, stride, padding and the bit widths of its data —
/// what the core knows of a layer (`PackedModel.geometry(layer:timesteps:)`) and the energy model
/// prices with its counters (`LayerWorkload`).
///
/// Plain integers so that a device can fill it from its packed model without allocation. Sizes are
/// element counts, widths are bits. For pooling layers the weight fields are 0.
public struct LayerGeometry: Equatable, Sendable {
    /// Layer kind.
    public var kind: LayerKind
    /// Input channels, height, width.
    public var inC: Int, inH: Int, inW: Int
    /// Output channels, height, width.
    public var outC: Int, outH: Int, outW: Int
    /// Kernel height and width (1 × 1 for linear layers).
    public var kernelH: Int, kernelW: Int
    /// Stride (same in both directions).
    public var stride: Int
    /// Zero padding on each side (same in both directions).
    public var padding: Int
    /// Bits per stored weight (8 or 4); 0 for pooling.
    public var weightBits: Int
    /// Number of weights, zero weights included; 0 for pooling.
    public var weightCount: Int
    /// Number of non-zero weights.
    public var nonZeroWeightCount: Int
    /// Bits per input activation in the QNN twin (`ceil(log2(T+1))`, or 8 for the analog input).
    public var inputBits: Int
    /// Bits per output activation in the QNN twin (`ceil(log2(T+1))`; 32 for final scores).
    public var outputBits: Int
    /// Whether the layer emits the network's scores (no activation): both twins write them once,
    /// `outputBits` each, instead of codes or spikes.
    public var emitsScores: Bool
    /// Whether the input is the model's analog (multi-valued, direct-encoded) input; in SNN mode such
    /// a layer multiplies once (`effectiveMACs`) and integrates the result as a constant current.
    public var analogInput: Bool
    /// Bits of the leak multiplier of leaky neurons (the leak shift `s`: `m < 2^s`); 0 without leak.
    public var leakBits: Int = 0

    /// Creates a geometry; every value is taken as given (no validation beyond the model's own).
    public init(kind: LayerKind, inC: Int, inH: Int, inW: Int, outC: Int, outH: Int, outW: Int,
                kernelH: Int, kernelW: Int, stride: Int, padding: Int,
                weightBits: Int, weightCount: Int, nonZeroWeightCount: Int,
                inputBits: Int, outputBits: Int, analogInput: Bool, emitsScores: Bool) {
        self.kind = kind
        self.inC = inC; self.inH = inH; self.inW = inW
        self.outC = outC; self.outH = outH; self.outW = outW
        self.kernelH = kernelH; self.kernelW = kernelW
        self.stride = stride; self.padding = padding
        self.weightBits = weightBits; self.weightCount = weightCount
        self.nonZeroWeightCount = nonZeroWeightCount
        self.inputBits = inputBits; self.outputBits = outputBits; self.emitsScores = emitsScores
        self.analogInput = analogInput
    }

    /// Input elements `inC·inH·inW`.
    @inlinable public var inputElements: Int { inC * inH * inW }
    /// Output neurons `outC·outH·outW`.
    @inlinable public var outputElements: Int { outC * outH * outW }
    /// Bits of all weights, `weightCount · weightBits`.
    @inlinable public var weightStorageBits: Int { weightCount * weightBits }

    /// Fan-in of one output neuron: `inC·kernelH·kernelW` for conv, `inC·inH·inW` for linear,
    /// `kernelH·kernelW` for pooling. Padding is not subtracted (interior neurons).
    @inlinable
    public var fanIn: Int {
        switch kind {
        case .conv2d: return inC * kernelH * kernelW
        case .linear: return inputElements
        case .avgPool, .maxPool: return kernelH * kernelW
        }
    }

    /// Dense multiply-accumulates of one pass with padding excluded: for every output position the
    /// kernel taps that land inside the input, times `inC·outC` (conv); `inputElements·outC` (linear);
    /// `outputElements·kernelH·kernelW` (pooling, clipped to the input).
    public var denseOperations: Int {
        switch kind {
        case .linear:
            return inputElements * outC
        case .conv2d:
            return validTaps(size: inH, out: outH, kernel: kernelH)
                * validTaps(size: inW, out: outW, kernel: kernelW) * inC * outC
        case .avgPool, .maxPool:
            return validTaps(size: inH, out: outH, kernel: kernelH)
                * validTaps(size: inW, out: outW, kernel: kernelW) * outC
        }
    }

    /// Weight reuse factor: dense operations per weight, i.e. how many times one weight loaded into
    /// the buffer is used in a pass (follows from kernel, map size, stride and padding).
    /// 0 for layers without weights.
    public var weightReuseFactor: Double {
        weightCount == 0 ? 0 : Double(denseOperations) / Double(weightCount)
    }

    /// Input reuse factor: dense operations per input element (a 3×3, stride-1 convolution reuses
    /// an interior input `9·outC` times).
    public var inputReuseFactor: Double {
        inputElements == 0 ? 0 : Double(denseOperations) / Double(inputElements)
    }

    /// Number of (output position, kernel tap) pairs along one axis whose input index falls inside
    /// `0..<size`, for the layer's stride and padding.
    @inlinable
    func validTaps(size: Int, out: Int, kernel: Int) -> Int {
        var count = 0
        var o = 0
        while o < out {
            var k = 0
            while k < kernel {
                let i = o * stride - padding + k
                if i >= 0 && i < size { count += 1 }
                k += 1
            }
            o += 1
        }
        return count
    }
}
