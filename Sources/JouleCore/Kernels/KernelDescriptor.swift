/// How a kernel is described to the one selection (`KernelSelection.swift`): one descriptor per
/// kernel × instruction set, a type with static members only (no instances, no existentials —
/// Embedded Swift), visited through `WeightedKernelVisitor`.

/// How a weighted layer's input reaches a kernel.
public enum KernelInput: UInt8, Sendable {
    /// Multi-valued inputs `0…maxValue`: QNN activation codes, or the model input's bytes (QNN and
    /// the layer-wise SNN's analog first layer).
    case values = 0
    /// A layer-wise SNN layer's input spike counts `0…T`, run as values: a neuron of that schedule
    /// fires on the total its window integrated over the `T` steps, and the total of an input's
    /// `c` spikes is `c ·` its weight row — the same sums, a multiply-add per firing input instead
    /// of `c` accumulates. The counters still count the spike trains.
    case spikeCounts = 1
    /// A layer-wise SNN layer's input spike trains (the evenly spread trains of
    /// `Requantize.spikes`): an accumulate per spike and synapse.
    case spikeTrains = 2
}

/// The activity of a layer's input that prices its kernels: non-zero values and their sum (for
/// spike counts, the spikes).
public struct InputActivity: Sendable {
    public var nonZero: Int
    public var spikes: Int

    public init(nonZero: Int, spikes: Int) {
        self.nonZero = nonZero
        self.spikes = spikes
    }
}

/// One weighted layer as the selection offers it to a kernel: which layer, in which mode and
/// plan, with which input form, at which `T`.
struct KernelRequest {
    /// The layer's index in the model and its weights.
    let layer: Int
    let weighted: WeightedLayer
    let mode: ExecutionMode
    let input: KernelInput
    let timesteps: Int
    /// Bytes of scratch the plan gives the layer, and the plan's packed code width (0: one byte
    /// per value).
    let scratchBytes: Int
    let codeBits: Int

    var record: LayerRecord { weighted.record }

    /// The largest input value the kernel meets: 255 for the model input's bytes, `T` for codes
    /// and spike counts, 1 for spike trains (a step's spikes).
    var maxValue: Int {
        input == .spikeTrains ? 1 : (record.readsModelInput ? 255 : timesteps)
    }

    /// Whether the layer's outputs are codes (spike counts), not the final scores, and it has no
    /// residual input: the form the threshold-table kernels (dense convolution, event scatter)
    /// write.
    var writesPlainCodes: Bool { record.activation != .none && record.residualIndex < 0 }

    /// Whether the plan stores one byte per value and gave the layer at least `bytes` of scratch:
    /// what every kernel but the plain ones needs (packed codes are read by the plain kernels only).
    func planGives(_ bytes: Int) -> Bool { codeBits == 0 && bytes > 0 && scratchBytes >= bytes }
}

/// A kernel for weighted (convolution, fully connected) layers.
///
/// Contract: every kernel that `supports` a request gives the same outputs and the same counters
/// for it, bit for bit (the agreement tests hold each kernel to the plain ones); kernels differ in
/// speed only, which `price` estimates.
protocol WeightedKernel {
    /// The name a run records in its kernel log.
    static var kernel: LayerKernel { get }
    /// Which policy family the kernel belongs to (`ConvolutionKernelPolicy`).
    static var family: KernelFamily { get }
    /// Whether this build can run the request: instruction set, shape, weight width, value range,
    /// mode, input form, `T` and the plan's scratch.
    static func supports(_ request: KernelRequest) -> Bool
    /// Whether the cost model prices the kernel for this request (by shape alone): false for the
    /// plain kernels (the fallbacks) and for layers a kernel supports but never pays on.
    static func isPriced(_ request: KernelRequest) -> Bool
    /// Estimated picoseconds for an input of `activity` (`KernelCost.swift`), where `isPriced`.
    static func price(_ request: KernelRequest, activity: InputActivity) -> Int64
    /// Readies input-dependent state in the layer's scratch before `run` and returns a refined
    /// price where that state makes one (nil: unchanged). Called on the chosen kernel; where its
    /// refined price is no lower than the runner-up's (priced policies), the layer goes to the
    /// runner-up instead, whose `prepare` then runs before its `run`. `activity` is nil where
    /// the selection did not need it.
    static func prepare(_ request: KernelRequest, _ x: Interpreter, input: UnsafePointer<UInt8>,
                        activity: InputActivity?) -> Int64?
    /// Runs the layer — its outputs: codes, spike counts or scores — and, when `counting`,
    /// returns the tally of its synaptic events (from its own walk, or one counting pass over
    /// the input): multiplies (values) or accumulates (spike counts and trains, each input
    /// weighed by its spikes) with non-zero weights, weight rows read, and, over spikes, the
    /// spikes. The selection turns the tally into counters, the same way for every kernel
    /// (`Interpreter.setKernelCounters`). `activity`: the input's, where the executor or the
    /// selection knew it, else nil.
    static func run(_ request: KernelRequest, _ x: Interpreter, input: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally
    /// Bytes of model-only data the kernel lays out ahead for `layer` (`Interpreter.prepack`);
    /// 0 for none.
    static func prepackBytes(_ layer: LayerRecord) -> Int
    /// Lays out that data at `at` (`prepackBytes` bytes, 32-byte aligned); `tapPrefix` is the
    /// layer's prepacked tap prefix sums, or nil.
    static func prepack(_ weighted: WeightedLayer, at: UnsafeMutableRawPointer, tapPrefix: UnsafePointer<UInt32>?)
}

extension WeightedKernel {
    static func isPriced(_ request: KernelRequest) -> Bool { family != .plain }
    static func price(_ request: KernelRequest, activity: InputActivity) -> Int64 { Int64.max }
    static func prepare(_ request: KernelRequest, _ x: Interpreter, input: UnsafePointer<UInt8>,
                        activity: InputActivity?) -> Int64? { nil }
    static func prepackBytes(_ layer: LayerRecord) -> Int { 0 }
    static func prepack(_ weighted: WeightedLayer, at: UnsafeMutableRawPointer, tapPrefix: UnsafePointer<UInt32>?) {}
}

/// The kernel families the policies name (`ConvolutionKernelPolicy`).
enum KernelFamily: UInt8 {
    /// Scalar kernels over every layer (the plain gather, the plain per-spike scatter).
    case plain
    /// The vectorised event gather.
    case eventGather
    /// The event scatter.
    case eventScatter
    /// The dense convolution.
    case dense
}

/// Visits kernel descriptors (`KernelSelection.forEachKernel`).
protocol WeightedKernelVisitor {
    mutating func visit<K: WeightedKernel>(_ kernel: K.Type)
}
