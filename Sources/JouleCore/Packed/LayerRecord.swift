/// One layer of a packed model, decoded from its 96-byte record.
///
/// Decoding does not validate; `PackedModel.open` validates every record once, after which the
/// runtime trusts the decoded values (shapes chain, tensors lie inside the file, indices precede
/// the layer). Offsets are absolute byte offsets into the packed file.
public struct LayerRecord: Sendable {
    public var kind: LayerKind
    /// 8 (int8, −127…127) or 4 (int4, −8…7, two per byte, low nibble first); 0 for pooling.
    public var weightBits: Int
    public var activation: ActivationKind
    /// Fractional bits `S` of the multipliers and biases.
    public var shift: Int
    /// Layer whose output this layer reads; −1 for the model input.
    public var inputIndex: Int
    /// Layer whose codes are added before the activation; −1 for none.
    public var residualIndex: Int
    public var inC: Int, inH: Int, inW: Int
    public var outC: Int, outH: Int, outW: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int
    /// Weights: `rowCount` rows of `outC` weights; conv rows are `(ci, ky, kx)`, linear rows are
    /// input features. Row `r` starts at `weightOffset + r · rowBytes`.
    public var weightOffset: Int
    public var weightBytes: Int
    /// `outC` little-endian int32 multipliers `M_j`.
    public var multiplierOffset: Int
    /// `outC` little-endian int64 biases `B_j`.
    public var biasOffset: Int
    /// `rowCount` little-endian uint32 counts of non-zero weights per row.
    public var rowCountsOffset: Int
    public var rowCount: Int
    /// The last layer reading this layer's output (input or residual), −1 for none; stored by the
    /// packer, checked by the validator, used for arena liveness.
    public var lastReader: Int
    /// Weighted layers fed by spikes: `b = max_j max(Σ⁺_j, Σ⁻_j)` over output channel `j`'s
    /// positive and negative weights — the most one streaming step moves a membrane sum
    /// (`StreamingState`), or any larger value; 0 (not stated: the streaming runs keep wide
    /// membranes) for the other layers, above 65535 and in files written before the field.
    public var streamWeightBound: Int = 0
    /// The layer's neuron in the SNN (weighted layers; integrate-and-fire for pooling and in files
    /// written before the field).
    public var neuron: NeuronModel = .integrateAndFire

    /// Number of input values (`inC · inH · inW`).
    @inlinable public var inputCount: Int { inC * inH * inW }
    /// Number of output neurons (`outC · outH · outW`).
    @inlinable public var outputCount: Int { outC * outH * outW }
    /// True for convolution and fully connected layers.
    @inlinable public var isWeighted: Bool { kind == .conv2d || kind == .linear }
    /// True when the layer reads the model's analog input bytes (direct encoding).
    @inlinable public var readsModelInput: Bool { inputIndex < 0 }
    /// Bytes per weight row.
    @inlinable public var rowBytes: Int { weightBits == 4 ? (outC + 1) / 2 : outC }
    /// Inputs feeding one output neuron (`inC · kh · kw` for conv, all inputs for linear, the
    /// window for pooling).
    @inlinable public var fanIn: Int {
        switch kind {
        case .conv2d: return inC * kernelH * kernelW
        case .linear: return inputCount
        case .avgPool, .maxPool: return kernelH * kernelW
        }
    }
    /// Rows the weight tensor must have.
    @inlinable public var expectedRowCount: Int {
        switch kind {
        case .conv2d: return inC * kernelH * kernelW
        case .linear: return inputCount
        case .avgPool, .maxPool: return 0
        }
    }

    /// Decodes the record at `offset` of `view`; `nil` if it is out of range or a kind byte is
    /// unknown.
    public static func decode(_ view: ByteView, at offset: Int) -> LayerRecord? {
        typealias F = PackedFormat
        guard view.contains(offset: offset, length: F.layerRecordBytes),
              let kind = LayerKind(rawValue: view.u8(offset + F.offKind)!),
              let activation = ActivationKind(rawValue: view.u8(offset + F.offActivation)!)
        else { return nil }
        func u8(_ o: Int) -> Int { Int(view.u8(offset + o)!) }
        func u16(_ o: Int) -> Int { Int(view.u16(offset + o)!) }
        func i16(_ o: Int) -> Int { Int(view.i16(offset + o)!) }
        func u32(_ o: Int) -> Int { Int(view.u32(offset + o)!) }
        return LayerRecord(
            kind: kind, weightBits: u8(F.offWeightBits), activation: activation, shift: u8(F.offShift),
            inputIndex: i16(F.offInputIndex), residualIndex: i16(F.offResidualIndex),
            inC: u16(F.offInC), inH: u16(F.offInH), inW: u16(F.offInW),
            outC: u16(F.offOutC), outH: u16(F.offOutH), outW: u16(F.offOutW),
            kernelH: u8(F.offKernelH), kernelW: u8(F.offKernelW),
            strideH: u8(F.offStrideH), strideW: u8(F.offStrideW),
            padH: u8(F.offPadH), padW: u8(F.offPadW),
            weightOffset: u32(F.offWeightOffset), weightBytes: u32(F.offWeightBytes),
            multiplierOffset: u32(F.offMultiplierOffset), biasOffset: u32(F.offBiasOffset),
            rowCountsOffset: u32(F.offRowCountsOffset), rowCount: u32(F.offRowCount),
            lastReader: i16(F.offLastReader), streamWeightBound: u16(F.offStreamWeightBound),
            neuron: NeuronModel(leakMultiplier: u16(F.offLeakMultiplier), leakShift: u8(F.offLeakShift),
                                flags: u8(F.offNeuronFlags)))
    }

    public init(kind: LayerKind, weightBits: Int, activation: ActivationKind, shift: Int,
                inputIndex: Int, residualIndex: Int, inC: Int, inH: Int, inW: Int,
                outC: Int, outH: Int, outW: Int, kernelH: Int, kernelW: Int,
                strideH: Int, strideW: Int, padH: Int, padW: Int,
                weightOffset: Int, weightBytes: Int, multiplierOffset: Int, biasOffset: Int,
                rowCountsOffset: Int, rowCount: Int, lastReader: Int, streamWeightBound: Int = 0,
                neuron: NeuronModel = .integrateAndFire) {
        self.kind = kind; self.weightBits = weightBits; self.activation = activation
        self.shift = shift; self.inputIndex = inputIndex; self.residualIndex = residualIndex
        self.inC = inC; self.inH = inH; self.inW = inW
        self.outC = outC; self.outH = outH; self.outW = outW
        self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
        self.weightOffset = weightOffset; self.weightBytes = weightBytes
        self.multiplierOffset = multiplierOffset; self.biasOffset = biasOffset
        self.rowCountsOffset = rowCountsOffset; self.rowCount = rowCount
        self.lastReader = lastReader
        self.streamWeightBound = streamWeightBound
        self.neuron = neuron
    }
}
