/// QNN mode: one pass, activation codes `0…T` (`ceil(log2(T+1))` bits), stored one byte per code
/// or — in a plan with `codeBits > 0` (packmodel `--compact`) — bit-packed (`PackedCodes`).
extension Interpreter {
    func runQNN(timesteps t: Int, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let codeBits = Requantize.codeBits(timesteps: t)
        let packBits = plan.codeBits
        let counting = !counters.isEmpty
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            var c = EventCounters()
            let src = source(of: layer)
            let inBits = layer.readsModelInput ? 8 : codeBits
            let n = layer.outputCount
            // A layer's non-zero inputs are its producer's non-zero outputs, already counted.
            if counting {
                c.inputEvents = layer.readsModelInput ? ByteCounts.nonZeroAndSum(src, count: layer.inputCount).nonZero
                    : counters[layer.inputIndex].outputEvents
            }
            c.inputTrafficBits = UInt64(widening: layer.inputCount * inBits)
            let out = bytes(.output, layer: i)
            switch layer.kind {
            case .conv2d, .linear:
                let w = WeightedLayer(layer, in: model)
                if counting { c.denseSynapticOps = w.denseSynapticOps() }
                // The kernel the selection picks (`KernelSelection.swift`) runs it; its non-zero
                // inputs, where counted, price the candidates.
                runWeighted(w, layer: i, timesteps: t, input: src,
                            activity: counting ? InputActivity(nonZero: Int(truncatingIfNeeded: c.inputEvents), spikes: 0) : nil,
                            readout: .membrane, counting: counting, into: &c)
                let res = residual(of: layer)
                if res != nil, counting {
                    let nz = counters[layer.residualIndex].outputEvents
                    c.inputEvents &+= nz
                    c.effectiveACs &+= nz  // one addition per non-zero residual code
                    c.activationReadBits &+= UInt64(widening: n * codeBits)
                    c.inputTrafficBits &+= UInt64(widening: n * codeBits)
                }
            case .avgPool, .maxPool:
                log(.pooling, layer: i)
                if packBits == 0, PoolingLayer(layer).isTwoByTwoAverage {
                    runQNNTwoByTwoAverage(PoolingLayer(layer), input: src, output: out, inputBits: inBits,
                                          nonZeroInputs: counting ? c.inputEvents : nil, into: &c)
                } else if packBits == 0 {
                    runQNNPooling(PoolingLayer(layer), input: src, inputBits: inBits, into: &c) { out[$0] = $1 }
                } else {
                    runQNNPooling(PoolingLayer(layer), input: PackedCodeReader(src, bits: packBits),
                                  packedOutput: PackedCodeWriter(out, bits: packBits), inputBits: inBits, into: &c)
                }
            }
            if layer.activation == .none {
                c.neuronUpdates = UInt64(widening: layer.outC)
                c.activationWriteBits = UInt64(widening: layer.outC * 32)
                c.outputTrafficBits = c.activationWriteBits
            } else if counting {
                let (nz, sum) = packBits == 0 ? ByteCounts.nonZeroAndSum(out, count: n)
                    : PackedCodes.nonZeroAndSum(out, count: n, bits: packBits)
                c.outputEvents = nz
                c.outputLevelSum = sum
                c.neuronUpdates = UInt64(widening: n)
                c.activationWriteBits = UInt64(widening: n * codeBits)
                c.outputTrafficBits = c.activationWriteBits
            }
            store(c, layer: i, into: counters)
            afterLayer(i)
        }
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
