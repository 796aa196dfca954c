extension PackedModel {
    /// The geometry of layer `i` for runs at `timesteps` (which sets the QNN twin's code width,
    /// `ceil(log2(T+1))` bits): what the energy model prices its counters with. Non-zero weights
    /// are the sum of the layer's stored row counts; a linear layer's kernel is 1 × 1.
    /// - Precondition: `i < layerCount`, the model validated (`PackedModel.open`).
    public func geometry(layer i: Int, timesteps: Int) -> LayerGeometry {
        let r = layer(i)
        var nonZero = 0
        for row in 0..<r.rowCount {
            nonZero &+= Int(truncatingIfNeeded: view.u32(r.rowCountsOffset + 4 * row) ?? 0)
        }
        let codeBits = Requantize.codeBits(timesteps: timesteps)
        var g = LayerGeometry(kind: r.kind, inC: r.inC, inH: r.inH, inW: r.inW, outC: r.outC, outH: r.outH, outW: r.outW,
                              kernelH: r.kind == .linear ? 1 : r.kernelH, kernelW: r.kind == .linear ? 1 : r.kernelW,
                              stride: max(1, r.strideH), padding: r.padH, weightBits: r.weightBits,
                              weightCount: r.rowCount * r.outC, nonZeroWeightCount: nonZero,
                              inputBits: r.readsModelInput ? 8 : codeBits,
                              outputBits: r.activation == .none ? 32 : codeBits, analogInput: r.readsModelInput,
                              emitsScores: r.activation == .none)
        g.leakBits = r.neuron.leakShift
        return g
    }
}
