/// How the SNN reports its scores.
public enum Readout: UInt8, Sendable {
    /// The output layer integrates without firing; scores are its membrane potentials after `T`
    /// steps (equal to the QNN's pre-activations when spike counts match).
    case membrane = 0
    /// The output layer fires like every other; scores are its spike counts `0…T`.
    case spikeCount = 1
}

/// Runs a validated packed model in one execution mode over an arena the caller owns.
///
/// Memory: the interpreter allocates nothing. The arena (at least `plan.arenaBytes`, 16-byte
/// aligned) holds the input, every activation, scratch and state buffer at the offsets of the
/// model's plan for this mode; the caller keeps it alive while the interpreter is used, and its
/// contents between runs are the interpreter's. Write the input through `input`, call `run`,
/// read `scores`.
public struct Interpreter {
    public let model: PackedModel
    public let mode: ExecutionMode
    public let plan: ArenaPlan
    let arena: UnsafeMutableRawPointer
    /// Which kernel weighted layers run where several apply (in plans with their scratch): the
    /// policy the one selection applies (`Kernels/KernelSelection.swift`, rules in `allows` and
    /// `rank`) — in the QNN among the event gather, the event scatter and the dense convolution
    /// (`Kernels/x86/`, builds with AVX2); in the layer-wise SNN among the kernels over spike
    /// trains (the per-step event gather, the event scatter) and, under `.automatic` and
    /// `.dense` only, those over spike counts (the dense convolution, the event scatter, the
    /// plain gather). Same results and counters whichever kernel runs.
    public var convolutionKernel = ConvolutionKernelPolicy.automatic
    /// Where each run records the kernel every layer ran with (`layerCount` entries, caller-owned:
    /// for benchmarks and tests; a shorter non-empty buffer makes `run` throw
    /// `counterBufferTooSmall`); empty, the default, records nothing.
    public var kernelLog = UnsafeMutableBufferPointer<LayerKernel>(start: nil, count: 0)
    /// The QNN's dense-convolution weights laid out ahead (`prepack(into:)`), or nil: each run
    /// then re-lays them span by span.
    var prepacked: UnsafeRawPointer? = nil
    /// Prepacked tap prefix sums of every weighted layer (`prepack(into:)`), or nil.
    var tapTables: UnsafePointer<UInt32>? = nil
    /// Per layer, where its prepacked data starts (`prepack(into:)`), or nil.
    var prepackIndex: UnsafePointer<UInt32>? = nil

    /// Binds `model` to `arena` for `mode`.
    /// - Throws: `arenaTooSmall` when the arena is smaller than the plan or misaligned;
    ///   `neuronsNeedStreaming` when a layer's neuron is not integrate-and-fire and `mode` is not
    ///   the streaming SNN.
    public init(model: PackedModel, arena: UnsafeMutableRawBufferPointer, mode: ExecutionMode) throws(JouleError) {
        if mode != .snnStreaming {
            for i in 0..<model.layerCount where !model.layer(i).neuron.isIntegrateAndFire {
                throw JouleError(.neuronsNeedStreaming, layer: i)
            }
        }
        let plan = model.plan(mode)
        guard let base = arena.baseAddress, Int(bitPattern: base) % PackedFormat.alignment == 0,
              arena.count >= plan.arenaBytes
        else { throw JouleError(.arenaTooSmall) }
        self.model = model
        self.mode = mode
        self.plan = plan
        self.arena = base
    }

