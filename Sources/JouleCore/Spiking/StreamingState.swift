/// The state a layer keeps for the whole streaming run (its `state` buffer), at a narrow width
/// that is exact for the run's `T`.
///
/// A weighted layer's membrane after step `t` is `V = M_j · A + t · B_j + (R − N) · 2^S` (the
/// int64 value the integrate-and-fire neuron holds), where `A` is the sum of the accumulators of
/// its input spikes so far, `N` its own spikes so far and `R` the spikes of its residual input so
/// far; it fires when `V ≥ 2^S`. So the state is `A` and the counts; `V` is formed in 64 bits for
/// the compare only. One step changes `A` by at most `b = max_j max(Σ⁺_j, Σ⁻_j)` (the largest total
/// of one channel's positive or negative weights) either way, so `|A| ≤ T · b`. The packer stores
/// `b` in the layer record (`LayerRecord.streamWeightBound`, checked against the weights by
/// `PackedModel.open`).
///
/// **Split membranes** (`b ≤ 21845`): `A = H · K + L` with `K = 65536 − 2b` and, between steps,
/// `0 ≤ L < K`. `L` is an int16 the step's spikes are added to with wrapping adds; since the step
/// adds at most `b` either way, the true `L` afterwards lies in `[−b, K − 1 + b]`, an interval of
/// 65,536 values, so its 16 bits identify it. The neuron update recovers `L`, forms `A`, fires, and
/// moves `L` back into `[0, K)` by carrying one `K` into or out of `H`. `H` (between
/// `⌊−T·b / K⌋` and `⌊T·b / K⌋`) and `N` share one byte: `N` in the low `bits(T)` bits, `H` in two's
/// complement above them (a zero byte is `H = N = 0`); a layer whose `H` range does not fit there
/// keeps wide membranes.
///
/// **Wide membranes**: `A` in int32 (always exact: `|acc| < 2^31` for `T ≤ 255` is validated) and
/// `N` in a byte; files written before the bound (version 1.0) run this way.
///
/// Layouts (all arrays channels-last, element `(y · W + x) · C + c`, packed one after the other
/// from the region's start; every access to them is unaligned-safe):
/// - weighted layer fed by spikes, and the output layer: split `L` (int16) then the `H`/`N` byte
///   (3 bytes per neuron), or wide `A` (int32) then `N` (uint8); with a residual input, then `R`
///   (uint8).
/// - weighted layer reading the model input (its input current is constant, so its spike train is
///   known from the start, `StreamingInput`): for `T ≤ maxTrainTimesteps`, the `T` spike maps
///   (`SpikeBits`, `ceil(n/8)` bytes each), computed at step 1; above it, where they do not fit
///   the region, and for an output layer reading the model input, `acc` (int32 per neuron), from
///   which each step's spikes (or scores) are computed.
/// - weighted layer of leaky neurons (any `NeuronModel` but integrate-and-fire, whose membrane
///   the decay keeps from splitting into `A` and `N`): `V` (int64), then the step's input sum
///   (fed by spikes: int16 where the stated bound `b ≤ 32767`, so one step's sum is exact in 16
///   bits, else int32; cleared after each update) or the model input's `acc` (int32, computed at
///   step 1), then one byte per neuron: 1 if it fired in the last step (`LeakyNeurons`).
/// - average pooling: over 1, 2, 4 or 8 inputs, `log2(window)` bit planes of the membrane (each a
///   `SpikeBits` map, `StreamingPooling.swift`); else (or where the planes do not fit the region)
///   the membrane per neuron (uint8 when the window has ≤ 128 inputs, so that it stays below
///   `2 · window`, else int32).
///
/// Which form a layer takes follows from `T`, its bound and the size of its state region
/// (`form(_:timesteps:stateBytes:)`), so a plan decides it ahead of time and the same file gives
/// the same results on every target.
/// - max pooling: the running spike count of every input (uint8, `inputCount`), then of every
///   output.
public enum StreamingState {
    /// Largest `T` for which a layer reading the model input keeps its whole spike train.
    public static let maxTrainTimesteps = 32
    /// Largest window whose average-pooling membrane fits a byte.
    static let byteMembraneWindow = 128
    /// Largest weight bound `b` for split membranes: one carry per step needs `b < K`.
    public static let maxSplitBound = 21845
    /// Largest weight bound `b` for a leaky layer's int16 step sums (one step's sum is in `±b`).
    public static let maxNarrowStepSumBound = 32767

