/// The one place that knows which kernels this build has and picks one per weighted layer and
/// run: the list of kernel descriptors (the only instruction-set `#if`s outside `x86/` and
/// `arm/`), the policies' rules, and the run of the chosen kernel. `Interpreter.kernel(layer:
/// timesteps:)`, both executors and the kernel log all go through `selectKernel` (and the
/// executors through `runWeighted`).
///
/// Adding a kernel: a descriptor file (`KernelDescriptor.swift`) and one line in `forEachKernel`.
enum KernelSelection {
    /// Every weighted-layer kernel this build contains, in tie-break order: where two priced
    /// kernels cost the same, or two kernels of one family both apply, the earlier one runs.
    @inline(__always)
    static func forEachKernel<V: WeightedKernelVisitor>(_ v: inout V) {
        #if JOULE_ARM_DSP
        v.visit(DSPGatherKernel.self)  // ahead of the plain gather, whose family it shares
        #endif
        v.visit(PlainGatherKernel.self)
        v.visit(PlainScatterKernel.self)
        #if !JOULE_PLAIN_KERNELS
        v.visit(EventGatherKernel.self)
        v.visit(EventScatterKernel.self)
        #endif
        #if JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
        v.visit(DenseConvolutionKernel.self)
        #endif
        #if JOULE_ARM_NEON && !JOULE_PLAIN_KERNELS
        v.visit(DenseDotKernel.self)
        #endif
    }

    /// The input forms a layer offers its kernels in `mode`, in tie-break order: a spiking
    /// layer of the layer-wise SNN its trains, then its counts; every other layer its values
    /// (the streaming SNN's spiking layers their trains).
    @inline(__always)
    static func forms(_ layer: LayerRecord, mode: ExecutionMode) -> (KernelInput, KernelInput?) {
        if layer.readsModelInput || mode == .qnn { return (.values, nil) }
        return mode == .snnLayerwise ? (.spikeTrains, .spikeCounts) : (.spikeTrains, nil)
    }

    /// Whether `policy` lets a kernel of `family` run over `input` in `mode`:
    /// - the kernels over spike counts run under `.automatic` and `.dense` only (`.eventDriven`
    ///   times the SNN with an accumulate per synaptic event);
    /// - the dense convolution runs under `.automatic` and `.dense`;
    /// - the event scatter runs under any policy but `.eventGather` — but under `.dense` only
    ///   over spike counts (in the QNN never under `.dense`);
    /// - the event gather and the plain kernels under all.
    @inline(__always)
    static func allows(_ policy: ConvolutionKernelPolicy, _ family: KernelFamily, input: KernelInput) -> Bool {
        if input == .spikeCounts && policy != .automatic && policy != .dense { return false }
        switch family {
        case .dense: return policy == .automatic || policy == .dense
        case .eventScatter:
            return policy == .dense ? input == .spikeCounts : policy != .eventGather
        case .eventGather, .plain: return true
        }
    }

    /// Rank of `family` under a policy that names one (lower runs first): the named family, then
    /// the dense convolution, the event scatter, the event gather, the plain kernels.
    @inline(__always)
    static func rank(_ family: KernelFamily, policy: ConvolutionKernelPolicy) -> Int {
        let named: KernelFamily = policy == .dense ? .dense : policy == .eventScatter ? .eventScatter : .eventGather
        if family == named { return 0 }
        switch family {
        case .dense: return 1
        case .eventScatter: return 2
        case .eventGather: return 3
        case .plain: return 4
        }
    }

    /// Whether `policy` picks by price (`.automatic`, `.eventDriven`) rather than by rank.
    @inline(__always)
    static func prices(_ policy: ConvolutionKernelPolicy) -> Bool { policy == .automatic || policy == .eventDriven }
}

extension LayerKernel {
    /// Calls `body` once with the name of each weighted-layer kernel this build lists
    /// (`KernelSelection.forEachKernel`), in raw-value order (raw values stay below 32): for
    /// tests that hold each to the plain kernels and reports that say what a build contains.
    public static func forEachBuilt(_ body: (LayerKernel) -> Void) {
        var names = KernelNames()
        KernelSelection.forEachKernel(&names)
        for raw in 0..<UInt8(32) where names.mask & (1 << UInt32(raw)) != 0 {
            if let kernel = LayerKernel(rawValue: raw) { body(kernel) }
        }
    }
}

/// The listed descriptors' names as a bit set over their raw values (`LayerKernel.forEachBuilt`).
private struct KernelNames: WeightedKernelVisitor {
    var mask: UInt32 = 0
    mutating func visit<K: WeightedKernel>(_ kernel: K.Type) { mask |= 1 << UInt32(K.kernel.rawValue & 31) }
}

