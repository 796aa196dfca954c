/// Why the core refused a model, an arena or a run.
///
/// The raw values are stable: the C API (`joule.h`) exposes the same numbers as `JOULE_E_*`.
/// `0` is reserved for success and never appears here.
public enum JouleErrorCode: UInt8, Sendable {
    /// The buffer is shorter than the fixed header, or shorter than the header's `fileBytes`.
    case truncated = 1
    /// The first four bytes are not `JMOD`.
    case badMagic = 2
    /// The format's major version is not one this runtime reads.
    case unsupportedVersion = 3
    /// The CRC-32 stored in the header does not match the file's bytes.
    case checksumMismatch = 4
    /// A section lies (partly) outside the file, overlaps the header, or is misaligned.
    case sectionOutOfRange = 5
    /// A required section (model, layers, plans, data) is missing or present twice.
    case missingSection = 6
    /// A layer record has an unknown kind, activation, weight format or a reserved field set.
    case badLayerRecord = 7
    /// Layer shapes do not chain (input shape, output size, kernel, stride, padding, residual shape).
    case shapeMismatch = 8
    /// A layer's input or residual refers to a layer that does not precede it.
    case badLayerIndex = 9
    /// A tensor lies outside the data section, is misaligned or has the wrong length.
    case tensorOutOfRange = 10
    /// A multiplier is not positive, a shift or bias is out of range, or the accumulator could
    /// overflow for some input.
    case badQuantization = 11
    /// An int8 weight is −128 (the format is symmetric, −127…127).
    case weightOutOfRange = 12
    /// A stored per-row non-zero weight count does not match the weights.
    case badRowCounts = 13
    /// The arena plan is malformed: a buffer too small, out of the arena, misaligned, or two
    /// buffers that are live at the same time overlap.
    case badArenaPlan = 14
    /// The caller's arena is smaller than the plan needs, or not 16-byte aligned.
    case arenaTooSmall = 15
    /// `T` is 0 or larger than 255.
    case badTimesteps = 16
    /// The input or output buffer given by the caller has the wrong size.
    case bufferSizeMismatch = 17
    /// The per-layer counter buffer has fewer entries than the model has layers.
    case counterBufferTooSmall = 18
    /// The model's last layer does not produce scores, or another layer does.
    case badOutputLayer = 19
    /// `T` needs more bits per activation code than the QNN plan packs its codes in (a compact
    /// plan made for a smaller `T`; `ArenaPlan.codeBits`).
    case timestepsExceedPlan = 20
    /// The model has a layer whose neuron is not integrate-and-fire (a leak, or snnTorch's firing
    /// and reset rules, `NeuronModel`): it has no QNN twin and no layer-wise schedule; bind it for
    /// the streaming SNN.
    case neuronsNeedStreaming = 21
}

/// An error from the core: what went wrong and where.
public struct JouleError: Error, Equatable, Sendable {
    /// What went wrong.
    public var code: JouleErrorCode
    /// Index of the layer the problem concerns, or −1.
    public var layer: Int
    /// Byte offset in the packed file the problem concerns, or −1.
    public var byteOffset: Int

    public init(_ code: JouleErrorCode, layer: Int = -1, byteOffset: Int = -1) {
        self.code = code
        self.layer = layer
        self.byteOffset = byteOffset
    }
}
