/// Bytes one layer needs in the arena, per execution mode.
///
/// The host packer sizes its arena plan with these same functions and the runtime re-checks the
/// plan against them, so plan and kernels cannot disagree.
///
/// - `output`: what the layer leaves for its consumers — activation codes / spike counts
///   (1 byte per neuron; QNN codes in a plan with `codeBits > 0`: bit-packed,
///   `PackedCodes.bytes(count:bits:)`), a streaming spike map (1 bit per neuron, `SpikeBits`), or
///   the final scores (8 bytes per class, int64).
/// - `scratch`: live only while the layer runs (int32 accumulators).
/// - `fastScratch`: the scratch with which the vectorised event gather (`EventGather.swift`) can
///   run the layer — accumulators, tap prefix sums of the non-zero weight counts and the event lists of `kernelH` input rows —
///   or 0 where it does not apply. Plans made with it (packmodel's default) run fast; a plan
///   with only `scratch` (packmodel `--compact`) is valid and runs the plain kernels.
/// - `denseScratch`: the scratch with which both the dense paired-dot convolution
///   (`x86/DenseConvolutionAVX2.swift`, x86 with AVX2: channels-last input copy, one interleaved weight
///   span, group masks, thresholds) and the event scatter (`EventScatter.swift`: one band of
///   accumulators, thresholds) can run the layer in the QNN — the larger of the two — and with
///   which the layer-wise SNN can run it: the dense convolution over spike counts (or the model
///   input) and, for a spiking layer, the event scatter over spike trains (the same band and a
///   list of its firing inputs), the larger; 0 where none applies. Planned like
///   `fastScratch` (by shape, on every host, so a plan does not depend on where it was made).
/// - `state`: SNN streaming only, live for the whole run: membranes and spike counts at the
///   narrowest exact width, the analog first layer's spike trains, max pooling's running counts
///   (`Spiking/StreamingState.swift`). Sized for the `T` the plan serves; validation asks for
///   what `T = 1` needs and each run checks its own `T` (`timestepsExceedPlan`).
public struct BufferRequirements: Equatable, Sendable {
    public var output: Int
    public var scratch: Int
    public var state: Int
    public var fastScratch: Int
    public var denseScratch: Int

    public init(output: Int, scratch: Int, state: Int, fastScratch: Int = 0, denseScratch: Int = 0) {
        self.output = output
        self.scratch = scratch
        self.state = state
        self.fastScratch = fastScratch
        self.denseScratch = denseScratch
    }

    /// Scratch bytes the planner gives the layer: the largest of `scratch`, `fastScratch` and
    /// `denseScratch` when `compact` is false, else `scratch`.
    public func plannedScratch(compact: Bool) -> Int {
        compact ? scratch : max(max(scratch, fastScratch), denseScratch)
    }

    /// The requirements of `layer` when run in `mode`. `codeBits`: the plan's packed code width
    /// (QNN only; 0 = one byte per code). `timesteps`: the streaming runs the plan must serve,
    /// those up to `T` (its state is sized for `T`; `nil`: every `T` up to 255).
    public static func of(_ layer: LayerRecord, mode: ExecutionMode, codeBits: Int = 0,
                          timesteps: Int? = nil) -> BufferRequirements {
        let n = layer.outputCount
        let output = layer.activation == .none ? layer.outC * 8
            : mode == .qnn && codeBits > 0 ? PackedCodes.bytes(count: n, bits: codeBits)
            : mode == .snnStreaming ? SpikeBits.bytes(count: n) : n
        let scratch: Int
        var state = 0
        switch (layer.kind, mode) {
        case (.conv2d, .qnn), (.linear, .qnn):
            scratch = layer.outC * 4
        case (.conv2d, .snnStreaming), (.linear, .snnStreaming):
            // The analog first layer's per-pixel gather at step 1; spikes go straight into the
            // state; hidden layers without a residual input get the neuron update's threshold
            // table (`StreamingNeurons.thresholdTableBytes`).
            scratch = layer.readsModelInput ? layer.outC * 4
                : StreamingNeurons.thresholdTableBytes(layer, timesteps: timesteps ?? WeightedLayer.maxThresholdTimesteps)
        case (.conv2d, _), (.linear, _):
            // Analog input: per-pixel gather as in the QNN; spikes: whole-layer scatter target.
            scratch = layer.readsModelInput ? layer.outC * 4 : n * 4
        case (.avgPool, .qnn), (.maxPool, _), (.avgPool, .snnStreaming):
            scratch = 0
        case (.avgPool, _):
            scratch = n * 4
        }
        if mode == .snnStreaming {
            // Validation asks for `timesteps: 1`: the least any run needs; the packer for the
            // preferred form of every run up to the plan's `T`.
            state = timesteps == 1 ? StreamingState.requiredBytes(layer, timesteps: 1)
                : StreamingState.plannedBytes(layer, upTo: timesteps)
        }
        // The kernels' layouts, planned by shape on every target (`KernelSelection.swift`).
        let fastScratch = EventScratch.planned(layer, mode: mode)
        let denseScratch = max(DenseScratch.planned(layer, mode: mode), ScatterScratch.planned(layer, mode: mode))
        return BufferRequirements(output: output, scratch: scratch, state: state, fastScratch: fastScratch,
                                  denseScratch: denseScratch)
    }
}