/// A kernel the selection picked: its place in `forEachKernel`, the input form, its name and
/// price, and, under a priced policy, the runner-up it gives way to when its refined price
/// (`WeightedKernel.prepare`) is no lower than the runner-up's.
struct KernelChoice {
    var ordinal = -1
    var input = KernelInput.values
    var kernel = LayerKernel.plainGather
    var price = Int64.max
    var runnerUp = -1
    var runnerUpInput = KernelInput.values
    var runnerUpPrice = Int64.max
    /// The input's activity where the selection priced the candidates.
    var activity: InputActivity? = nil
}

/// Finds the kernel for one layer (`Interpreter.selectKernel`): a first pass counts the priced
/// candidates; prices are asked only where two or more compete.
private struct KernelChooser: WeightedKernelVisitor {
    let template: KernelRequest
    let forms: (KernelInput, KernelInput?)
    let policy: ConvolutionKernelPolicy
    /// The input's activity, where prices are asked (nil in the first pass).
    let activity: InputActivity?
    var ordinal = 0
    var choice = KernelChoice()
    var bestRank = Int.max
    /// Priced candidates seen, and the first plain one (the fallback).
    var pricedCount = 0
    var lone = KernelChoice()
    var fallback = KernelChoice()

    init(template: KernelRequest, policy: ConvolutionKernelPolicy, activity: InputActivity?) {
        self.template = template
        self.forms = KernelSelection.forms(template.record, mode: template.mode)
        self.policy = policy
        self.activity = activity
    }

    mutating func visit<K: WeightedKernel>(_ kernel: K.Type) {
        consider(K.self, input: forms.0)
        if let second = forms.1 { consider(K.self, input: second) }
        ordinal += 1
    }

    mutating func consider<K: WeightedKernel>(_ kernel: K.Type, input: KernelInput) {
        guard KernelSelection.allows(policy, K.family, input: input) else { return }
        let request = template.with(input: input)
        guard K.supports(request) else { return }
        if !KernelSelection.prices(policy) {
            let rank = KernelSelection.rank(K.family, policy: policy)
            if rank < bestRank {
                bestRank = rank
                choice = KernelChoice(ordinal: ordinal, input: input, kernel: K.kernel)
            }
            return
        }
        if K.family == .plain {
            if fallback.ordinal < 0 { fallback = KernelChoice(ordinal: ordinal, input: input, kernel: K.kernel) }
            return
        }
        guard K.isPriced(request) else { return }
        pricedCount += 1
        if pricedCount == 1 { lone = KernelChoice(ordinal: ordinal, input: input, kernel: K.kernel) }
        guard let activity else { return }
        let price = K.price(request, activity: activity)
        if price < choice.price {
            if choice.ordinal >= 0 {
                choice.runnerUp = choice.ordinal
                choice.runnerUpInput = choice.input
                choice.runnerUpPrice = choice.price
            }
            let kept = (choice.runnerUp, choice.runnerUpInput, choice.runnerUpPrice)
            choice = KernelChoice(ordinal: ordinal, input: input, kernel: K.kernel, price: price,
                                  runnerUp: kept.0, runnerUpInput: kept.1, runnerUpPrice: kept.2)
        } else if price < choice.runnerUpPrice {
            choice.runnerUp = ordinal
            choice.runnerUpInput = input
            choice.runnerUpPrice = price
        }
    }
}

/// Prepares and runs the chosen kernel (`Interpreter.runWeighted`).
private struct KernelRunner: WeightedKernelVisitor {
    let template: KernelRequest
    let interpreter: Interpreter
    let input: UnsafePointer<UInt8>
    let readout: Readout
    let counting: Bool
    let activity: InputActivity?
    /// The kernel to prepare (and run, unless it gives way), or to run.
    var target: Int
    var targetInput: KernelInput
    /// Under a priced policy: the runner-up, taken when the target's refined price is no lower.
    var choice: KernelChoice
    var counters = EventCounters()
    var ran: LayerKernel? = nil
    var ordinal = 0

    mutating func visit<K: WeightedKernel>(_ kernel: K.Type) {
        defer { ordinal += 1 }
        guard ordinal == target else { return }
        let request = template.with(input: targetInput)
        let refined = K.prepare(request, interpreter, input: input, activity: activity)
        if let refined, KernelSelection.prices(interpreter.convolutionKernel), choice.runnerUp >= 0,
           refined >= choice.runnerUpPrice, target == choice.ordinal {
            target = choice.runnerUp
            targetInput = choice.runnerUpInput
            return
        }
        let tally = K.run(request, interpreter, input: input, activity: activity, readout: readout, counting: counting)
        if counting { interpreter.setKernelCounters(request, tally: tally, into: &counters) }
        ran = K.kernel
    }
}

