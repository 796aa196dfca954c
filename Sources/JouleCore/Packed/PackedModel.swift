/// A packed model viewed in place: the bytes stay where the caller has them (flash, mmap, a
/// buffer) and are never copied.
///
/// `open` validates everything once — header, checksum, sections, every layer record, every
/// tensor range, quantisation bounds, non-zero row counts and all three arena plans — so that
/// nothing read later can be out of bounds or overflow. The caller keeps the bytes alive and
/// unchanged for as long as it uses the model.
public struct PackedModel: Sendable {
    public let view: ByteView
    public let layerCount: Int
    public let inputChannels: Int
    public let inputHeight: Int
    public let inputWidth: Int
    /// The `T` the model was trained with.
    public let defaultTimesteps: Int
    /// Scores the last layer produces.
    public let outputCount: Int
    /// File offset of the first layer record.
    public let layersOffset: Int
    let plansOffset: Int

    /// Number of input bytes (`C · H · W`).
    public var inputCount: Int { inputChannels * inputHeight * inputWidth }

    /// The decoded record of layer `index` (0 ..< layerCount).
    public func layer(_ index: Int) -> LayerRecord {
        LayerRecord.decode(view, at: layersOffset + index * PackedFormat.layerRecordBytes)!
    }

    /// The arena plan for `mode`.
    public func plan(_ mode: ExecutionMode) -> ArenaPlan {
        ArenaPlan(view: view, blockOffset: Self.planBlockOffset(plansOffset, mode: mode, layerCount: layerCount),
                  layerCount: layerCount, codeBits: mode == .qnn ? qnnCodeBits : 0)
    }

    /// The layer's name as stored (ASCII, up to 32 bytes, NUL padded).
    public func layerNameBytes(_ index: Int) -> UnsafeRawBufferPointer {
        let o = layersOffset + index * PackedFormat.layerRecordBytes + PackedFormat.offLayerName
        var n = 0
        while n < PackedFormat.layerNameBytes, view.u8(o + n)! != 0 { n += 1 }
        return view.slice(offset: o, length: n)!
    }

    static func planBlockOffset(_ plansOffset: Int, mode: ExecutionMode, layerCount: Int) -> Int {
        plansOffset + PackedFormat.planHeaderBytes
            + Int(mode.rawValue) * (PackedFormat.planModeHeaderBytes + layerCount * PackedFormat.planLayerEntryBytes)
    }

    /// Bytes the plans section has for `layerCount` layers.
    public static func plansSectionBytes(layerCount: Int) -> Int {
        PackedFormat.planHeaderBytes + ExecutionMode.count
            * (PackedFormat.planModeHeaderBytes + layerCount * PackedFormat.planLayerEntryBytes)
    }

    /// Bits per code of the QNN plan's packed activations (0: one byte per code); see `ArenaPlan.codeBits`.
    public var qnnCodeBits: Int { Int(view.u8(plansOffset + PackedFormat.offPlanQNNCodeBits) ?? 0) }

    /// Validates `bytes` as a packed model and returns a view of it.
    /// - Throws: `JouleError` naming the first problem found, its layer and byte offset.
    public static func open(_ bytes: UnsafeRawBufferPointer) throws(JouleError) -> PackedModel {
        let view = ByteView(bytes)
        let header = try validateHeader(view)
        let model = try validateModelSection(view, header)
        try validateLayers(model, dataStart: header.dataStart, dataEnd: header.dataEnd)
        try validatePlans(model, plansLength: header.plansLength)
        return model
    }

    struct HeaderInfo {
        var modelOffset = -1, layersOffset = -1, layersLength = 0, layersCount = 0
        var plansOffset = -1, plansLength = 0, dataStart = -1, dataEnd = -1
    }

