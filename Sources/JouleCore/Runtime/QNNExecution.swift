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
                let res = residual(of: layer)
                if packBits == 0 {
                    runQNNWeighted(w, layer: i, input: src, residual: res, output: out, src: src, timesteps: t,
                                   inputBits: inBits, counting: counting, nonZeroInputs: counting ? c.inputEvents : nil,
                                   into: &c)
                } else {
                    let packedOut = PackedCodeWriter(out, bits: packBits)
                    let packedRes = res.map { PackedCodeReader($0, bits: packBits) }
                    if layer.readsModelInput {
                        runQNNWeighted(w, layer: i, input: src, residual: packedRes, output: packedOut, src: src,
                                       timesteps: t, inputBits: inBits, counting: counting, into: &c)
                    } else {
                        runQNNWeighted(w, layer: i, input: PackedCodeReader(src, bits: packBits), residual: packedRes,
                                       output: packedOut, src: src, timesteps: t, inputBits: inBits,
                                       counting: counting, into: &c)
                    }
                }
                if res != nil, counting {
                    let nz = counters[layer.residualIndex].outputEvents
                    c.inputEvents &+= nz
                    c.effectiveACs &+= nz  // one addition per non-zero residual code
                    c.activationReadBits &+= UInt64(widening: n * codeBits)
                    c.inputTrafficBits &+= UInt64(widening: n * codeBits)
                }
            case .avgPool, .maxPool:
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

    /// One conv/linear layer of the QNN. `input`, `residual` and `output` are the layer's buffers
    /// as the plain kernels read and write them (bytes or packed codes); `src` is the input's
    /// bytes for the event gather, which runs only on byte plans (`usesEventGather`).
    @inline(__always)
    func runQNNWeighted<I: CodeReader, R: CodeReader, W: CodeWriter>(
        _ w: WeightedLayer, layer i: Int, input: I, residual res: R?, output out: W, src: UnsafePointer<UInt8>,
        timesteps t: Int, inputBits inBits: Int, counting: Bool, nonZeroInputs: UInt64? = nil,
        into c: inout EventCounters
    ) {
        let layer = w.record
        let k = Self.thresholdScale(layer, timesteps: t)
        let plane = layer.outH * layer.outW
        if counting { c.denseSynapticOps = w.denseSynapticOps() }  // a loop over the output pixels
        let scores = int64s(.output, layer: i)
        let isScores = layer.activation == .none
        /// Re-quantises one output pixel's accumulators into codes (or final scores).
        func emit(_ pixel: Int, _ acc: UnsafeMutablePointer<Int32>) {
            if isScores {
                for j in 0..<layer.outC {
                    scores[j] = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                }
            } else if let res {
                for j in 0..<layer.outC {
                    let o = j &* plane &+ pixel
                    let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: Int64(widening: res.code(at: o)))
                    out.setCode(Requantize.code(a, shift: layer.shift, timesteps: t), at: o)
                }
            } else {
                // Two passes: codes in place (a loop the compiler vectorises), then the
                // strided CHW stores.
                for j in 0..<layer.outC {
                    let a = w.preActivation(channel: j, acc: acc[j], k: k, timesteps: t, residual: 0)
                    acc[j] = Int32(Requantize.code(a, shift: layer.shift, timesteps: t))
                }
                for j in 0..<layer.outC { out.setCode(UInt8(truncatingIfNeeded: acc[j]), at: j &* plane &+ pixel) }
            }
        }
        let scratch = pointer(.scratch, layer: i)
        let acc = scratch.assumingMemoryBound(to: Int32.self)
        let maxValue = layer.readsModelInput ? 255 : t
        let denseApplies = usesDenseConvolution(layer, layer: i, maxValue: maxValue, timesteps: t)
        let scatterApplies = usesEventScatter(layer, layer: i, timesteps: t)
        if denseApplies || scatterApplies {  // no residual: `DenseScratch.supports`, `ScatterScratch.supports`
            let base = alignedScratch(layer: i)
            let nonZero = Int(truncatingIfNeeded: nonZeroInputs ?? ByteCounts.nonZero(src, count: layer.inputCount))
            let gatherCost = usesEventGather(w, layer: i, maxValue: maxValue) ? w.gatherPicoseconds(nonZero: nonZero) : Int64.max
            let scatterCost = scatterApplies ? w.scatterPicoseconds(nonZero: nonZero, maxValue: maxValue) : Int64.max
            let sparseKernel: LayerKernel = scatterCost < gatherCost ? .eventScatter : .eventGather
            let sparseCost = min(gatherCost, scatterCost)
            var kernel: LayerKernel
            switch convolutionKernel {
            case .dense: kernel = denseApplies ? .denseConvolution : .eventGather
            case .eventScatter: kernel = scatterApplies ? .eventScatter : .eventGather
            case .eventGather: kernel = .eventGather
            case .automatic, .eventDriven:
                // The dense kernel's full price needs the input's group masks: they are built
                // only where its fixed part alone undercuts the sparse kernels.
                let floor = denseApplies ? w.densePicoseconds(activeGroups: 0) ?? Int64.max : Int64.max
                kernel = floor < sparseCost ? .denseConvolution : sparseKernel
            }
            #if JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
            if kernel == .denseConvolution {
                let layout = DenseScratch(scratch: base, layer: layer)
                // Inputs more than a quarter non-zero, and folded one-channel layers, run over
                // every group; sparser ones are masked first (the kernel then skips the groups a
                // block's window lacks) and the masks' count of active groups prices the kernel.
                // `.dense` masks too, so that tests run both.
                let masked = DenseScratch.masks(layer) && (convolutionKernel == .dense || nonZero * 4 < layer.inputCount)
                let active = masked ? w.denseGroupMasks(src, layout: layout) : w.denseAllGroups(layout)
                if convolutionKernel == .automatic,
                   w.densePicoseconds(activeGroups: active) ?? Int64.max >= sparseCost {
                    kernel = sparseKernel
                } else {
                    log(.denseConvolution, layer: i)
                    prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
                    w.denseConvolution(input: src, maxValue: maxValue, layout: layout, prepacked: prepackedWeights(layer: i, w.record),
                                       timesteps: t, output: bytes(.output, layer: i))
                    if counting { countDenseRun(w, layer: i, layout: layout, input: src, maxValue: maxValue, inputBits: inBits, into: &c) }
                    return
                }
            }
            #endif
            if kernel == .eventScatter {
                log(.eventScatter, layer: i)
                let layout = ScatterScratch(scratch: base, layer: layer)
                prepareChannelCodes(w, layer: i, layout.thresholds, timesteps: t)
                // The counters' weight rows and multiplies come from the scatter's own walk.
                var tally = WeightedLayer.EventTally()
                w.eventScatter(input: src, maxValue: maxValue, layout: layout, timesteps: t, output: bytes(.output, layer: i),
                               counting: counting, into: &tally)
                if counting { setGatheredCounters(w, tally: tally, inputBits: inBits, into: &c) }
                return
            }
        }
        if usesEventGather(w, layer: i, maxValue: maxValue) {
            log(.eventGather, layer: i)
            let outBytes = bytes(.output, layer: i)
            let layout = EventScratch(scratch: scratch, layer: layer, accumulatorBytes: layer.outC * 4)
            w.prepareCodes(layout, k: k, timesteps: t)
            if !isScores && res == nil {
                // Codes straight from the gather's sum-ordered sums (thresholds in the same order).
                w.eventGather(input: src, maxValue: maxValue, spikeMask: nil, layout: layout, accumulators: acc,
                              pixelStride: 0, clear: true, sumOrderBody: true) { pixel, sums in
                    w.storeCodes(sumOrder: sums, k: k, layout: layout, timesteps: t, temporary: acc,
                                 into: outBytes, plane: plane, pixel: pixel)
                }
            } else {
                w.eventGather(input: src, maxValue: maxValue, spikeMask: nil, layout: layout,
                              accumulators: acc, pixelStride: 0, clear: true, emit)
            }
            if counting { countGatheredInput(w, input: src, prefix: tapPrefix(layer: i, w, scratch: layout.tapPrefix), inputBits: inBits, into: &c) }
        } else {
            log(.plainGather, layer: i)
            w.gather(input: input, inputBits: inBits, acc: acc, counters: &c, emit)
        }
    }

    #if JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
    /// Counters of a layer the dense convolution ran on non-spike inputs (codes, input bytes):
    /// from its channels-last copy where the layout allows (`DenseScratch.countsFromCopy`), else
    /// from one pass over `input`.
    @inline(__always)
    func countDenseRun(_ w: WeightedLayer, layer i: Int, layout: DenseScratch, input src: UnsafePointer<UInt8>,
                       maxValue: Int, inputBits inBits: Int, into c: inout EventCounters) {
        let prefix = tapPrefix(layer: i, w, scratch: layout.tapPrefix)
        if DenseScratch.countsFromCopy(w.record) {
            var tally = WeightedLayer.EventTally()
            w.countDenseInput(layout: layout, table: denseCountTable(layer: i, w.record),
                              prefix: prefix, into: &tally)
            setGatheredCounters(w, tally: tally, inputBits: inBits, into: &c)
        } else {
            countGatheredInput(w, input: src, prefix: prefix, inputBits: inBits, into: &c)
        }
    }
    #endif

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