    /// The model input: `C · H · W` bytes in CHW order, inside the arena.
    public var input: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: arena + plan.input.offset, count: plan.input.bytes)
    }

    /// The scores of the last run, one int64 per output; see `Readout` and `Models/README.md`
    /// for their meaning (real logit = score / (T · 2^S) for membrane and QNN scores).
    public var scores: UnsafeBufferPointer<Int64> {
        let region = plan.region(.output, layer: model.layerCount - 1)
        return UnsafeBufferPointer(start: (arena + region.offset).assumingMemoryBound(to: Int64.self),
                                   count: model.outputCount)
    }

    /// Runs one inference on the current input.
    ///
    /// - Parameters:
    ///   - timesteps: `T`, 1…255: the QNN's activation levels are `0…T`; the SNN runs `T` steps.
    ///   - readout: how the SNN reports scores (ignored by the QNN).
    ///   - counters: per-layer event counters, `layerCount` entries, overwritten; pass an empty
    ///     buffer to discard them.
    ///   - afterLayer: called with the layer index each time a layer has run (once per layer, or
    ///     once per layer and timestep in the streaming schedule): a hook for per-layer timing.
    public func run(timesteps: Int, readout: Readout = .membrane,
                    counters: UnsafeMutableBufferPointer<EventCounters>,
                    afterLayer: (Int) -> Void = { _ in }) throws(JouleError) {
        try check(timesteps: timesteps)
        guard counters.isEmpty || counters.count >= model.layerCount else {
            throw JouleError(.counterBufferTooSmall)
        }
        guard kernelLog.isEmpty || kernelLog.count >= model.layerCount else { throw JouleError(.counterBufferTooSmall) }
        switch mode {
        case .qnn: runQNN(timesteps: timesteps, counters: counters, afterLayer: afterLayer)
        case .snnLayerwise: runLayerwise(timesteps: timesteps, readout: readout, counters: counters, afterLayer: afterLayer)
        case .snnStreaming: runStreaming(timesteps: timesteps, readout: readout, counters: counters, afterLayer: afterLayer)
        }
    }

    /// Throws what `run` would throw for `timesteps` before touching the arena: `badTimesteps`
    /// outside 1…255, `timestepsExceedPlan` when the plan packs codes in fewer bits than `T` needs
    /// or (streaming) sized a layer's state for a smaller `T`.
    public func check(timesteps: Int) throws(JouleError) {
        guard timesteps >= 1, timesteps <= 255 else { throw JouleError(.badTimesteps) }
        guard plan.codeBits == 0 || Requantize.codeBits(timesteps: timesteps) <= plan.codeBits else {
            throw JouleError(.timestepsExceedPlan)
        }
        if mode == .snnStreaming {
            for i in 0..<model.layerCount where plan.region(.state, layer: i).bytes
                < StreamingState.requiredBytes(model.layer(i), timesteps: timesteps) {
                throw JouleError(.timestepsExceedPlan, layer: i)
            }
        }
    }

    /// Value `index` (CHW order) of the activation output of layer `layer` as the arena holds it
    /// now (codes, spike counts or a streaming step's spike, 0 or 1; unpacked when the plan packs
    /// codes or bits). Meaningful
    /// right after the layer ran (`run`'s `afterLayer`) or, until its buffer is reused, later.
    /// - Precondition: the layer's activation is `quant`, `0 ≤ index < outputCount`.
    public func outputValue(layer: Int, at index: Int) -> UInt8 {
        let p = pointer(.output, layer: layer)
        if mode == .snnStreaming {
            let r = model.layer(layer)
            return SpikeBits.bit(UnsafePointer(p.assumingMemoryBound(to: UInt8.self)), chwIndex: index,
                                 channels: r.outC, plane: r.outH * r.outW)
        }
        return plan.codeBits > 0 ? PackedCodes.load(p, index: index, bits: plan.codeBits)
            : p.load(fromByteOffset: index, as: UInt8.self)
    }

    // MARK: Buffers

    @inline(__always)
    func pointer(_ role: BufferRole, layer: Int) -> UnsafeMutableRawPointer {
        arena + plan.region(role, layer: layer).offset
    }

    /// Layer `layer`'s scratch rounded up to 32 bytes, for the kernels whose vector loads want
    /// that alignment (the dense convolution, the event scatter): their planned scratch has 32
    /// bytes to spare (`DenseScratch.bytes`, `ScatterScratch.bytes`).
    @inline(__always)
    func alignedScratch(layer: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: pointer(.scratch, layer: layer)) &+ 31) & ~31)!
    }

    /// The codes (or spike counts, or spike map) layer `layer` reads.
    @inline(__always)
    func source(of layer: LayerRecord) -> UnsafePointer<UInt8> {
        let p = layer.inputIndex < 0 ? arena + plan.input.offset : pointer(.output, layer: layer.inputIndex)
        return UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always)
    func residual(of layer: LayerRecord) -> UnsafePointer<UInt8>? {
        layer.residualIndex < 0 ? nil
            : UnsafePointer(pointer(.output, layer: layer.residualIndex).assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always)
    func bytes(_ role: BufferRole, layer: Int) -> UnsafeMutablePointer<UInt8> {
        pointer(role, layer: layer).assumingMemoryBound(to: UInt8.self)
    }

    @inline(__always)
    func int32s(_ role: BufferRole, layer: Int) -> UnsafeMutablePointer<Int32> {
        pointer(role, layer: layer).assumingMemoryBound(to: Int32.self)
    }

    @inline(__always)
    func int64s(_ role: BufferRole, layer: Int) -> UnsafeMutablePointer<Int64> {
        pointer(role, layer: layer).assumingMemoryBound(to: Int64.self)
    }

    @inline(__always)
    func store(_ c: EventCounters, layer: Int, into counters: UnsafeMutableBufferPointer<EventCounters>) {
        if !counters.isEmpty { counters[layer] = c }
    }

    /// Records in `kernelLog` (if any) that layer `layer` ran with `kernel`.
    @inline(__always)
    func log(_ kernel: LayerKernel, layer: Int) {
        if !kernelLog.isEmpty { kernelLog[layer] = kernel }
    }
}