    /// The constants of split membranes for one layer and `T`.
    struct Split: Equatable {
        /// `b`: the most one step moves `A` either way.
        var bound: Int
        /// `K = 65536 − 2b`.
        var modulus: Int
        /// Bits of the shared byte that hold `N`.
        var countBits: Int

        /// Split constants for bound `b` and `T` steps, or nil when `b` is unknown (0), too large,
        /// or `H` and `N` do not share a byte.
        init?(bound b: Int, timesteps t: Int) {
            guard b > 0, b <= StreamingState.maxSplitBound else { return nil }
            bound = b
            modulus = 65536 - 2 * b
            let extreme = t * b
            let highMin = -((extreme + modulus - 1) / modulus)  // ⌊−T·b / K⌋
            let highMax = extreme / modulus
            countBits = Requantize.codeBits(timesteps: t)
            guard countBits < 8, highMin >= -(1 << (7 - countBits)), highMax < 1 << (7 - countBits) else { return nil }
        }
    }

    /// How a layer keeps its state in a run of `T` steps.
    enum Form: Equatable {
        /// Split membranes: `L` (int16), then `H` and `N` in a byte.
        case split(Split)
        /// Wide membranes: `A` (int32), then `N`.
        case wide
        /// The `T` spike maps of a layer reading the model input.
        case trains
        /// The int32 accumulator of a layer reading the model input.
        case inputAccumulators
        /// Average pooling at `membraneBytes` (1 or 4).
        case pooling(membraneBytes: Int)
        /// Average pooling over `2^planes` ≤ 8 inputs: `planes` bit maps of the membrane's bits.
        case poolingBits(planes: Int)
        /// Max pooling counts.
        case maxPoolCounts
        /// Leaky neurons fed by spikes: `V` (int64), step sums of `sumBytes` (2 or 4), spike bytes.
        case leaky(sumBytes: Int)
        /// Leaky neurons reading the model input: `V` (int64), `acc` (int32), spike bytes.
        case leakyInput
    }

    /// The form `layer` takes in a run of `t` steps with a state region of `stateBytes` bytes:
    /// the preferred one where it fits (split membranes, the first layer's trains, bit-plane
    /// pooling membranes), else the fallback (wide membranes, the first layer's accumulators,
    /// byte or int32 pooling membranes). Plans made before version 1.1 gave every layer room for
    /// a fallback, so they keep running every `T` they ran.
    static func form(_ layer: LayerRecord, timesteps t: Int, stateBytes: Int) -> Form {
        let preferred = preferredForm(layer, timesteps: t)
        return bytes(preferred, layer, timesteps: t) <= stateBytes ? preferred : fallbackForm(layer)
    }

    static func preferredForm(_ layer: LayerRecord, timesteps t: Int) -> Form {
        switch layer.kind {
        case .conv2d, .linear:
            if !layer.neuron.isIntegrateAndFire {
                guard !layer.readsModelInput else { return .leakyInput }
                return .leaky(sumBytes: (1...maxNarrowStepSumBound).contains(layer.streamWeightBound) ? 2 : 4)
            }
            if layer.readsModelInput {
                return t <= maxTrainTimesteps && layer.activation == .quant ? .trains : .inputAccumulators
            }
            return Split(bound: layer.streamWeightBound, timesteps: t).map { .split($0) } ?? .wide
        case .avgPool:
            let window = layer.kernelH * layer.kernelW
            if window <= 8 && window & (window - 1) == 0 { return .poolingBits(planes: window.trailingZeroBitCount) }
            return fallbackForm(layer)
        case .maxPool:
            return .maxPoolCounts
        }
    }