extension KernelRequest {
    /// The same request over another input form.
    @inline(__always)
    func with(input form: KernelInput) -> KernelRequest {
        KernelRequest(layer: layer, weighted: weighted, mode: mode, input: form, timesteps: timesteps,
                      scratchBytes: scratchBytes, codeBits: codeBits)
    }
}

extension Interpreter {
    /// The request for weighted layer `i` of this interpreter's plan at `T` (values form; the
    /// selection sets the form).
    @inline(__always)
    func kernelRequest(_ w: WeightedLayer, layer i: Int, timesteps t: Int) -> KernelRequest {
        KernelRequest(layer: i, weighted: w, mode: mode, input: .values, timesteps: t,
                      scratchBytes: plan.region(.scratch, layer: i).bytes, codeBits: plan.codeBits)
    }

    /// The kernel the policy picks for weighted layer `w` (index `i`) at `T`: by rank under a
    /// policy that names a kernel, by price under `.automatic` and `.eventDriven`, where
    /// `activity` (or, nil, one pass over `input` for its non-zero values) prices the candidates
    /// when two or more compete; the first plain kernel that applies where none is priced.
    @inline(__always)
    func selectKernel(_ template: KernelRequest, input: UnsafePointer<UInt8>?,
                      activity: InputActivity?) -> KernelChoice {
        var first = KernelChooser(template: template, policy: convolutionKernel, activity: nil)
        KernelSelection.forEachKernel(&first)
        guard KernelSelection.prices(convolutionKernel) else { return first.choice }
        if first.pricedCount == 0 { return first.fallback }
        if first.pricedCount == 1 { return first.lone }
        let known = activity ?? InputActivity(
            nonZero: input.map { Int(truncatingIfNeeded: ByteCounts.nonZero($0, count: template.record.inputCount)) } ?? 0,
            spikes: 0)
        var priced = KernelChooser(template: template, policy: convolutionKernel, activity: known)
        KernelSelection.forEachKernel(&priced)
        // Every price at Int64.max (none today): the first priced candidate, as the policy
        // would have run it alone.
        guard priced.choice.ordinal >= 0 else { return first.lone }
        priced.choice.activity = known
        return priced.choice
    }

    /// Runs weighted layer `w` (index `i`) with the kernel `selectKernel` picks, records it in
    /// the kernel log and adds the kernel's counters to `c`. `activity`: the input's non-zero
    /// values and spikes where the executor knows them (the layer-wise SNN always; the QNN when
    /// counting, non-zero values only), else nil.
    @inline(__always)
    func runWeighted(_ w: WeightedLayer, layer i: Int, timesteps t: Int, input: UnsafePointer<UInt8>,
                     activity: InputActivity?, readout: Readout, counting: Bool, into c: inout EventCounters) {
        let template = kernelRequest(w, layer: i, timesteps: t)
        let choice = selectKernel(template, input: input, activity: activity)
        var runner = KernelRunner(template: template, interpreter: self, input: input,
                                  readout: readout, counting: counting, activity: activity ?? choice.activity, target: choice.ordinal,
                                  targetInput: choice.input, choice: choice, counters: c)
        KernelSelection.forEachKernel(&runner)
        if runner.ran == nil {  // the target gave way to the runner-up, later in the list or earlier
            runner.ordinal = 0
            KernelSelection.forEachKernel(&runner)
        }
        c = runner.counters
        if let ran = runner.ran { log(ran, layer: i) }
    }
}

// MARK: Instruction sets — what the build's defines (`Package.swift`'s table, `JOULE_ISA`) select

/// Which block of the dense convolution this build runs and its cost model prices: none (no
/// AVX2, or `JOULE_PLAIN_KERNELS`), the AVX2 `vpmaddubsw` block, the AVX-512 VNNI `vpdpbusd`
/// block (`x86/DenseConvolutionVNNI.swift`), or the ARM dot-product block
/// (`arm/DenseConvolutionNEON.swift`; it runs where the CPU has `sdot`, or its plain C on other
/// hosts). Tests and reports read it; the kernels do not.
public enum DenseBlock: Sendable {
    case none, avx2, avx512VNNI, armDot

