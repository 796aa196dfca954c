/// A region of the arena: `bytes` bytes at `offset` from the arena's start.
public struct ArenaRegion: Equatable, Sendable {
    public var offset: Int
    public var bytes: Int

    public init(offset: Int, bytes: Int) {
        self.offset = offset
        self.bytes = bytes
    }
}

/// One execution mode's arena plan, read in place from the packed file.
///
/// Layout in the plans section, for mode block `m` (see the format README): a 16-byte header
/// (mode, arenaBytes, inputOffset, inputBytes), then per layer 24 bytes (output, scratch and
/// state regions as offset/bytes pairs of uint32).
public struct ArenaPlan: Sendable {
    let view: ByteView
    /// File offset of this mode's block.
    let blockOffset: Int
    public let layerCount: Int
    /// Bits per activation code when this plan stores its codes bit-packed (`PackedCodes`), 1…8;
    /// 0 when it stores one byte per code. Only QNN plans pack; the runtime refuses a run whose
    /// `T` needs more than `codeBits` bits.
    public let codeBits: Int

    init(view: ByteView, blockOffset: Int, layerCount: Int, codeBits: Int) {
        self.view = view
        self.blockOffset = blockOffset
        self.layerCount = layerCount
        self.codeBits = codeBits
    }

    /// Bytes of arena this mode needs; the caller's arena must be at least this large.
    public var arenaBytes: Int { Int(view.u32(blockOffset + 4) ?? 0) }

    /// Where the model input bytes go.
    public var input: ArenaRegion {
        ArenaRegion(offset: Int(view.u32(blockOffset + 8) ?? 0), bytes: Int(view.u32(blockOffset + 12) ?? 0))
    }

    /// The region of `layer`'s buffer in `role`.
    public func region(_ role: BufferRole, layer: Int) -> ArenaRegion {
        let o = blockOffset + PackedFormat.planModeHeaderBytes + layer * PackedFormat.planLayerEntryBytes
            + role.rawValue * 8
        return ArenaRegion(offset: Int(view.u32(o) ?? 0), bytes: Int(view.u32(o + 4) ?? 0))
    }
}