/// Which kernel the QNN runs a convolution with, where more than the event gather applies.
public enum ConvolutionKernelPolicy: UInt8, Sendable {
    /// The one a cost model expects to be fastest for this run's input (`KernelCost.swift`:
    /// `WeightedLayer.gatherPicoseconds`, `densePicoseconds`, `scatterPicoseconds`): the dense
    /// convolution for dense inputs, the event scatter
    /// for sparse ones, the event gather in between.
    case automatic = 0
    /// The event gather (or the plain gather where it does not apply either): for tests and
    /// benchmarks that compare kernels.
    case eventGather = 1
    /// The dense convolution wherever it applies, however sparse the input; elsewhere the event
    /// gather. In the layer-wise SNN the kernels over spike counts wherever they apply: the
    /// dense convolution, else the event scatter over the counts, else (no event gather either)
    /// the plain gather.
    case dense = 2
    /// The event scatter wherever it applies, however dense the input; elsewhere the event
    /// gather.
    case eventScatter = 3
    /// The cost model's pick among the event-driven kernels only — the event gather and the
    /// event scatter, never the dense convolution; in the layer-wise SNN, never a kernel over
    /// spike counts either, so every synaptic event is an accumulate of its own (what
    /// `joule crossover` times the SNN with).
    case eventDriven = 4
}

/// Which kernel runs a layer (see `Interpreter.kernel(layer:timesteps:)`).
public enum LayerKernel: UInt8, Sendable {
    /// The vectorised event gather (`Kernels/EventGather.swift`).
    case eventGather = 0
    /// The plain output-stationary gather (QNN, analog first layers).
    case plainGather = 1
    /// The plain per-spike scatter (SNN).
    case plainScatter = 2
    /// Pooling.
    case pooling = 3
    /// The dense convolution (`Kernels/x86/DenseConvolution*.swift`, x86 AVX2 and AVX-512 VNNI;
    /// `Kernels/arm/DenseConvolutionNEON.swift`, aarch64 NEON and dot product).
    case denseConvolution = 4
    /// The QNN's event scatter (`Kernels/EventScatter.swift`).
    case eventScatter = 5
    /// The plain gather with its rows added in pairs by the ARM DSP extension
    /// (`Kernels/arm/DSPGatherKernel.swift`, `JOULE_ISA=armdsp`: the Cortex-M4 firmware).
    case dspGather = 6
}

extension Interpreter {
    /// The kernel `run(timesteps:)` would run layer `i` (0 ≤ i < layerCount) with in this mode,
    /// plan and policy for an input whose values are all non-zero (spiking inputs: every input
    /// firing at every step) — the one selection (`KernelSelection.swift`) priced at that
    /// activity; a run's input may price another kernel cheaper, and its kernel log records
    /// what ran.
    public func kernel(layer i: Int, timesteps t: Int) -> LayerKernel {
        let layer = model.layer(i)
        guard layer.isWeighted else { return .pooling }
        let w = WeightedLayer(layer, in: model)
        let full = InputActivity(nonZero: layer.inputCount, spikes: layer.inputCount * t)
        return selectKernel(kernelRequest(w, layer: i, timesteps: t), input: nil, activity: full).kernel
    }
}

