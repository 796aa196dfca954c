/// The streaming schedule's update of a weighted layer of leaky neurons (`NeuronModel`; state
/// layout in `StreamingState`, `.leaky` and `.leakyInput`): per neuron and step, the membrane `V`
/// decays, takes the step's current `M_j · a + B_j` (plus `2^S` for a residual spike), is compared
/// with the threshold and reset (by subtraction, or to zero), in int64 (exact: `PackedModel.open` bounds `|V|`
/// below `2^62 + 2^S`). In 64-bit lanes, eight channels at a time, where `outC` is a multiple of
/// 8 and the target has vector lanes (`InstructionSet.laneNeuronUpdate`), else neuron by
/// neuron; the same results. The spikes are written as a `SpikeBits` map.
struct LeakyNeurons {
    let w: WeightedLayer
    let neuron: NeuronModel
    /// Channels-last `V` (int64, unaligned).
    let membranes: UnsafeMutableRawPointer
    /// Channels-last step sums (`sumBytes` 2 or 4; cleared as they are read) or, for a layer
    /// reading the model input, its `acc` (int32, kept).
    let sums: UnsafeMutableRawPointer
    let sumBytes: Int
    let clearsSums: Bool
    /// Channels-last: 1 where the neuron fired in the last step.
    let fired: UnsafeMutablePointer<UInt8>
    /// This step's residual spike map, or nil.
    let residual: UnsafePointer<UInt8>?

    /// Updates neuron `o` (channel `j`) for one step; fires only if `canFire`. Returns `V` after
    /// the current (before any reset of this step) and the spike.
    @inline(__always)
    func advance(_ o: Int, channel j: Int, canFire: Bool) -> (potential: Int64, spike: UInt8) {
        let theta = Int64(1) &<< Int64(widening: w.record.shift)
        let a: Int64
        if sumBytes == 2 {
            a = Int64(widening: Int32(sums.load(fromByteOffset: 2 &* o, as: Int16.self)))
            if clearsSums { sums.storeBytes(of: Int16(0), toByteOffset: 2 &* o, as: Int16.self) }
        } else {
            a = Int64(widening: sums.load(fromByteOffset: 4 &* o, as: Int32.self))
            if clearsSums { sums.storeBytes(of: Int32(0), toByteOffset: 4 &* o, as: Int32.self) }
        }
        let resetAfterLeak = neuron.flags & NeuronModel.resetAfterLeak != 0
        let toZero = neuron.flags & NeuronModel.resetToZero != 0
        let delayedReset = resetAfterLeak && fired[o] != 0
        var v = delayedReset && toZero ? 0 : membranes.loadUnaligned(fromByteOffset: 8 &* o, as: Int64.self)
        v = neuron.leak(v) &+ w.multiplier(j) &* a &+ w.bias(j)
        if let residual, SpikeBits.bit(residual, o) != 0 { v &+= theta }
        if delayedReset && !toZero { v &-= theta }
        let above = neuron.flags & NeuronModel.fireAboveThreshold != 0 ? v > theta : v >= theta
        let spike: UInt8 = canFire && above ? 1 : 0
        membranes.storeBytes(of: resetAfterLeak || spike == 0 ? v : (toZero ? 0 : v &- theta), toByteOffset: 8 &* o, as: Int64.self)
        fired[o] = spike
        return (v, spike)
    }

