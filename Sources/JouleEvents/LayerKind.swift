/// The operation a layer performs: the packed format's layer kind (its raw values are the
/// format's `kind` byte, `Sources/JouleCore/Packed/README.md`) and what the energy model prices.
public enum LayerKind: UInt8, Sendable {
    /// 2-D convolution with a weight tensor `outC × inC × kernelH × kernelW`.
    case conv2d = 1
    /// Fully connected layer with a weight matrix `outC × inC·inH·inW`.
    case linear = 2
    /// Average pooling: window sums, no weights (the division is a shift, folded).
    case avgPool = 3
    /// Max pooling: window comparisons, no weights.
    case maxPool = 4

    /// Whether the layer carries weights (conv, linear).
    @inlinable
    public var isWeighted: Bool { self == .conv2d || self == .linear }
}