/// Prepacking: what depends on the model alone, made once, like ONNX Runtime's prepacking at
/// session creation, instead of in every run — the dense convolution's interleaved weights (QNN,
/// where the kernel is built) and every weighted layer's tap prefix sums (`fillTapPrefix`: the
/// counters' per-channel counts of non-zero weights over kernel rectangles; QNN and layer-wise
/// SNN, every target). Optional: without it the kernels give the same results and counters.
///
/// Buffer layout: the kernels' data (`WeightedKernel.prepackBytes`; in this build at most one
/// kernel, the dense convolution, lays any out: interleaved weights, then on x86 the count table
/// of `WeightedLayer.fillDenseCountTable`), layer after layer, then the
/// tap tables, layer after layer (`tapTableEntries` UInt32 each), then the code thresholds at
/// the model's default `T` (`thresholdEntries` Int32 each), then an index of three UInt32 per
/// layer — the byte offset of its dense data, the entry offsets of its tap table and its
/// thresholds (entries counted from the first tap table) — so that a run finds a layer's data
/// without summing over the layers before it.
extension Interpreter {
    /// Bytes of the kernels' prepacked data for `model` (`WeightedKernel.prepackBytes`, every
    /// kernel this build has, every layer).
    static func kernelDataBytes(for model: PackedModel) -> Int {
        var bytes = 0
        for i in 0..<model.layerCount { bytes += PrepackSizer.bytes(model.layer(i)) }
        return bytes
    }

    /// UInt32 entries of `layer`'s tap prefix sums (`fillTapPrefix`): `inC` tables of
    /// `(kernelH + 1)(kernelW + 1)` for a weighted layer (a linear layer's kernel is its input
    /// plane), 0 for others.
    static func tapTableEntries(_ layer: LayerRecord) -> Int {
        layer.isWeighted ? layer.inC * EventScratch.prefixEntries(layer) : 0
    }

    /// Int32 entries of `layer`'s channel-ordered code thresholds at `T = t`
    /// (`WeightedLayer.prepareChannelCodes`): `t · outC` for a weighted layer with codes out
    /// (`T ≤ 15`), 0 for others.
    static func thresholdEntries(_ layer: LayerRecord, timesteps t: Int) -> Int {
        layer.isWeighted && layer.activation != .none && t <= WeightedLayer.maxThresholdTimesteps ? t * layer.outC : 0
    }

    /// Bytes `prepack(into:)` needs for `model` in `mode`: the dense weights for the QNN and the
    /// layer-wise SNN (which runs the dense convolution over spike counts), the tap tables and
    /// the code thresholds at the model's default `T` for both (the streaming SNN needs neither).
    public static func prepackBytes(for model: PackedModel, mode: ExecutionMode = .qnn) -> Int {
        var entries = 0
        if mode != .snnStreaming {
            for i in 0..<model.layerCount {
                entries += tapTableEntries(model.layer(i)) + thresholdEntries(model.layer(i), timesteps: model.defaultTimesteps)
            }
        }
        let data = (mode == .snnStreaming ? 0 : kernelDataBytes(for: model)) + 4 * entries
        return data > 0 ? data + 12 * model.layerCount : 0
    }

