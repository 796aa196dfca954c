import JouleCore

/// Writes a `PackableModel` as a packed model file (format in
/// `Sources/JouleCore/Packed/README.md`): header, section table, model section, layer records,
/// the three arena plans, and the 16-byte-aligned tensors — weights reordered into rows of
/// output channels, int4 packed two per byte, per-row non-zero counts — then the CRC-32.
public enum Packer {
    public struct Summary: Sendable {
        public var bytes: [UInt8]
        public var plans: [ArenaPlanner.Plan]
        public var records: [LayerRecord]
    }

    /// Packs `model`. The model must already be consistent (`ModelDescription.resolve` checks a
    /// JSON model); the result is validated by the core before it is returned.
    /// `compact` plans the smallest arenas: the plain kernels only (and the DSP gather in `armdsp`
    /// builds, which needs no more; see `ArenaPlanner.plan`) and QNN
    /// activation codes bit-packed at `ceil(log2(T + 1))` bits for the model's default `T`, and
    /// the streaming state sized for runs up to that `T` (runs with a larger `T` are then refused
    /// with `timestepsExceedPlan`); otherwise the streaming state serves every `T` up to 255.
    /// - Throws: `PackError` if the core rejects the result.
    public static func pack(_ model: PackableModel, compact: Bool = false) throws -> Summary {
        typealias F = PackedFormat
        let n = model.layers.count
        for layer in model.layers where !layer.neuron.isIntegrateAndFire {
            guard layer.kind == .conv2d || layer.kind == .linear, layer.neuron.isValid else {
                throw JouleHostError("layer '\(layer.name)': neuron \(layer.neuron) is not valid (leak shift 0…16, "
                    + "multiplier below 2^shift, flags 0…7, weighted layers only)")
            }
        }
        var records = model.layers.enumerated().map { i, layer in
            layer.record(lastReader: model.layers.indices.filter {
                $0 > i && (model.layers[$0].inputIndex == i || model.layers[$0].residualIndex == i)
            }.max() ?? -1)
        }
        let inputBytes = model.inputChannels * model.inputHeight * model.inputWidth
        let codeBits = compact ? Requantize.codeBits(timesteps: model.defaultTimesteps) : 0
        let plans = (0..<ExecutionMode.count).map {
            ArenaPlanner.plan(records, inputBytes: inputBytes, mode: ExecutionMode(rawValue: UInt8($0))!,
                              compact: compact, codeBits: codeBits,
                              timesteps: compact ? model.defaultTimesteps : nil)
        }

        var w = ByteWriter()
        _ = w.reserve(F.headerBytes)
        let table = w.reserve(4 * F.sectionEntryBytes)
        w.align(F.alignment)
        let modelAt = w.reserve(F.modelSectionBytes)
        w.put(UInt16(model.inputChannels), at: modelAt + F.offInputChannels)
        w.put(UInt16(model.inputHeight), at: modelAt + F.offInputHeight)
        w.put(UInt16(model.inputWidth), at: modelAt + F.offInputWidth)
        w.put(UInt8(model.defaultTimesteps), at: modelAt + F.offDefaultTimesteps)
        w.put(UInt32(n), at: modelAt + F.offLayerCount)
        w.put(UInt32(model.layers.last?.outC ?? 0), at: modelAt + F.offOutputCount)
        w.align(F.alignment)
        let layersAt = w.reserve(n * F.layerRecordBytes)
        w.align(F.alignment)
        let plansAt = w.reserve(PackedModel.plansSectionBytes(layerCount: n))
        w.put(UInt32(ExecutionMode.count), at: plansAt)
        w.put(UInt32(n), at: plansAt + 4)
        w.put(UInt8(codeBits), at: plansAt + F.offPlanQNNCodeBits)
        for (m, plan) in plans.enumerated() {
            let block = plansAt + F.planHeaderBytes + m * (F.planModeHeaderBytes + n * F.planLayerEntryBytes)
            w.put(UInt32(m), at: block)
            w.put(UInt32(plan.arenaBytes), at: block + 4)
            w.put(UInt32(plan.input.offset), at: block + 8)
            w.put(UInt32(plan.input.bytes), at: block + 12)
            for (i, regions) in plan.layers.enumerated() {
                for (role, region) in regions.enumerated() {
                    let e = block + F.planModeHeaderBytes + i * F.planLayerEntryBytes + role * 8
                    w.put(UInt32(region.offset), at: e)
                    w.put(UInt32(region.bytes), at: e + 4)
                }
            }
        }
        w.align(F.alignment)
        let dataAt = w.count
        for (i, layer) in model.layers.enumerated() where layer.kind == .conv2d || layer.kind == .linear {
            let rows = weightRows(layer)
            records[i].rowCount = rows.count
            records[i].weightOffset = w.count
            for row in rows { w.append(packRow(row, bits: layer.weightBits)) }
            records[i].weightBytes = w.count - records[i].weightOffset
            w.align(F.alignment)
            records[i].multiplierOffset = w.reserve(4 * layer.outC)
            for (j, m) in layer.multipliers.enumerated() { w.put(m, at: records[i].multiplierOffset + 4 * j) }
            w.align(F.alignment)
            records[i].biasOffset = w.reserve(8 * layer.outC)
            for (j, b) in layer.biases.enumerated() { w.put(b, at: records[i].biasOffset + 8 * j) }
            w.align(F.alignment)
            records[i].rowCountsOffset = w.reserve(4 * rows.count)
            for (r, row) in rows.enumerated() {
                w.put(UInt32(row.filter { $0 != 0 }.count), at: records[i].rowCountsOffset + 4 * r)
            }
            w.align(F.alignment)
        }
        let dataBytes = w.count - dataAt
        for (i, r) in records.enumerated() {
            writeRecord(r, name: model.layers[i].name, into: &w, at: layersAt + i * F.layerRecordBytes)
        }
        let sections: [(SectionKind, Int, Int, Int)] = [
            (.model, modelAt, F.modelSectionBytes, 1), (.layers, layersAt, n * F.layerRecordBytes, n),
            (.plans, plansAt, PackedModel.plansSectionBytes(layerCount: n), ExecutionMode.count),
            (.data, dataAt, dataBytes, 0),
        ]
        for (k, s) in sections.enumerated() {
            let e = table + k * F.sectionEntryBytes
            w.put(s.0.rawValue, at: e)
            w.put(UInt32(s.1), at: e + 4)
            w.put(UInt32(s.2), at: e + 8)
            w.put(UInt32(s.3), at: e + 12)
        }
        w.put(F.magic, at: F.offMagic)
        w.put(F.versionMajor, at: F.offVersionMajor)
        w.put(F.versionMinor, at: F.offVersionMinor)
        w.put(UInt32(F.headerBytes), at: F.offHeaderBytes)
        w.put(UInt32(w.count), at: F.offFileBytes)
        w.put(UInt32(sections.count), at: F.offSectionCount)
        w.put(UInt32(table), at: F.offSectionTable)
        w.putASCII(model.name, at: F.offName, max: F.nameBytes)
        var bytes = w.bytes
        Packer.sealChecksum(&bytes)
        try PackedModelFile.validate(bytes, name: model.name)
        return Summary(bytes: bytes, plans: plans, records: records)
    }

