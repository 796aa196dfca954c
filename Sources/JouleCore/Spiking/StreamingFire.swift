/// The streaming schedule's neuron update of a weighted layer: after step `t`'s spikes are in the
/// membrane sums (`StreamingState`: split `L` and `H`, or wide `A`), every neuron forms
/// `V = M_j · A + t · B_j + (R − N) · 2^S` in 64 bits and fires when `V ≥ 2^S` (reset by
/// subtraction: `N` grows by one); split membranes carry `L` back into `[0, K)`. The spikes are
/// written as a `SpikeBits` map. Two ways, the same results: `fire` in 64-bit lanes, eight
/// channels at a time where `outC` is a multiple of 8 (neuron by neuron otherwise);
/// `fireByThresholds` in 32 bits against a per-step threshold table, which the executor picks on
/// targets without vector lanes (`InstructionSet.laneNeuronUpdate`) for hidden layers without a
/// residual input whose scratch holds the table.
struct StreamingNeurons {
    let w: WeightedLayer
    /// Split constants, or nil for wide membranes.
    let split: StreamingState.Split?
    /// Channels-last `L` (int16, split) or `A` (int32, wide).
    let membranes: UnsafeMutableRawPointer
    /// Channels-last `N` (wide) or the shared `H`/`N` byte (split).
    let counts: UnsafeMutablePointer<UInt8>
    /// Channels-last `R` of a layer with a residual input.
    let residualCounts: UnsafeMutablePointer<UInt8>?

    /// Updates neuron `o` (channel `j`) for step `t`: forms `V`, fires if `canFire` and `V ≥ 2^S`,
    /// stores the state back; returns `V` (before the reset) and the spike.
    @inline(__always)
    func advance(_ o: Int, channel j: Int, step t: Int64, canFire: Bool) -> (potential: Int64, spike: UInt8) {
        let s = Int64(widening: w.record.shift)
        var a: Int64, n: Int64, high: Int64 = 0, low: Int64 = 0
        if let split {
            let u = Int64(widening: Int32(UInt16(bitPattern: membranes.load(fromByteOffset: 2 &* o, as: Int16.self))))
            low = u > Int64(widening: 65535 &- split.bound) ? u &- 65536 : u
            let side = Int64(widening: Int32(Int8(bitPattern: counts[o])))
            n = side & ((1 &<< Int64(widening: split.countBits)) &- 1)
            high = side &>> Int64(widening: split.countBits)
            a = high &* Int64(widening: split.modulus) &+ low
        } else {
            a = Int64(widening: membranes.load(fromByteOffset: 4 &* o, as: Int32.self))
            n = Int64(widening: counts[o])
        }
        let r = residualCounts.map { Int64(widening: $0[o]) } ?? 0
        let v = w.multiplier(j) &* a &+ t &* w.bias(j) &+ ((r &- n) &<< s)
        var spike: UInt8 = 0
        if canFire && v >= Int64(1) &<< s {
            spike = 1
            n &+= 1
        }
        if let split {
            let k = Int64(widening: split.modulus)
            if low < 0 { low &+= k; high &-= 1 } else if low >= k { low &-= k; high &+= 1 }
            membranes.storeBytes(of: Int16(truncatingIfNeeded: low), toByteOffset: 2 &* o, as: Int16.self)
            counts[o] = UInt8(truncatingIfNeeded: (high &<< Int64(widening: split.countBits)) | n)
        } else {
            counts[o] = UInt8(truncatingIfNeeded: n)
        }
        return (v, spike)
    }

    /// Bytes of the per-step threshold table of a hidden layer without a residual input, for runs
    /// up to `t` steps (`outC · t` int32), else 0. Leaky layers do not use it but are planned it
    /// too, so that the leak-free twin of a leaky model (the same file with integrate-and-fire
    /// neurons, `PackedModelFile.leakFreeTwin`) keeps a valid plan.
    static func thresholdTableBytes(_ layer: LayerRecord, timesteps t: Int) -> Int {
        layer.activation == .quant && layer.residualIndex < 0 && !layer.readsModelInput ? layer.outC &* t &* 4 : 0
    }

