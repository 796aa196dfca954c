import JouleCore

/// The cost model's terms (`KernelCost.swift`) of the kernel each weighted layer ran, for
/// `joule bench --json` and `Tools/fit-kernel-costs`, which fits the coefficients
/// (`KernelCoefficients.swift`) to the layers' times.
///
/// A layer's input activity is its producer's QNN output — non-zero codes and their sum; the
/// layer-wise SNN's spike counts equal the QNN's codes — or, for the layers that read the model
/// input, the input bytes'. Terms are given only where the log and the policy tell which cost
/// function the kernel's run follows and its work is known; nil elsewhere (see `terms`).
public enum KernelCostTerms {
    /// A layer's input: its non-zero values and their sum (spike counts: the spikes).
    public struct Activity: Sendable, Equatable {
        public var nonZero: Int
        public var sum: Int
        public init(nonZero: Int, sum: Int) {
            self.nonZero = nonZero
            self.sum = sum
        }
    }

    /// The terms of one layer's run and the cost function (a field of `KernelCoefficients`:
    /// `eventGather`, `eventScatter`, `spikeGather`, `spikeScatter`, `dense`) that prices them.
    public struct Entry: Sendable, Equatable {
        public var function: String
        public var terms: SIMD8<Int64>
        public init(function: String, terms: SIMD8<Int64>) {
            self.function = function
            self.terms = terms
        }
    }

    /// Every layer's input activity (nil for layers that read no weights) on `input` at `T`, from
    /// one counting QNN run.
    public static func activity(file: PackedModelFile, input: [UInt8], timesteps t: Int) throws -> [Activity?] {
        let runner = try ModelRunner(file: file, mode: .qnn, prepack: false)
        let counters = try runner.run(input: input, timesteps: t, counting: true).counters
        let model = file.model
        let fromInput = input.withUnsafeBufferPointer { ByteCounts.nonZeroAndSum($0.baseAddress!, count: $0.count) }
        return (0..<model.layerCount).map { i in
            let r = model.layer(i)
            guard r.isWeighted else { return nil }
            if r.readsModelInput {
                return Activity(nonZero: Int(truncatingIfNeeded: fromInput.nonZero), sum: Int(truncatingIfNeeded: fromInput.sum))
            }
            let c = counters[r.inputIndex]
            return Activity(nonZero: Int(truncatingIfNeeded: c.outputEvents), sum: Int(truncatingIfNeeded: c.outputLevelSum))
        }
    }

    /// The terms of the kernel `kernels[i]` that layer `i` ran in `mode` under `policy`, or nil:
    /// - pooling, the plain kernels (unpriced), the streaming SNN;
    /// - the layer-wise SNN's event scatter under `automatic`: it may run over the spike trains
    ///   or the counts, and the log does not say which (`events` allows the trains only, `dense`
    ///   the counts only: those are known);
    /// - the dense convolution where it masks the input's groups (the layer can mask, and the
    ///   policy is `dense`, which always masks, or the input is at most a quarter non-zero): the
    ///   active groups are not observable.
    public static func terms(file: PackedModelFile, mode: ExecutionMode, policy: ConvolutionKernelPolicy,
                             kernels: [LayerKernel], activity: [Activity?], timesteps t: Int) -> [Entry?] {
        let model = file.model
        return (0..<model.layerCount).map { i -> Entry? in
            let r = model.layer(i)
            guard r.isWeighted, i < kernels.count, i < activity.count, let a = activity[i] else { return nil }
            return entry(WeightedLayer(r, in: model), mode: mode, policy: policy, kernel: kernels[i], activity: a, timesteps: t)
        }
    }

    /// `terms` of one layer.
    public static func entry(_ w: WeightedLayer, mode: ExecutionMode, policy: ConvolutionKernelPolicy, kernel: LayerKernel,
                             activity a: Activity, timesteps t: Int) -> Entry? {
        let r = w.record
        switch (mode, kernel) {
        case (.snnStreaming, _), (_, .plainGather), (_, .dspGather), (_, .plainScatter), (_, .pooling):
            return nil
        case (.qnn, .eventGather):
            return Entry(function: "eventGather", terms: w.gatherTerms(nonZero: a.nonZero))
        case (.qnn, .eventScatter):
            return Entry(function: "eventScatter",
                         terms: w.scatterTerms(nonZero: a.nonZero, maxValue: r.readsModelInput ? 255 : t))
        case (.snnLayerwise, .eventGather):
            // The analog first layer over its bytes; a spiking layer one pass per step over its trains.
            return r.readsModelInput ? Entry(function: "eventGather", terms: w.gatherTerms(nonZero: a.nonZero))
                : Entry(function: "spikeGather", terms: w.spikeGatherTerms(spikes: a.sum, timesteps: t))
        case (.snnLayerwise, .eventScatter):
            // `KernelSelection.allows`: `scatter` and `events` offer the trains only, `dense` the
            // counts only; `automatic` both.
            switch policy {
            case .eventScatter, .eventDriven:
                return Entry(function: "spikeScatter", terms: w.spikeScatterTerms(spikes: a.sum, timesteps: t))
            case .dense:
                return Entry(function: "eventScatter", terms: w.scatterTerms(nonZero: a.nonZero, maxValue: t))
            case .automatic, .eventGather:
                return nil
            }
        case (_, .denseConvolution):
            // `DenseConvolutionKernel.prepare`: masks where the layer can, always under `dense`,
            // else for inputs at most a quarter non-zero.
            let groups = w.denseGroups
            let masked = groups.maskable && (policy == .dense || a.nonZero * 4 < r.inputCount)
            return masked ? nil : Entry(function: "dense", terms: w.denseTerms(activeGroups: groups.all))
        }
    }
}
