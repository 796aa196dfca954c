/// Layout constants of the packed model format, version 1.2 (documented field by field in
/// `Sources/JouleCore/Packed/README.md`). The reader (`PackedModel`) and the host packer both use
/// these, so the two cannot drift.
public enum PackedFormat {
    /// `"JMOD"` read as a little-endian `UInt32`.
    public static let magic: UInt32 = 0x444F_4D4A
    public static let versionMajor: UInt16 = 1
    public static let versionMinor: UInt16 = 2
    /// Every tensor, section and arena buffer starts at a multiple of this.
    public static let alignment = 16

    // Header (64 bytes).
    public static let headerBytes = 64
    public static let offMagic = 0
    public static let offVersionMajor = 4
    public static let offVersionMinor = 6
    public static let offHeaderBytes = 8
    public static let offFileBytes = 12
    /// CRC-32 of the whole file with these four bytes read as zero.
    public static let offChecksum = 16
    public static let offSectionCount = 20
    public static let offSectionTable = 24
    public static let offFlags = 28
    public static let offName = 32
    public static let nameBytes = 32

    // Section table entries (16 bytes each): kind, offset, length, count.
    public static let sectionEntryBytes = 16
    public static let maxSections = 16

    // Model section (16 bytes).
    public static let modelSectionBytes = 16
    public static let offInputChannels = 0
    public static let offInputHeight = 2
    public static let offInputWidth = 4
    public static let offDefaultTimesteps = 6
    public static let offModelFlags = 7
    public static let offLayerCount = 8
    public static let offOutputCount = 12

    // Layer records (96 bytes each).
    public static let layerRecordBytes = 96
    public static let offKind = 0
    public static let offWeightBits = 1
    public static let offActivation = 2
    public static let offShift = 3
    public static let offInputIndex = 4
    public static let offResidualIndex = 6
    public static let offInC = 8
    public static let offInH = 10
    public static let offInW = 12
    public static let offOutC = 14
    public static let offOutH = 16
    public static let offOutW = 18
    public static let offKernelH = 20
    public static let offKernelW = 21
    public static let offStrideH = 22
    public static let offStrideW = 23
    public static let offPadH = 24
    public static let offPadW = 25
    public static let offLayerFlags = 26
    public static let offWeightOffset = 28
    public static let offWeightBytes = 32
    public static let offMultiplierOffset = 36
    public static let offBiasOffset = 40
    public static let offRowCountsOffset = 44
    public static let offRowCount = 48
    /// Index of the last layer reading this layer's output (as input or residual), −1 for none.
    public static let offLastReader = 52
    /// u16: the layer's streaming weight bound (`LayerRecord.streamWeightBound`; version 1.1,
    /// zero before).
    public static let offStreamWeightBound = 54
    /// u16, u8, u8: the layer's neuron (`NeuronModel`: leak multiplier, leak shift, flags; version
    /// 1.2, zero before).
    public static let offLeakMultiplier = 56
    public static let offLeakShift = 58
    public static let offNeuronFlags = 59
    /// First reserved (zero) byte of a layer record; reserved up to the name.
    public static let offLayerReserved = 60
    /// Layers a model may have (bounds the validator's quadratic plan check).
    public static let maxLayers = 1024
    public static let offLayerName = 64
    public static let layerNameBytes = 32

    // Plan section: a 16-byte header (mode count, layer count, QNN code bits, 0…), then per mode a 16-byte
    // mode header (mode, arena bytes, input offset, input bytes) and one 24-byte entry per layer
    // (output offset, output bytes, scratch offset, scratch bytes, state offset, state bytes).
    public static let planHeaderBytes = 16
    public static let planModeHeaderBytes = 16
    public static let planLayerEntryBytes = 24
    /// In the plans section's header: u8, the bits per code of the QNN plan's bit-packed
    /// activation codes (`Kernels/PackedCodes.swift`), or 0 for one byte per code. Packmodel
    /// `--compact` writes `ceil(log2(T + 1))` for the model's default `T`; runs whose `T` needs
    /// more bits are refused (`timestepsExceedPlan`).
    public static let offPlanQNNCodeBits = 8

    /// Rounds `n` up to the format's alignment.
    @inlinable
    public static func aligned(_ n: Int) -> Int { (n + alignment - 1) & ~(alignment - 1) }
}

/// Kinds of sections in the section table.
public enum SectionKind: UInt32, Sendable {
    case model = 1
    case layers = 2
    case plans = 3
    case data = 4
}

/// What a weighted layer does with its pre-activation `A`.
public enum ActivationKind: UInt8, Sendable {
    /// Raw scores `A` (the last layer only).
    case none = 0
    /// Clamp-and-quantise to codes `0…T` (QNN) or integrate-and-fire (SNN).
    case quant = 1
}

/// How a model runs; each mode has its own arena plan in the file.
public enum ExecutionMode: UInt8, Sendable {
    /// Activation codes `0…T`, one pass.
    case qnn = 0
    /// Integrate-and-fire, each layer integrates over all `T` steps, then emits (equals the QNN).
    case snnLayerwise = 1
    /// Integrate-and-fire, all layers advance one timestep at a time (neuromorphic hardware).
    case snnStreaming = 2

    /// Number of modes (each has a plan block in the file); raw values are `0 ..< count`.
    public static let count = 3
}