    /// Fires every neuron for step `t` in 32 bits: with `N` spikes so far (`N < t`), `V ≥ 2^S`
    /// exactly when `A ≥ θ_{N+1} = ⌈((N + 1) · 2^S − t · B_j) / M_j⌉` (`M_j > 0`), and `table`
    /// (`outC · t` int32) receives `θ_n` of channel `j` at `j · t + n − 1` for this step. Up to 32
    /// channels of a pixel at a time, their spikes gathered in one word. No residual input.
    /// Returns the spikes.
    @inline(__always)
    func fireByThresholds(step t: Int, table: UnsafeMutablePointer<Int32>, into out: UnsafeMutablePointer<UInt8>) -> UInt64 {
        let r = w.record
        let outC = r.outC, plane = r.outH &* r.outW
        for j in 0..<outC {
            Requantize.fillCodeThresholds(table + j &* t, stride: 1, timesteps: t, multiplier: w.multiplier(j),
                                          offset: Int64(widening: t) &* w.bias(j), shift: r.shift, scale: 1)
        }
        var writer = SpikeMapWriter(out)
        var spikes = 0
        var o = 0
        for _ in 0..<plane {
            var j0 = 0
            while j0 < outC {
                let width = min(32, outC &- j0)
                let fired = split.map { fireSplitRun(o, width: width, table: table + j0 &* t, timesteps: t, $0) }
                    ?? fireWideRun(o, width: width, table: table + j0 &* t, timesteps: t)
                spikes &+= fired.nonzeroBitCount
                writer.append(bits: UInt64(widening: fired), count: width)
                o &+= width
                j0 &+= width
            }
        }
        writer.finish()
        return UInt64(widening: spikes)
    }

    /// Split membranes: `width` ≤ 32 neurons from `o`, channel `c`'s thresholds at
    /// `table + c · t`; bit `c` of the result is neuron `o + c`'s spike.
    @inline(__always)
    func fireSplitRun(_ o: Int, width: Int, table: UnsafePointer<Int32>, timesteps t: Int, _ split: StreamingState.Split) -> UInt32 {
        let low16 = (membranes + 2 &* o).assumingMemoryBound(to: Int16.self), sides = counts + o
        let limit = Int32(truncatingIfNeeded: 65535 &- split.bound), k = Int32(truncatingIfNeeded: split.modulus)
        let countBits = Int32(truncatingIfNeeded: split.countBits)
        let countMask = (Int32(1) &<< countBits) &- 1
        var fired: UInt32 = 0
        var row = table
        for c in 0..<width {
            let u = Int32(UInt16(bitPattern: low16[c]))
            var low = u > limit ? u &- 65536 : u
            let side = Int32(Int8(bitPattern: sides[c]))
            var high = side &>> countBits
            let n = side & countMask
            let spike: Int32 = high &* k &+ low >= row[Int(n)] ? 1 : 0
            if low < 0 { low &+= k; high &-= 1 } else if low >= k { low &-= k; high &+= 1 }
            low16[c] = Int16(truncatingIfNeeded: low)
            sides[c] = UInt8(truncatingIfNeeded: (high &<< countBits) | (n &+ spike))
            fired |= UInt32(bitPattern: spike) &<< UInt32(truncatingIfNeeded: c)
            row += t
        }
        return fired
    }

    /// Wide membranes: as `fireSplitRun`.
    @inline(__always)
    func fireWideRun(_ o: Int, width: Int, table: UnsafePointer<Int32>, timesteps t: Int) -> UInt32 {
        let wide = (membranes + 4 &* o).assumingMemoryBound(to: Int32.self), sides = counts + o
        var fired: UInt32 = 0
        var row = table
        for c in 0..<width {
            let n = sides[c]
            let spike: UInt8 = wide[c] >= row[Int(n)] ? 1 : 0
            sides[c] = n &+ spike
            fired |= UInt32(spike) &<< UInt32(truncatingIfNeeded: c)
            row += t
        }
        return fired
    }