    /// Fills `buffer` (caller-owned, 32-byte aligned, at least `prepackBytes(for:mode:)`; kept
    /// alive and unchanged while this interpreter runs) and makes the runs read from there. A
    /// no-op where there is nothing to prepack.
    /// - Throws: `arenaTooSmall` when the buffer is smaller or misaligned.
    public mutating func prepack(into buffer: UnsafeMutableRawBufferPointer) throws(JouleError) {
        let bytes = Self.prepackBytes(for: model, mode: mode)
        guard bytes > 0 else { return }
        guard let base = buffer.baseAddress, Int(bitPattern: base) % 32 == 0, buffer.count >= bytes else {
            throw JouleError(.arenaTooSmall)
        }
        let kernelData = mode == .snnStreaming ? 0 : Self.kernelDataBytes(for: model)
        let index = (base + (bytes - 12 * model.layerCount)).assumingMemoryBound(to: UInt32.self)
        // The tap tables first: the kernels' data (the dense layers' count tables) is made from them.
        let tables = (base + kernelData).assumingMemoryBound(to: UInt32.self)
        var entries = 0, offset = 0
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            index[3 * i] = UInt32(truncatingIfNeeded: offset)
            index[3 * i + 1] = UInt32(truncatingIfNeeded: entries)
            offset += kernelData > 0 ? PrepackSizer.bytes(layer) : 0
            let n = mode == .snnStreaming ? 0 : Self.tapTableEntries(layer)
            if n > 0 { WeightedLayer(layer, in: model).fillTapPrefix(tables + entries) }
            entries += n
        }
        // Then the code thresholds at the model's default T, with the input scale every kernel
        // takes (`prepareChannelCodes(_:layer:_:k:timesteps:)`).
        let t = model.defaultTimesteps
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            index[3 * i + 2] = UInt32(truncatingIfNeeded: entries)
            let n = mode == .snnStreaming ? 0 : Self.thresholdEntries(layer, timesteps: t)
            if n > 0 {
                WeightedLayer(layer, in: model).prepareChannelCodes(UnsafeMutableRawPointer(tables + entries).assumingMemoryBound(to: Int32.self),
                                                                    k: Self.thresholdScale(layer, timesteps: t), timesteps: t)
            }
            entries += n
        }
        if entries > 0 { tapTables = UnsafePointer(tables) }
        prepackIndex = UnsafePointer(index)
        if kernelData > 0 {
            for i in 0..<model.layerCount {
                let layer = model.layer(i)
                guard PrepackSizer.bytes(layer) > 0 else { continue }
                var filler = PrepackFiller(weighted: WeightedLayer(layer, in: model), at: base + Int(index[3 * i]),
                                           tapPrefix: tapTables.map { $0 + Int(index[3 * i + 1]) })
                KernelSelection.forEachKernel(&filler)
            }
            prepacked = UnsafeRawPointer(base)
        }
    }

    /// Makes this interpreter read the data that `prepack(into:)` already wrote into `buffer` for
    /// this model, in a mode that prepacks the same data (the QNN and the layer-wise SNN), without
    /// making it again — for callers that keep the buffer and make an interpreter per run (the C
    /// API). The buffer must stay alive and unchanged while this interpreter runs. A no-op where
    /// there is nothing to prepack.
    /// - Throws: `arenaTooSmall` when the buffer is smaller than `prepackBytes(for:mode:)` or
    ///   misaligned.
    public mutating func attachPrepack(_ buffer: UnsafeRawBufferPointer) throws(JouleError) {
        let bytes = Self.prepackBytes(for: model, mode: mode)
        guard bytes > 0 else { return }
        guard let base = buffer.baseAddress, Int(bitPattern: base) % 32 == 0, buffer.count >= bytes else {
            throw JouleError(.arenaTooSmall)
        }
        let kernelData = Self.kernelDataBytes(for: model)
        var entries = 0
        for i in 0..<model.layerCount {
            let layer = model.layer(i)
            entries += Self.tapTableEntries(layer) + Self.thresholdEntries(layer, timesteps: model.defaultTimesteps)
        }
        if entries > 0 { tapTables = (base + kernelData).assumingMemoryBound(to: UInt32.self) }
        prepackIndex = (base + (bytes - 12 * model.layerCount)).assumingMemoryBound(to: UInt32.self)
        if kernelData > 0 { prepacked = base }
    }

    /// Makes this interpreter read the prepacked data that `other` made (`prepack(into:)`; its
    /// buffer must stay alive and unchanged while this one runs): the QNN and the layer-wise SNN
    /// of one model prepack the same bytes, so one copy serves both, as one deployment keeps
    /// one copy of its weights. A no-op where `other` holds none.
    /// - Throws: `bufferSizeMismatch` unless both run the same model (the same bytes) in modes
    ///   that prepack the same data (neither streaming).
    public mutating func sharePrepack(of other: Interpreter) throws(JouleError) {
        guard model.view.base == other.model.view.base, model.view.count == other.model.view.count,
              mode != .snnStreaming, other.mode != .snnStreaming
        else { throw JouleError(.bufferSizeMismatch) }
        prepacked = other.prepacked
        tapTables = other.tapTables
        prepackIndex = other.prepackIndex
    }

    /// The data kernel `kernel` prepacked for layer `i` (`WeightedKernel.prepack`), or nil (none
    /// made, or the kernel has none for the layer). A layer's block holds its kernels' data in
    /// `forEachKernel` order, each 32-byte aligned; a build lists at most one prepacking
    /// descriptor per kernel name. `record` is the layer's (the caller has it: decoding it again
    /// costs a validation).
    func prepackedData(layer i: Int, _ record: LayerRecord, kernel: LayerKernel) -> UnsafeRawPointer? {
        guard let prepacked, let prepackIndex else { return nil }
        var locator = PrepackLocator(layer: record, kernel: kernel)
        KernelSelection.forEachKernel(&locator)
        guard let offset = locator.offset else { return nil }
        return prepacked + Int(prepackIndex[3 * i]) + offset
    }

    /// Whether the prepack holds the tap prefix sums (and the count tables made from them).
    var hasTapTables: Bool { tapTables != nil }

    /// Layer `i`'s tap prefix sums (`w` is its weighted layer) for counting: the prepacked table,
    /// or `scratch` (the kernel layout's `tapPrefix`) filled now.
    func tapPrefix(layer i: Int, _ w: WeightedLayer, scratch: UnsafeMutablePointer<UInt32>) -> UnsafePointer<UInt32> {
        if let tapTables, let prepackIndex { return tapTables + Int(prepackIndex[3 * i + 1]) }
        w.fillTapPrefix(scratch)
        return UnsafePointer(scratch)
    }

    /// The input scale `k` of layer `layer`'s thresholds and pre-activations, in the QNN and the
    /// layer-wise SNN alike: `T` for the model input's layer (its current is integrated `T`
    /// times), else 1.
    static func thresholdScale(_ layer: LayerRecord, timesteps t: Int) -> Int64 {
        layer.readsModelInput ? Int64(widening: t) : 1
    }

    /// Fills `thresholds` (a kernel layout's, at least `T · outC` Int32) with weighted layer `i`'s
    /// channel-ordered code thresholds at `T = t` (`WeightedLayer.prepareChannelCodes`, input
    /// scale `thresholdScale`): copied from the prepack where it holds them (`t` the model's
    /// default), else computed — two 64-bit divisions per channel.
    @inline(__always)
    func prepareChannelCodes(_ w: WeightedLayer, layer i: Int, _ thresholds: UnsafeMutablePointer<Int32>, timesteps t: Int) {
        let layer = w.record
        if let tapTables, let prepackIndex, t == model.defaultTimesteps, Self.thresholdEntries(layer, timesteps: t) > 0 {
            let table = UnsafeRawPointer(tapTables + Int(prepackIndex[3 * i + 2])).assumingMemoryBound(to: Int32.self)
            thresholds.update(from: table, count: t * layer.outC)
        } else {
            w.prepareChannelCodes(thresholds, k: Self.thresholdScale(layer, timesteps: t), timesteps: t)
        }
    }
}