    static func fallbackForm(_ layer: LayerRecord) -> Form {
        switch layer.kind {
        case .conv2d, .linear:
            if !layer.neuron.isIntegrateAndFire { return layer.readsModelInput ? .leakyInput : .leaky(sumBytes: 4) }
            return layer.readsModelInput ? .inputAccumulators : .wide
        case .avgPool: return .pooling(membraneBytes: layer.kernelH * layer.kernelW <= byteMembraneWindow ? 1 : 4)
        case .maxPool: return .maxPoolCounts
        }
    }

    /// Bytes per neuron of the membranes of a weighted layer in `form` (`.split` or `.wide`).
    @inline(__always)
    static func membraneBytes(_ form: Form) -> Int {
        if case .split = form { return 2 }
        return 4
    }

    /// Offset of the counts (`N`, or the shared `H`/`N` byte) after the membranes.
    @inline(__always)
    static func countsOffset(_ layer: LayerRecord, membraneBytes: Int) -> Int {
        layer.outputCount &* membraneBytes
    }

    /// Offset of the residual counts `R` after the counts.
    @inline(__always)
    static func residualOffset(_ layer: LayerRecord, membraneBytes: Int) -> Int {
        countsOffset(layer, membraneBytes: membraneBytes) &+ layer.outputCount
    }

    /// Bytes per neuron of a leaky layer's membrane `V`.
    static let leakyMembraneBytes = 8

    /// Bytes of `layer`'s state in `form` for a run of `t` steps.
    static func bytes(_ form: Form, _ layer: LayerRecord, timesteps t: Int) -> Int {
        let n = layer.outputCount
        switch form {
        case .split, .wide:
            return residualOffset(layer, membraneBytes: membraneBytes(form)) &+ (layer.residualIndex >= 0 ? n : 0)
        case .trains:
            return t &* SpikeBits.bytes(count: n)
        case .inputAccumulators:
            return n &* 4
        case .pooling(let w):
            return n &* w
        case .poolingBits(let planes):
            return planes &* SpikeBits.bytes(count: n)
        case .maxPoolCounts:
            return PackedFormat.aligned(layer.inputCount) &+ n
        case .leaky(let sumBytes):
            return n &* (leakyMembraneBytes &+ sumBytes &+ 1)
        case .leakyInput:
            return n &* (leakyMembraneBytes &+ 4 &+ 1)
        }
    }

    /// The least state a run of `t` steps needs: its smaller form. A region of fewer bytes is
    /// refused (`timestepsExceedPlan`); validation asks every plan for what `t = 1` needs.
    public static func requiredBytes(_ layer: LayerRecord, timesteps t: Int) -> Int {
        min(bytes(preferredForm(layer, timesteps: t), layer, timesteps: t), bytes(fallbackForm(layer), layer, timesteps: t))
    }

    /// The state the packer gives `layer` so that every run of 1…`t` steps takes its preferred
    /// form (`nil`: `t` = 255).
    public static func plannedBytes(_ layer: LayerRecord, upTo t: Int?) -> Int {
        var most = 0
        for steps in 1...(t ?? 255) { most = max(most, bytes(preferredForm(layer, timesteps: steps), layer, timesteps: steps)) }
        return most
    }

    /// `max_j max(Σ⁺_j, Σ⁻_j)` of weighted layer `layer`'s packed weight rows at `rows`.
    static func weightBound(rows: UnsafeRawPointer, _ layer: LayerRecord) -> Int {
        var bound = 0
        for j in 0..<layer.outC {
            var positive = 0, negative = 0
            for r in 0..<layer.rowCount {
                let q = Int(WeightRow.weight(rows + r &* layer.rowBytes, index: j, bits: layer.weightBits))
                if q > 0 { positive &+= q } else { negative &-= q }
            }
            bound = max(bound, max(positive, negative))
        }
        return bound
    }
}