    /// Fires every neuron for step `t` (1-based) into the map `out`; returns the spikes.
    @inline(__always)
    func fire(step t: Int, into out: UnsafeMutablePointer<UInt8>) -> UInt64 {
        let r = w.record
        let outC = r.outC, plane = r.outH &* r.outW
        let tt = Int64(widening: t)
        guard outC & 7 == 0 else {
            return NeuronSweep.fire(r, into: out) { advance($0, channel: $1, step: tt, canFire: $2) }
        }
        var writer = SpikeMapWriter(out)
        var spikes: UInt64 = 0
        for pixel in 0..<plane {
            var j = 0
            while j < outC {
                let byte = split == nil ? fireWide8(pixel &* outC &+ j, channel: j, step: tt)
                    : fireSplit8(pixel &* outC &+ j, channel: j, step: tt)
                spikes &+= UInt64(widening: byte.nonzeroBitCount)
                writer.appendByte(byte)
                j &+= 8
            }
        }
        writer.finish()
        return spikes
    }

    /// `M_j · A + t · B_j + (R − N) · 2^S` for the eight neurons from `o` (channels `j…j+7`).
    @inline(__always)
    func potentials(_ o: Int, channel j: Int, step t: Int64, sums a: SIMD8<Int64>, counts n: SIMD8<Int64>) -> SIMD8<Int64> {
        let m = SIMD8<Int64>(widening: w.multipliers.loadUnaligned(fromByteOffset: 4 &* j, as: SIMD8<Int32>.self))
        let b = w.biases.loadUnaligned(fromByteOffset: 8 &* j, as: SIMD8<Int64>.self)
        var net = n
        if let residualCounts {
            net &-= SIMD8<Int64>(widening: UnsafeRawPointer(residualCounts + o).loadUnaligned(as: SIMD8<UInt8>.self))
        }
        return m &* a &+ b &* t &- (net &<< Int64(widening: w.record.shift))
    }

    /// Lane `k` is 1 where neuron `k` fires (`V ≥ 2^S`), else 0.
    @inline(__always)
    func fired(_ v: SIMD8<Int64>) -> SIMD8<Int64> {
        // 2^S − 1 − V is negative exactly then; its sign bit, spread, is −1.
        let belowThreshold = SIMD8<Int64>(repeating: (Int64(1) &<< Int64(widening: w.record.shift)) &- 1)
        let sign: SIMD8<Int64> = (belowThreshold &- v) &>> 63
        return SIMD8<Int64>() &- sign
    }

    /// Wide membranes, eight neurons from `o`: returns their spikes as a byte.
    @inline(__always)
    func fireWide8(_ o: Int, channel j: Int, step t: Int64) -> UInt8 {
        let a = SIMD8<Int64>(widening: UnsafeRawPointer(membranes + 4 &* o).loadUnaligned(as: SIMD8<Int32>.self))
        let countBytes = UnsafeRawPointer(counts + o).loadUnaligned(as: SIMD8<UInt8>.self)
        let spike = fired(potentials(o, channel: j, step: t, sums: a, counts: SIMD8<Int64>(widening: countBytes)))
        let spikeBytes = SIMD8<UInt8>(truncating: spike)
        UnsafeMutableRawPointer(counts + o).storeBytes(of: countBytes &+ spikeBytes, as: SIMD8<UInt8>.self)
        return SpikeBits.packLanes(spikeBytes)
    }