    /// Recomputes and stores the CRC-32 of `bytes` (a packed file).
    public static func sealChecksum(_ bytes: inout [UInt8]) {
        var crc = CRC32()
        bytes.withUnsafeBytes { raw in
            crc.update(UnsafeRawBufferPointer(rebasing: raw[0..<PackedFormat.offChecksum]))
            crc.updateZeros(count: 4)
            crc.update(UnsafeRawBufferPointer(rebasing: raw[(PackedFormat.offChecksum + 4)...]))
        }
        let v = crc.value
        for k in 0..<4 { bytes[PackedFormat.offChecksum + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    /// Weight rows in the packed order: conv rows `(ci, ky, kx)`, linear rows = input features;
    /// each row holds the weights of all output channels.
    static func weightRows(_ layer: PackableLayer) -> [[Int8]] {
        let fanIn = layer.kind == .linear ? layer.inputCount : layer.inC * layer.kernelH * layer.kernelW
        // PyTorch layout is [outC][fanIn] in both cases (conv flattens [inC][kh][kw] row-major).
        return (0..<fanIn).map { r in (0..<layer.outC).map { j in layer.weights[j * fanIn + r] } }
    }

    static func packRow(_ row: [Int8], bits: Int) -> [UInt8] {
        if bits == 8 { return row.map { UInt8(bitPattern: $0) } }
        return stride(from: 0, to: row.count, by: 2).map { j in
            let lo = UInt8(bitPattern: row[j]) & 0x0F
            let hi = j + 1 < row.count ? (UInt8(bitPattern: row[j + 1]) & 0x0F) << 4 : 0
            return lo | hi
        }
    }

    static func writeRecord(_ r: LayerRecord, name: String, into w: inout ByteWriter, at o: Int) {
        typealias F = PackedFormat
        w.put(r.kind.rawValue, at: o + F.offKind)
        w.put(UInt8(r.weightBits), at: o + F.offWeightBits)
        w.put(r.activation.rawValue, at: o + F.offActivation)
        w.put(UInt8(r.shift), at: o + F.offShift)
        w.put(Int16(r.inputIndex), at: o + F.offInputIndex)
        w.put(Int16(r.residualIndex), at: o + F.offResidualIndex)
        for (off, v) in [(F.offInC, r.inC), (F.offInH, r.inH), (F.offInW, r.inW),
                         (F.offOutC, r.outC), (F.offOutH, r.outH), (F.offOutW, r.outW)] {
            w.put(UInt16(v), at: o + off)
        }
        for (off, v) in [(F.offKernelH, r.kernelH), (F.offKernelW, r.kernelW), (F.offStrideH, r.strideH),
                         (F.offStrideW, r.strideW), (F.offPadH, r.padH), (F.offPadW, r.padW)] {
            w.put(UInt8(v), at: o + off)
        }
        for (off, v) in [(F.offWeightOffset, r.weightOffset), (F.offWeightBytes, r.weightBytes),
                         (F.offMultiplierOffset, r.multiplierOffset), (F.offBiasOffset, r.biasOffset),
                         (F.offRowCountsOffset, r.rowCountsOffset), (F.offRowCount, r.rowCount)] {
            w.put(UInt32(v), at: o + off)
        }
        w.put(Int16(r.lastReader), at: o + F.offLastReader)
        w.put(UInt16(r.streamWeightBound), at: o + F.offStreamWeightBound)
        w.put(UInt16(r.neuron.leakMultiplier), at: o + F.offLeakMultiplier)
        w.put(UInt8(r.neuron.leakShift), at: o + F.offLeakShift)
        w.put(UInt8(r.neuron.flags), at: o + F.offNeuronFlags)
        w.putASCII(name, at: o + F.offLayerName, max: F.layerNameBytes)
    }
}
