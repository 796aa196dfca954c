/// Pooling layers' runs, per mode: the 2×2, stride-2 average over bytes in SIMD lanes
/// (`PoolingLayer.averageTwoByTwo`) where it applies, else the generic window loop over bytes or
/// packed codes (`reduceWindows`) — pooling's one choice, as `KernelSelection.swift` is the
/// weighted layers'; the executors call one function per mode. Counters: a synaptic op per
/// window input (and step), an effective accumulate per non-zero window input (per spike).
extension Interpreter {
    /// QNN pooling layer `i` over its input `src` (bytes, or packed codes in a plan with
    /// `codeBits > 0`) into its output, with its counters. `nonZeroInputs`: the input's non-zero
    /// count when counting, else nil.
    @inline(__always)
    func runPoolingQNN(_ pool: PoolingLayer, layer i: Int, input src: UnsafePointer<UInt8>, inputBits inBits: Int,
                       nonZeroInputs: UInt64?, into c: inout EventCounters) {
        log(.pooling, layer: i)
        let out = bytes(.output, layer: i), packBits = plan.codeBits
        if packBits == 0, pool.isTwoByTwoAverage {
            runQNNTwoByTwoAverage(pool, input: src, output: out, inputBits: inBits, nonZeroInputs: nonZeroInputs, into: &c)
        } else if packBits == 0 {
            runQNNPooling(pool, input: src, inputBits: inBits, into: &c) { out[$0] = $1 }
        } else {
            runQNNPooling(pool, input: PackedCodeReader(src, bits: packBits),
                          packedOutput: PackedCodeWriter(out, bits: packBits), inputBits: inBits, into: &c)
        }
    }

    /// Layer-wise SNN pooling layer `i` over its input spike counts `src` into its output spike
    /// counts, with its counters (`inputSpikes`: the input's spikes when counting).
    @inline(__always)
    func runPoolingLayerwise(_ pool: PoolingLayer, layer i: Int, input src: UnsafePointer<UInt8>, timesteps t: Int,
                             inputSpikes: UInt64, counting: Bool, into c: inout EventCounters) {
        log(.pooling, layer: i)
        let out = bytes(.output, layer: i)
        let window = Int64(widening: pool.windowSize)
        let isAverage = pool.record.kind == .avgPool
        var nonZeroVisits: UInt64 = 0, spikeVisits: UInt64 = 0
        if pool.isTwoByTwoAverage {
            // ⌊Σ / 4⌋ of four counts ≤ T is at most T: the neuron's clamp never bites.
            // Every input spike but those no window reaches is visited once.
            pool.averageTwoByTwo(src, output: out)
            if counting { spikeVisits = inputSpikes &- pool.unvisited(src).sum }
        } else {
            pool.reduceWindows(src, nonZeroVisits: &nonZeroVisits, valueVisits: &spikeVisits) { o, sum, largest in
                out[o] = isAverage
                    ? Requantize.integrateAndFire(total: Int64(widening: sum), threshold: window, timesteps: t)
                    : largest
            }
        }
        c.inputEvents = inputSpikes
        c.denseSynapticOps = UInt64(widening: t) &* UInt64(widening: pool.record.outputCount * pool.windowSize)
        c.effectiveACs = spikeVisits  // one accumulate (or compare) per spike per window
    }

    /// One pooling layer of the QNN over bytes or packed codes: hands every output's code to
    /// `store(index, code)` in CHW order (index 0, 1, 2, …) and sets the layer's counters.
    @inline(__always)
    func runQNNPooling<I: CodeReader>(_ pool: PoolingLayer, input: I, inputBits inBits: Int,
                                      into c: inout EventCounters, _ store: (Int, UInt8) -> Void) {
        let window = pool.windowSize
        let windowShift = window & (window - 1) == 0 ? window.trailingZeroBitCount : -1
        let isAverage = pool.record.kind == .avgPool
        var nonZeroVisits: UInt64 = 0, valueSum: UInt64 = 0
        pool.reduceWindows(input, nonZeroVisits: &nonZeroVisits, valueVisits: &valueSum) { o, sum, largest in
            // Power-of-two windows (2×2 and the like) divide by a shift: an integer
            // division costs tens of cycles per output.
            let mean = windowShift >= 0 ? sum &>> windowShift : sum / window
            store(o, isAverage ? UInt8(truncatingIfNeeded: mean) : largest)
        }
        setPoolingCounters(pool, nonZeroVisits: nonZeroVisits, inputBits: inBits, into: &c)
    }

    /// A QNN pooling layer's counters: one synaptic op and read per window input, an effective
    /// accumulate per non-zero one.
    @inline(__always)
    func setPoolingCounters(_ pool: PoolingLayer, nonZeroVisits: UInt64, inputBits inBits: Int, into c: inout EventCounters) {
        let visits = pool.record.outputCount * pool.windowSize
        c.denseSynapticOps = UInt64(widening: visits)
        c.effectiveACs = nonZeroVisits
        c.activationReadBits = UInt64(widening: visits * inBits)
    }

    /// A 2×2, stride-2 average pooling layer of the QNN over byte codes (`PoolingLayer.averageTwoByTwo`),
    /// with `runQNNPooling`'s counters. `nonZeroInputs`: the input's non-zero count when
    /// counting (nil: no counters) — the windows' non-zero visits are that less the inputs no
    /// window reaches (`PoolingLayer.unvisited`), cheaper than flags per window.
    @inline(__always)
    func runQNNTwoByTwoAverage(_ pool: PoolingLayer, input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>,
                               inputBits inBits: Int, nonZeroInputs: UInt64?, into c: inout EventCounters) {
        pool.averageTwoByTwo(input, output: output)
        let nonZeroVisits = nonZeroInputs.map { $0 &- pool.unvisited(input).nonZero } ?? 0
        setPoolingCounters(pool, nonZeroVisits: nonZeroVisits, inputBits: inBits, into: &c)
    }

    /// One pooling layer of the QNN writing packed codes: the outputs come in CHW order, so they
    /// are gathered in a register and stored a byte at a time.
    @inline(__always)
    func runQNNPooling<I: CodeReader>(_ pool: PoolingLayer, input: I, packedOutput out: PackedCodeWriter,
                                      inputBits inBits: Int, into c: inout EventCounters) {
        let bits = UInt32(truncatingIfNeeded: out.bits)
        var pending: UInt32 = 0, pendingBits: UInt32 = 0, byte = 0
        runQNNPooling(pool, input: input, inputBits: inBits, into: &c) { _, code in
            pending |= UInt32(code) &<< pendingBits
            pendingBits &+= bits
            if pendingBits >= 8 {
                out.base.storeBytes(of: UInt8(truncatingIfNeeded: pending), toByteOffset: byte, as: UInt8.self)
                byte &+= 1
                pending &>>= 8
                pendingBits &-= 8
            }
        }
        if pendingBits > 0 {
            // The last, partial byte: keep the bits past the codes.
            let keep = ~((UInt8(1) &<< UInt8(truncatingIfNeeded: pendingBits)) &- 1)
            let old = out.base.load(fromByteOffset: byte, as: UInt8.self)
            out.base.storeBytes(of: (old & keep) | UInt8(truncatingIfNeeded: pending), toByteOffset: byte, as: UInt8.self)
        }
    }
}
