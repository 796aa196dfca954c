/// What a weighted layer's output pixel becomes, whichever kernel summed it: the executors'
/// requantisation, shared by the kernels that hand over channel-ordered int32 sums.
extension Interpreter {
    /// Stores output pixel `pixel` (`oy · outW + ox`) of weighted layer `w` (index `i`) from its
    /// `outC` channel-ordered sums `acc` (input scale `k`; may be overwritten):
    /// - QNN: codes `Requantize.code` of the pre-activations (with the residual's codes), or, for
    ///   the score layer, the pre-activations;
    /// - layer-wise SNN: spike counts (`Requantize.integrateAndFire`, threshold `2^S`, with the
    ///   residual's spike counts), or scores as `readout` says.
    /// `residual` and `output` are the layer's buffers as bytes or packed codes.
    @inline(__always)
    func storePixel<R: CodeReader, W: CodeWriter>(_ w: WeightedLayer, layer i: Int, pixel: Int, sums acc: UnsafeMutablePointer<Int32>,
                                                  k: Int64, timesteps t: Int, readout: Readout, residual res: R?, output out: W) {
        let layer = w.record
        let plane = layer.outH * layer.outW
        if layer.activation == .none {
            let scores = int64s(.output, layer: i)
            for j in 0..<layer.outC {
                let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                scores[j &* plane &+ pixel] = mode == .qnn || readout == .membrane ? a
                    : Int64(widening: Requantize.integrateAndFire(total: a, threshold: Int64(1) &<< Int64(widening: layer.shift), timesteps: t))
            }
        } else if mode != .qnn {
            let threshold = Int64(1) &<< Int64(widening: layer.shift)
            for j in 0..<layer.outC {
                let o = j &* plane &+ pixel
                let r = res.map { Int64(widening: $0.code(at: o)) } ?? 0
                let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: r)
                out.setCode(Requantize.integrateAndFire(total: a, threshold: threshold, timesteps: t), at: o)
            }
        } else if let res {
            for j in 0..<layer.outC {
                let o = j &* plane &+ pixel
                let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: Int64(widening: res.code(at: o)))
                out.setCode(Requantize.code(a, shift: layer.shift, timesteps: t), at: o)
            }
        } else {
            // Two passes: codes in place (a loop the compiler vectorises), then the strided CHW
            // stores.
            for j in 0..<layer.outC {
                let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                acc[j] = Int32(Requantize.code(a, shift: layer.shift, timesteps: t))
            }
            for j in 0..<layer.outC { out.setCode(UInt8(truncatingIfNeeded: acc[j]), at: j &* plane &+ pixel) }
        }
    }

    /// `storePixel` over the layer's byte buffers (one byte per value).
    @inline(__always)
    func storePixel(_ w: WeightedLayer, layer i: Int, pixel: Int, sums acc: UnsafeMutablePointer<Int32>,
                    k: Int64, timesteps t: Int, readout: Readout) {
        storePixel(w, layer: i, pixel: pixel, sums: acc, k: k, timesteps: t, readout: readout,
                   residual: residual(of: w.record), output: bytes(.output, layer: i))
    }
}
