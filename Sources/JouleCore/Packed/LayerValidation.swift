/// Per-layer validation, run once by `PackedModel.open`.
///
/// After it passes, for every layer: the kind, activation and weight format are known; shapes
/// chain from the model input; indices point backwards; every tensor lies 16-byte aligned inside
/// the data section with exactly the length its shape needs; multipliers are positive; biases,
/// shifts and weights are in range; the stored non-zero row counts are right; and no accumulator
/// (int32) or pre-activation (int64) can overflow for any input and any `T ≤ 255`.
extension PackedModel {
    /// Largest neuron count of one tensor; keeps every size computation far from `Int` overflow,
    /// also where `Int` is 32 bits wide.
    public static let maxTensorElements = 1 << 24

    static func validateLayers(_ model: PackedModel, dataStart: Int, dataEnd: Int) throws(JouleError) {
        let n = model.layerCount
        guard checkedProduct(model.inputChannels, model.inputHeight, model.inputWidth) != nil else {
            throw JouleError(.shapeMismatch, byteOffset: -1)
        }
        for i in 0..<n {
            let recordOffset = model.layersOffset + i * PackedFormat.layerRecordBytes
            guard let layer = LayerRecord.decode(model.view, at: recordOffset) else {
                throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset)
            }
            try validateReservedBytes(model.view, recordOffset: recordOffset, layer: i)
            try validateConnections(model, layer, index: i, recordOffset: recordOffset)
            try validateGeometry(layer, index: i, recordOffset: recordOffset)
            if layer.isWeighted {
                try validateTensors(model.view, layer, index: i, dataStart: dataStart, dataEnd: dataEnd)
            }
            try validateWeightBound(model.view, layer, index: i, recordOffset: recordOffset)
            try validateNeuron(layer, index: i, recordOffset: recordOffset)
        }
        guard model.layer(n - 1).outC == model.outputCount else {
            throw JouleError(.badOutputLayer, layer: n - 1)
        }
    }

    /// `a · b · c`, or `nil` if it exceeds `maxTensorElements`.
    static func checkedProduct(_ a: Int, _ b: Int, _ c: Int) -> Int? {
        let limit = maxTensorElements
        guard a >= 0, b >= 0, c >= 0, a <= limit, b <= limit, c <= limit else { return nil }
        let (ab, o1) = Int64(widening: a).multipliedReportingOverflow(by: Int64(widening: b))
        guard !o1, ab <= Int64(widening: limit) else { return nil }
        let (abc, o2) = ab.multipliedReportingOverflow(by: Int64(widening: c))
        guard !o2, abc <= Int64(widening: limit) else { return nil }
        return Int(truncatingIfNeeded: abc)
    }

    static func validateReservedBytes(_ view: ByteView, recordOffset: Int, layer i: Int) throws(JouleError) {
        typealias F = PackedFormat
        guard view.u16(recordOffset + F.offLayerFlags)! == 0 else {
            throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + F.offLayerFlags)
        }
        for o in F.offLayerReserved..<F.offLayerName where view.u8(recordOffset + o)! != 0 {
            throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + o)
        }
        for o in 0..<F.layerNameBytes where view.u8(recordOffset + F.offLayerName + o)! >= 128 {
            throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + F.offLayerName + o)
        }
    }

    /// Input, residual and last-reader indices; input shape equals the source's output shape.
    static func validateConnections(_ model: PackedModel, _ layer: LayerRecord, index i: Int,
                                    recordOffset: Int) throws(JouleError) {
        typealias F = PackedFormat
        let n = model.layerCount
        guard layer.inputIndex >= -1, layer.inputIndex < i else {
            throw JouleError(.badLayerIndex, layer: i, byteOffset: recordOffset + F.offInputIndex)
        }
        if layer.inputIndex < 0 {
            // Pooling reads codes 0…T; the analog input bytes 0…255 are for weighted layers only.
            guard layer.isWeighted else {
                throw JouleError(.badLayerIndex, layer: i, byteOffset: recordOffset + F.offInputIndex)
            }
            guard layer.inC == model.inputChannels, layer.inH == model.inputHeight,
                  layer.inW == model.inputWidth
            else { throw JouleError(.shapeMismatch, layer: i, byteOffset: recordOffset + F.offInC) }
        } else {
            let source = model.layer(layer.inputIndex)
            guard layer.inC == source.outC, layer.inH == source.outH, layer.inW == source.outW else {
                throw JouleError(.shapeMismatch, layer: i, byteOffset: recordOffset + F.offInC)
            }
        }
        if layer.residualIndex != -1 {
            // A layer reading the model input takes no residual: its current is constant over the
            // steps (the streaming schedule's spike trains rely on it).
            guard layer.residualIndex >= 0, layer.residualIndex < i, !layer.readsModelInput else {
                throw JouleError(.badLayerIndex, layer: i, byteOffset: recordOffset + F.offResidualIndex)
            }
            let source = model.layer(layer.residualIndex)
            guard layer.isWeighted, layer.activation == .quant else {
                throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + F.offResidualIndex)
            }
            guard source.outC == layer.outC, source.outH == layer.outH, source.outW == layer.outW else {
                throw JouleError(.shapeMismatch, layer: i, byteOffset: recordOffset + F.offResidualIndex)
            }
        }
        var lastReader = -1
        for j in (i + 1)..<max(i + 1, n) {
            // Later records are not validated yet: decode without trusting them.
            let offset = model.layersOffset + j * PackedFormat.layerRecordBytes
            guard let reader = LayerRecord.decode(model.view, at: offset) else {
                throw JouleError(.badLayerRecord, layer: j, byteOffset: offset)
            }
            if reader.inputIndex == i || reader.residualIndex == i { lastReader = j }
        }
        guard layer.lastReader == lastReader else {
            throw JouleError(.badLayerIndex, layer: i, byteOffset: recordOffset + F.offLastReader)
        }
        let isLast = i == n - 1
        guard (layer.activation == .none) == isLast, !isLast || (layer.isWeighted && layer.outH == 1 && layer.outW == 1) else {
            throw JouleError(.badOutputLayer, layer: i, byteOffset: recordOffset + F.offActivation)
        }
    }

    static func validateGeometry(_ layer: LayerRecord, index i: Int, recordOffset: Int) throws(JouleError) {
        let bad = JouleError(.shapeMismatch, layer: i, byteOffset: recordOffset + PackedFormat.offOutC)
        guard checkedProduct(layer.inC, layer.inH, layer.inW) != nil,
              checkedProduct(layer.outC, layer.outH, layer.outW) != nil,
              layer.outC >= 1
        else { throw bad }
        switch layer.kind {
        case .conv2d:
            guard layer.weightBits == 8 || layer.weightBits == 4 else {
                throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + PackedFormat.offWeightBits)
            }
            guard layer.kernelH >= 1, layer.kernelW >= 1, layer.strideH >= 1, layer.strideW >= 1,
                  layer.padH < layer.kernelH, layer.padW < layer.kernelW,
                  layer.inH + 2 * layer.padH >= layer.kernelH, layer.inW + 2 * layer.padW >= layer.kernelW,
                  layer.outH == (layer.inH + 2 * layer.padH - layer.kernelH) / layer.strideH + 1,
                  layer.outW == (layer.inW + 2 * layer.padW - layer.kernelW) / layer.strideW + 1,
                  checkedProduct(layer.inC, layer.kernelH, layer.kernelW) != nil
            else { throw bad }
        case .linear:
            guard layer.weightBits == 8 || layer.weightBits == 4 else {
                throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + PackedFormat.offWeightBits)
            }
            guard layer.kernelH == 0, layer.kernelW == 0, layer.strideH == 0, layer.strideW == 0,
                  layer.padH == 0, layer.padW == 0, layer.outH == 1, layer.outW == 1
            else { throw bad }
        case .avgPool, .maxPool:
            guard layer.weightBits == 0, layer.shift == 0, layer.weightOffset == 0, layer.weightBytes == 0,
                  layer.multiplierOffset == 0, layer.biasOffset == 0, layer.rowCountsOffset == 0,
                  layer.rowCount == 0
            else { throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + PackedFormat.offWeightBits) }
            guard layer.kernelH >= 1, layer.kernelW >= 1, layer.strideH >= 1, layer.strideW >= 1,
                  layer.padH == 0, layer.padW == 0, layer.inH >= layer.kernelH, layer.inW >= layer.kernelW,
                  layer.outC == layer.inC,
                  layer.outH == (layer.inH - layer.kernelH) / layer.strideH + 1,
                  layer.outW == (layer.inW - layer.kernelW) / layer.strideW + 1
            else { throw bad }
        }
    }

    /// True when `[offset, offset + length)` is 16-byte aligned and inside `[start, end)`.
    static func tensorFits(offset: Int, length: Int, start: Int, end: Int) -> Bool {
        offset % PackedFormat.alignment == 0 && offset >= start && length >= 0 && offset <= end
            && length <= end - offset
    }

    static func validateTensors(_ view: ByteView, _ layer: LayerRecord, index i: Int,
                                dataStart: Int, dataEnd: Int) throws(JouleError) {
        let rowBytes = layer.rowBytes
        guard layer.rowCount == layer.expectedRowCount,
              let weightBytes = checkedProduct(layer.rowCount, rowBytes, 1),
              layer.weightBytes == weightBytes,
              tensorFits(offset: layer.weightOffset, length: weightBytes, start: dataStart, end: dataEnd),
              tensorFits(offset: layer.multiplierOffset, length: layer.outC * 4, start: dataStart, end: dataEnd),
              tensorFits(offset: layer.biasOffset, length: layer.outC * 8, start: dataStart, end: dataEnd),
              tensorFits(offset: layer.rowCountsOffset, length: layer.rowCount * 4, start: dataStart, end: dataEnd)
        else { throw JouleError(.tensorOutOfRange, layer: i, byteOffset: layer.weightOffset) }
        guard layer.shift <= 48 else { throw JouleError(.badQuantization, layer: i) }
        var maxMultiplier: Int64 = 0
        var maxAbsBias: Int64 = 0
        for j in 0..<layer.outC {
            let m = Int64(widening: view.i32(layer.multiplierOffset + 4 * j)!)
            guard m > 0 else { throw JouleError(.badQuantization, layer: i, byteOffset: layer.multiplierOffset + 4 * j) }
            let b = view.i64(layer.biasOffset + 8 * j)!
            guard b > -(Int64(1) &<< 47), b < (Int64(1) &<< 47) else {
                throw JouleError(.badQuantization, layer: i, byteOffset: layer.biasOffset + 8 * j)
            }
            maxMultiplier = max(maxMultiplier, m)
            maxAbsBias = max(maxAbsBias, b < 0 ? -b : b)
        }
        let maxAbsWeight = try validateWeightRows(view, layer, index: i)
        // acc = Σ q·c with |c| ≤ 255 must fit int32.
        let maxAcc = Int64(widening: layer.fanIn) * Int64(widening: maxAbsWeight) * 255
        guard maxAcc < Int64(widening: Int32.max) else { throw JouleError(.badQuantization, layer: i) }
        // A = M·acc·k + T·B + R·2^S must fit int64 for T, R ≤ 255, k ≤ 255.
        let k: Int64 = layer.readsModelInput ? 255 : 1
        let (mAcc, o1) = maxMultiplier.multipliedReportingOverflow(by: maxAcc)
        let (mAccK, o2) = mAcc.multipliedReportingOverflow(by: k)
        let rest = 255 * (maxAbsBias + (Int64(1) &<< Int64(widening: layer.shift)))
        guard !o1, !o2, mAccK < (Int64(1) &<< 62) - rest else { throw JouleError(.badQuantization, layer: i) }
    }

    /// A weighted layer fed by spikes may state its streaming weight bound (0: not stated); a
    /// stated bound must be at least the true one (`StreamingState.weightBound`), else the split
    /// membranes could lose a carry. Other layers state none. Runs after `validateTensors`.
    static func validateWeightBound(_ view: ByteView, _ layer: LayerRecord, index i: Int,
                                    recordOffset: Int) throws(JouleError) {
        let stated = layer.streamWeightBound
        guard stated != 0 else { return }
        guard layer.isWeighted, !layer.readsModelInput else {
            throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + PackedFormat.offStreamWeightBound)
        }
        guard stated >= StreamingState.weightBound(rows: view.base + layer.weightOffset, layer) else {
            throw JouleError(.badQuantization, layer: i, byteOffset: recordOffset + PackedFormat.offStreamWeightBound)
        }
    }

    /// A weighted layer's neuron obeys `NeuronModel.isValid`; other layers keep integrate-and-fire
    /// (all zero). The int64 bounds checked for integrate-and-fire hold for every neuron up to one
    /// threshold: the leak never grows `|V|`, and the delayed reset subtracts what the immediate
    /// one would, one step later (`|V| < 2^62 + 2^S`).
    static func validateNeuron(_ layer: LayerRecord, index i: Int, recordOffset: Int) throws(JouleError) {
        guard layer.neuron.isIntegrateAndFire || (layer.isWeighted && layer.neuron.isValid) else {
            throw JouleError(.badLayerRecord, layer: i, byteOffset: recordOffset + PackedFormat.offLeakMultiplier)
        }
    }

    /// Checks every weight (int8 must not be −128) and the stored non-zero counts per row.
    /// - Returns: the largest absolute weight.
    static func validateWeightRows(_ view: ByteView, _ layer: LayerRecord, index i: Int) throws(JouleError) -> Int {
        var maxAbs = 0
        for r in 0..<layer.rowCount {
            let row = view.base + layer.weightOffset + r * layer.rowBytes
            var nonZero = 0
            for j in 0..<layer.outC {
                let q = Int(WeightRow.weight(row, index: j, bits: layer.weightBits))
                if layer.weightBits == 8, q == -128 {
                    throw JouleError(.weightOutOfRange, layer: i, byteOffset: layer.weightOffset + r * layer.rowBytes + j)
                }
                if q != 0 { nonZero += 1 }
                maxAbs = max(maxAbs, q < 0 ? -q : q)
            }
            if layer.weightBits == 4, layer.outC % 2 == 1 {
                // The unused high nibble of an odd row must be zero.
                guard row.load(fromByteOffset: layer.rowBytes - 1, as: UInt8.self) >> 4 == 0 else {
                    throw JouleError(.weightOutOfRange, layer: i, byteOffset: layer.weightOffset + r * layer.rowBytes)
                }
            }
            guard Int(view.u32(layer.rowCountsOffset + 4 * r)!) == nonZero else {
                throw JouleError(.badRowCounts, layer: i, byteOffset: layer.rowCountsOffset + 4 * r)
            }
        }
        return maxAbs
    }
}