/// The bytes every kernel of this build prepacks for one layer.
struct PrepackSizer: WeightedKernelVisitor {
    let layer: LayerRecord
    var bytes = 0

    static func bytes(_ layer: LayerRecord) -> Int {
        guard layer.isWeighted else { return 0 }
        var sizer = PrepackSizer(layer: layer)
        KernelSelection.forEachKernel(&sizer)
        return sizer.bytes
    }

    mutating func visit<K: WeightedKernel>(_ kernel: K.Type) { bytes += prepackAligned(K.prepackBytes(layer)) }
}

/// Finds where one kernel's data starts in a layer's prepacked block (`prepackedData`).
struct PrepackLocator: WeightedKernelVisitor {
    let layer: LayerRecord
    let kernel: LayerKernel
    var bytes = 0
    /// The kernel's offset in the block, once found (nil: it has no data for the layer).
    var offset: Int? = nil

    mutating func visit<K: WeightedKernel>(_ k: K.Type) {
        guard offset == nil else { return }
        let size = K.prepackBytes(layer)
        if K.kernel == kernel && size > 0 { offset = bytes }
        bytes += prepackAligned(size)
    }
}

/// Lays out every kernel's prepacked data for one layer, one after the other.
struct PrepackFiller: WeightedKernelVisitor {
    let weighted: WeightedLayer
    var at: UnsafeMutableRawPointer
    let tapPrefix: UnsafePointer<UInt32>?

    mutating func visit<K: WeightedKernel>(_ kernel: K.Type) {
        let bytes = K.prepackBytes(weighted.record)
        guard bytes > 0 else { return }
        K.prepack(weighted, at: at, tapPrefix: tapPrefix)
        at += prepackAligned(bytes)
    }
}

/// `n` rounded up to 32: each kernel's prepacked data starts 32-byte aligned.
@inline(__always)
func prepackAligned(_ n: Int) -> Int { (n + 31) & ~31 }