    /// `advance` for the eight neurons from `o` (channels `j…j+7`, `o` a multiple of 8), all
    /// allowed to fire; returns their spikes as a byte (bit `k`: neuron `o + k`).
    @inline(__always)
    func fire8(_ o: Int, channel j: Int) -> UInt8 {
        let shift = Int64(widening: w.record.shift)
        let theta = SIMD8<Int64>(repeating: Int64(1) &<< shift)
        let a: SIMD8<Int64>
        if sumBytes == 2 {
            a = SIMD8<Int64>(widening: SIMD8<Int32>(widening: sums.loadUnaligned(fromByteOffset: 2 &* o, as: SIMD8<Int16>.self)))
            if clearsSums { sums.storeBytes(of: SIMD8<Int16>(), toByteOffset: 2 &* o, as: SIMD8<Int16>.self) }
        } else {
            a = SIMD8<Int64>(widening: sums.loadUnaligned(fromByteOffset: 4 &* o, as: SIMD8<Int32>.self))
            if clearsSums { sums.storeBytes(of: SIMD8<Int32>(), toByteOffset: 4 &* o, as: SIMD8<Int32>.self) }
        }
        var v = membranes.loadUnaligned(fromByteOffset: 8 &* o, as: SIMD8<Int64>.self)
        let resetAfterLeak = neuron.flags & NeuronModel.resetAfterLeak != 0
        let toZero = neuron.flags & NeuronModel.resetToZero != 0
        let last = resetAfterLeak
            ? SIMD8<Int64>(widening: UnsafeRawPointer(fired + o).loadUnaligned(as: SIMD8<UInt8>.self)) : SIMD8<Int64>()
        if resetAfterLeak && toZero { v &= last &- 1 }  // lanes that spiked last step start from 0
        if neuron.leakShift > 0 {
            let s = Int64(widening: neuron.leakShift), m = SIMD8<Int64>(repeating: Int64(widening: neuron.leakMultiplier))
            v = (v &>> s) &* m &+ (((v & SIMD8(repeating: (1 &<< s) &- 1)) &* m) &>> s)
        }
        let multipliers = SIMD8<Int64>(widening: w.multipliers.loadUnaligned(fromByteOffset: 4 &* j, as: SIMD8<Int32>.self))
        v = v &+ multipliers &* a &+ w.biases.loadUnaligned(fromByteOffset: 8 &* j, as: SIMD8<Int64>.self)
        if let residual {
            v &+= SIMD8<Int64>(widening: SpikeBits.unpackLanes(residual[o &>> 3])) &<< shift
        }
        if resetAfterLeak && !toZero { v &-= last &<< shift }
        // Below the threshold (or at it, when firing needs V > θ) exactly where this is ≥ 0; its
        // sign bit, spread, is −1 for a spike.
        let limit = neuron.flags & NeuronModel.fireAboveThreshold != 0 ? theta : theta &- 1
        let spike = SIMD8<Int64>() &- ((limit &- v) &>> 63)
        let reset = resetAfterLeak ? v : (toZero ? v & (spike &- 1) : v &- (spike &<< shift))
        membranes.storeBytes(of: reset, toByteOffset: 8 &* o, as: SIMD8<Int64>.self)
        let spikeBytes = SIMD8<UInt8>(truncating: spike)
        UnsafeMutableRawPointer(fired + o).storeBytes(of: spikeBytes, as: SIMD8<UInt8>.self)
        return SpikeBits.packLanes(spikeBytes)
    }

    /// Fires every neuron for one step into the map `out`; returns the spikes.
    func fire(into out: UnsafeMutablePointer<UInt8>) -> UInt64 {
        let outC = w.record.outC
        guard InstructionSet.laneNeuronUpdate && outC & 7 == 0 else {
            return NeuronSweep.fire(w.record, into: out) { advance($0, channel: $1, canFire: $2) }
        }
        var writer = SpikeMapWriter(out)
        var spikes: UInt64 = 0
        var o = 0
        while o < w.record.outputCount {
            let byte = fire8(o, channel: o % outC)
            spikes &+= UInt64(widening: byte.nonzeroBitCount)
            writer.appendByte(byte)
            o &+= 8
        }
        writer.finish()
        return spikes
    }

    /// The output layer's update: `scores[o]` becomes `V` (`.membrane`: the layer never fires)
    /// or the spikes so far (`.spikeCount`); returns the spikes of this step.
    func score(readout: Readout, into scores: UnsafeMutablePointer<Int64>) -> UInt64 {
        NeuronSweep.score(w.record, readout: readout, into: scores) { advance($0, channel: $1, canFire: $2) }
    }
}