    public static var built: DenseBlock {
        #if JOULE_ARM_NEON && !JOULE_PLAIN_KERNELS
        return .armDot
        #elseif JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
        #if JOULE_AVX512VNNI
        return .avx512VNNI
        #else
        return .avx2
        #endif
        #else
        return .none
        #endif
    }
}

extension KernelCoefficients {
    /// The coefficients of this build's target (`KernelCoefficients.swift`).
    public static var built: KernelCoefficients {
        #if JOULE_ARM_NEON && !JOULE_PLAIN_KERNELS
        return DenseDotKernel.hasDotProduct ? .aarch64Dot : .aarch64Plain
        #elseif JOULE_AVX2 && arch(x86_64) && !JOULE_PLAIN_KERNELS
        #if JOULE_AVX512VNNI
        return .x86AVX512VNNI
        #else
        return .x86AVX2
        #endif
        #else
        return .portable
        #endif
    }
}

/// The instruction-set variants of portable kernels' inner loops: each hook runs this build's
/// wide variant (`x86/`, `arm/`) over the longest prefix it covers and returns how far it got;
/// the portable loop finishes the rest.
enum InstructionSet {
    /// Whether fully connected layers over bytes take the plain gather's flat walk (input `i`
    /// meets weight row `i`): everywhere but `JOULE_PLAIN_KERNELS` builds (Cortex-M firmware),
    /// which keep the window loops to save flash.
    static var flatFullyConnected: Bool {
        #if JOULE_PLAIN_KERNELS
        return false
        #else
        return true
        #endif
    }

    /// Whether the streaming neuron update (`Spiking/StreamingFire.swift`) takes eight channels at
    /// a time in 64-bit vector lanes: everywhere but `JOULE_PLAIN_KERNELS` builds (Cortex-M
    /// firmware: no vector registers, 64-bit lanes would be emulated), which compare each neuron's
    /// sums in 32 bits against per-step thresholds where the plan gives their table.
    static var laneNeuronUpdate: Bool {
        #if JOULE_PLAIN_KERNELS
        return false
        #else
        return true
        #endif
    }

    /// Adds one spike's weight row (`bits`-bit weights) to `count` int16 membranes with the
    /// target's own instructions where it has them (ARM DSP builds, int8 rows:
    /// `Kernels/arm/DSPSpikeRow.swift`) and returns true; false: the caller adds it in Swift.
    @inline(__always)
    static func addSpikeRow16(_ row: UnsafeRawPointer, bits: Int, into acc: UnsafeMutablePointer<Int16>, count: Int) -> Bool {
        #if JOULE_ARM_DSP
        if bits == 8 {
            DSPSpikeRow.add(row, into: acc, count: count)
            return true
        }
        #endif
        return false
    }

    /// Whether the dense convolution multiplies the model input's bytes (up to 255) as they are
    /// (AVX-512 VNNI `vpdpbusd`: unsigned bytes × int8 into int32, exactly; ARM `udot` with the
    /// weights offset, `arm/DenseConvolutionNEON.swift`) rather than as pairs
    /// of 16-bit values (`DenseScratch.wide`).
    static var denseTakesInputBytes: Bool {
        #if JOULE_AVX512VNNI || JOULE_ARM_NEON
        return true
        #else
        return false
        #endif
    }

    /// Non-zero bytes among a prefix of the `count` bytes at `p`: `(bytes covered, non-zero)`.
    @inline(__always)
    static func nonZeroPrefix(_ p: UnsafeRawPointer, count: Int) -> (covered: Int, nonZero: UInt64) {
        #if JOULE_AVX512VNNI && arch(x86_64)
        return ByteCountsAVX512.nonZero(p, count: count)
        #else
        return (0, 0)
        #endif
    }

    /// Non-zero bytes and their sum among a prefix of the `count` bytes at `p`.
    @inline(__always)
    static func nonZeroAndSumPrefix(_ p: UnsafeRawPointer, count: Int) -> (covered: Int, nonZero: UInt64, sum: UInt64) {
        #if JOULE_AVX512VNNI && arch(x86_64)
        return ByteCountsAVX512.nonZeroAndSum(p, count: count)
        #else
        return (0, 0, 0)
        #endif
    }

    /// `PoolingLayer.unvisited` in this build's wide variant, or nil where it has none for the
    /// layer's shape.
    @inline(__always)
    static func unvisited(_ pool: PoolingLayer, _ input: UnsafePointer<UInt8>) -> (nonZero: UInt64, sum: UInt64)? {
        #if JOULE_AVX512VNNI && arch(x86_64)
        return ByteCountsAVX512.unvisited(pool, input)
        #else
        return nil
        #endif
    }
}