    static func validateHeader(_ view: ByteView) throws(JouleError) -> HeaderInfo {
        typealias F = PackedFormat
        guard view.count >= F.headerBytes else { throw JouleError(.truncated, byteOffset: view.count) }
        guard view.u32(F.offMagic)! == F.magic else { throw JouleError(.badMagic, byteOffset: F.offMagic) }
        guard view.u16(F.offVersionMajor)! == F.versionMajor else {
            throw JouleError(.unsupportedVersion, byteOffset: F.offVersionMajor)
        }
        guard Int(view.u32(F.offHeaderBytes)!) == F.headerBytes else {
            throw JouleError(.unsupportedVersion, byteOffset: F.offHeaderBytes)
        }
        let fileBytes = Int(view.u32(F.offFileBytes)!)
        guard fileBytes <= view.count else { throw JouleError(.truncated, byteOffset: view.count) }
        guard fileBytes >= F.headerBytes else { throw JouleError(.sectionOutOfRange, byteOffset: F.offFileBytes) }
        let file = ByteView(UnsafeRawBufferPointer(start: view.base, count: fileBytes))
        var crc = CRC32()
        crc.update(file.slice(offset: 0, length: F.offChecksum)!)
        crc.updateZeros(count: 4)
        crc.update(file.slice(offset: F.offChecksum + 4, length: fileBytes - F.offChecksum - 4)!)
        guard crc.value == file.u32(F.offChecksum)! else {
            throw JouleError(.checksumMismatch, byteOffset: F.offChecksum)
        }
        let sectionCount = Int(file.u32(F.offSectionCount)!)
        let tableOffset = Int(file.u32(F.offSectionTable)!)
        guard sectionCount <= F.maxSections, tableOffset >= F.headerBytes,
              file.contains(offset: tableOffset, length: sectionCount * F.sectionEntryBytes)
        else { throw JouleError(.sectionOutOfRange, byteOffset: F.offSectionTable) }
        var info = HeaderInfo()
        for s in 0..<sectionCount {
            let e = tableOffset + s * F.sectionEntryBytes
            let kindRaw = file.u32(e)!, offset = Int(file.u32(e + 4)!)
            let length = Int(file.u32(e + 8)!), count = Int(file.u32(e + 12)!)
            guard let kind = SectionKind(rawValue: kindRaw) else { continue }  // unknown: skipped
            guard offset >= F.headerBytes, offset % F.alignment == 0,
                  file.contains(offset: offset, length: length)
            else { throw JouleError(.sectionOutOfRange, byteOffset: e) }
            switch kind {
            case .model:
                guard info.modelOffset < 0 else { throw JouleError(.missingSection, byteOffset: e) }
                guard length >= F.modelSectionBytes else { throw JouleError(.sectionOutOfRange, byteOffset: e) }
                info.modelOffset = offset
            case .layers:
                guard info.layersOffset < 0 else { throw JouleError(.missingSection, byteOffset: e) }
                guard count >= 1, count <= F.maxLayers, length == count * F.layerRecordBytes else {
                    throw JouleError(.sectionOutOfRange, byteOffset: e)
                }
                info.layersOffset = offset; info.layersLength = length; info.layersCount = count
            case .plans:
                guard info.plansOffset < 0 else { throw JouleError(.missingSection, byteOffset: e) }
                info.plansOffset = offset; info.plansLength = length
            case .data:
                guard info.dataStart < 0 else { throw JouleError(.missingSection, byteOffset: e) }
                info.dataStart = offset; info.dataEnd = offset + length
            }
        }
        guard info.modelOffset >= 0, info.layersOffset >= 0, info.plansOffset >= 0, info.dataStart >= 0 else {
            throw JouleError(.missingSection, byteOffset: tableOffset)
        }
        return info
    }

    static func validateModelSection(_ view: ByteView, _ h: HeaderInfo) throws(JouleError) -> PackedModel {
        typealias F = PackedFormat
        let fileBytes = Int(view.u32(F.offFileBytes)!)
        let file = ByteView(UnsafeRawBufferPointer(start: view.base, count: fileBytes))
        let m = h.modelOffset
        let c = Int(file.u16(m + F.offInputChannels)!), hh = Int(file.u16(m + F.offInputHeight)!)
        let w = Int(file.u16(m + F.offInputWidth)!), t = Int(file.u8(m + F.offDefaultTimesteps)!)
        let layerCount = Int(file.u32(m + F.offLayerCount)!), outputs = Int(file.u32(m + F.offOutputCount)!)
        guard c >= 1, hh >= 1, w >= 1 else { throw JouleError(.shapeMismatch, byteOffset: m) }
        guard t >= 1 else { throw JouleError(.badTimesteps, byteOffset: m + F.offDefaultTimesteps) }
        guard file.u8(m + F.offModelFlags)! == 0 else { throw JouleError(.badLayerRecord, byteOffset: m + F.offModelFlags) }
        guard layerCount == h.layersCount else { throw JouleError(.sectionOutOfRange, byteOffset: m + F.offLayerCount) }
        return PackedModel(view: file, layerCount: layerCount, inputChannels: c, inputHeight: hh,
                           inputWidth: w, defaultTimesteps: t, outputCount: outputs,
                           layersOffset: h.layersOffset, plansOffset: h.plansOffset)
    }
}