    /// Split membranes, eight neurons from `o`: recovers `L`, fires, carries; returns the spikes
    /// as a byte.
    @inline(__always)
    func fireSplit8(_ o: Int, channel j: Int, step t: Int64) -> UInt8 {
        let split = split.unsafelyUnwrapped
        let u = SIMD8<Int32>(widening: UnsafeRawPointer(membranes + 2 &* o).loadUnaligned(as: SIMD8<UInt16>.self))
        // Masks are arithmetic (−1 or 0 from a sign), which vectorises where lane masks do not.
        let negative = (SIMD8(repeating: Int32(truncatingIfNeeded: 65535 &- split.bound)) &- u) &>> 31
        let low = u &+ (negative & SIMD8(repeating: -65536))
        let side = SIMD8<Int32>(widening: UnsafeRawPointer(counts + o).loadUnaligned(as: SIMD8<Int8>.self))
        let countBits = Int32(truncatingIfNeeded: split.countBits)
        var n = side & SIMD8(repeating: (1 &<< countBits) &- 1)
        let high = side &>> countBits
        let k = Int32(truncatingIfNeeded: split.modulus)
        let a = high &* k &+ low
        let spike = SIMD8<Int32>(truncating: fired(potentials(o, channel: j, step: t, sums: SIMD8<Int64>(widening: a),
                                                              counts: SIMD8<Int64>(widening: n))))
        n &+= spike
        let under = low &>> 31, over = (SIMD8(repeating: k &- 1) &- low) &>> 31
        let kLanes = SIMD8(repeating: k)
        let carried = low &+ (under & kLanes) &- (over & kLanes)
        let newHigh = high &+ under &- over
        UnsafeMutableRawPointer(membranes + 2 &* o).storeBytes(of: SIMD8<UInt16>(truncating: carried), as: SIMD8<UInt16>.self)
        UnsafeMutableRawPointer(counts + o).storeBytes(of: SIMD8<UInt8>(truncating: (newHigh &<< countBits) | n),
                                                       as: SIMD8<UInt8>.self)
        return SpikeBits.packLanes(SIMD8<UInt8>(truncating: spike))
    }

    /// The output layer's update for step `t`: `scores[j]` becomes `V` (`.membrane`: the layer
    /// never fires) or the spikes so far (`.spikeCount`); returns the spikes of this step.
    @inline(__always)
    func score(step t: Int, readout: Readout, into scores: UnsafeMutablePointer<Int64>) -> UInt64 {
        let tt = Int64(widening: t)
        return NeuronSweep.score(w.record, readout: readout, into: scores) { advance($0, channel: $1, step: tt, canFire: $2) }
    }
}

/// The neuron-by-neuron loops both streaming neuron kinds share (`StreamingNeurons`,
/// `LeakyNeurons`), over a layer's neurons in channels-last order. `advance(o, j, canFire)`
/// updates neuron `o` of channel `j` for the step and returns its potential before any reset of
/// this step and its spike (0 or 1).
enum NeuronSweep {
    /// Every neuron updated, allowed to fire; the spikes written as the map `out`. Returns them.
    @inline(__always)
    static func fire(_ r: LayerRecord, into out: UnsafeMutablePointer<UInt8>,
                     _ advance: (Int, Int, Bool) -> (potential: Int64, spike: UInt8)) -> UInt64 {
        var writer = SpikeMapWriter(out)
        var spikes: UInt64 = 0
        var o = 0
        for _ in 0..<(r.outH &* r.outW) {
            for j in 0..<r.outC {
                let spike = advance(o, j, true).spike
                spikes &+= UInt64(widening: spike)
                writer.append(UInt(spike))
                o &+= 1
            }
        }
        writer.finish()
        return spikes
    }

    /// The output layer's update: `scores[o]` becomes the potential (`.membrane`: the layer never
    /// fires) or gains the spike (`.spikeCount`). Returns this step's spikes.
    @inline(__always)
    static func score(_ r: LayerRecord, readout: Readout, into scores: UnsafeMutablePointer<Int64>,
                      _ advance: (Int, Int, Bool) -> (potential: Int64, spike: UInt8)) -> UInt64 {
        var spikes: UInt64 = 0
        for o in 0..<r.outputCount {
            let (v, spike) = advance(o, o % r.outC, readout == .spikeCount)
            if readout == .membrane {
                scores[o] = v
            } else {
                spikes &+= UInt64(widening: spike)
                scores[o] &+= Int64(widening: spike)
            }
        }
        return spikes
    }
}
