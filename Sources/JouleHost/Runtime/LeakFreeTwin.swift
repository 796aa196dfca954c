import JouleCore

extension PackedModel {
    /// True when some layer's neuron is not integrate-and-fire (`NeuronModel`): the model runs
    /// only as the streaming SNN.
    public var hasLeakyNeurons: Bool {
        (0..<layerCount).contains { !layer($0).neuron.isIntegrateAndFire }
    }
}

extension PackedModelFile {
    /// The same file with every layer's neuron set to integrate-and-fire (record bytes 56…59
    /// zeroed, checksum resealed): the QNN and layer-wise SNN of the same weights. A leaky SNN has
    /// no exact QNN twin; the energy tools compare against this one and say so. The plans stay as
    /// packed (the streaming state sized for the leaky layers is more than integrate-and-fire
    /// needs). Returns `self` when there is nothing to drop.
    public func leakFreeTwin() throws -> PackedModelFile {
        guard model.hasLeakyNeurons else { return self }
        var bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[0..<model.view.count]))
        for i in 0..<model.layerCount {
            let record = model.layersOffset + i * PackedFormat.layerRecordBytes
            for o in PackedFormat.offLeakMultiplier..<PackedFormat.offLayerReserved { bytes[record + o] = 0 }
        }
        Packer.sealChecksum(&bytes)
        return try PackedModelFile(bytes: bytes, name: path + " (leak-free twin)")
    }
}
