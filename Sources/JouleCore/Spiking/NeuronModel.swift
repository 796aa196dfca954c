/// The neuron of a weighted layer in the SNN: layer record bytes 56…59 (format 1.2; all zero,
/// the integrate-and-fire neuron, before).
///
/// With membrane `V` (int64, threshold `θ = 2^S`, `S` the layer's shift) and input current
/// `I_t = M_j · a_t + B_j + r_t · θ` at step `t` (`a_t` the accumulator of the step's input, `r_t`
/// its residual spike), a neuron does
///
///     V ← leak(resetToZero ∧ resetAfterLeak ∧ spiked at t − 1 ? 0 : V) + I_t
///           − (resetAfterLeak ∧ ¬resetToZero ∧ spiked at t − 1 ? θ : 0)
///     spike at t ⇔ (fireAboveThreshold ? V > θ : V ≥ θ)
///     after a spike, unless resetAfterLeak: V ← (resetToZero ? 0 : V − θ)
///
/// with `leak(V) = ⌊V · m / 2^s⌋` (floor, exact in 64 bits: `(V >> s) · m + ((V mod 2^s) · m) >> s`)
/// for leak multiplier `m` and leak shift `s`, or `leak(V) = V` when `s = 0`. So:
/// - all zero is integrate-and-fire with reset by subtraction, the QNN's twin (the runtime's
///   other paths, bit for bit as before the field);
/// - `β = m / 2^s` with `fireAboveThreshold` and `resetAfterLeak` is snnTorch's `Leaky` with
///   `reset_mechanism="subtract"` and its default `reset_delay=True`
///   (`U_t = β·U_{t−1} + I_t − θ·S_{t−1}`, `S_t = [U_t > θ]`); with `resetToZero` as well it is
///   `reset_mechanism="zero"` (`U_t = β·(1 − S_{t−1})·U_{t−1} + I_t`). Where `V · m` is a multiple of
///   `2^s` at every step (membrane values with `s · T` spare fractional bits) the floor never
///   rounds and the spikes equal snnTorch's exact (float64) ones. Without `resetAfterLeak` the
///   reset is immediate; that is not snnTorch's `reset_delay=False`, which decides a spike on
///   `V − θ` whenever the previous reset left `V > θ` (the two agree while no membrane exceeds
///   `2θ`; `Tools/importer/tests/test_leaky_snntorch.py` measures the difference).
///
/// Only the streaming schedule runs a neuron other than integrate-and-fire: such a model has no
/// QNN twin and no layer-wise schedule (`Interpreter` refuses them, `neuronsNeedStreaming`).
public struct NeuronModel: Equatable, Sendable {
    /// `m`, `0 ≤ m < 2^s`; 0 when `s = 0`.
    public var leakMultiplier: Int
    /// `s`, 0 (no leak) or 1…`maxLeakShift`.
    public var leakShift: Int
    /// `fireAboveThreshold` | `resetAfterLeak` | `resetToZero`.
    public var flags: Int

    /// Flag: fire when `V > θ` (snnTorch's Heaviside), not `V ≥ θ`.
    public static let fireAboveThreshold = 1
    /// Flag: a spike's `θ` is subtracted at the next step, after the leak (snnTorch's
    /// `reset_delay=True`), not right after the spike.
    public static let resetAfterLeak = 2
    /// Flag: a spike resets the membrane to 0 instead of subtracting the threshold (snnTorch's
    /// `reset_mechanism="zero"`; with `resetAfterLeak`, at the next step before the leak).
    public static let resetToZero = 4
    /// Every flag this version defines.
    public static let knownFlags = 7
    /// Largest leak shift: keeps `(V mod 2^s) · m` below 2^32.
    public static let maxLeakShift = 16
    /// Integrate-and-fire (all fields zero).
    public static let integrateAndFire = NeuronModel(leakMultiplier: 0, leakShift: 0, flags: 0)

    public init(leakMultiplier: Int, leakShift: Int, flags: Int) {
        self.leakMultiplier = leakMultiplier
        self.leakShift = leakShift
        self.flags = flags
    }

    /// True for the integrate-and-fire neuron (no leak, no flag).
    @inlinable public var isIntegrateAndFire: Bool { leakShift == 0 && leakMultiplier == 0 && flags == 0 }
    /// True when the membrane decays every step.
    @inlinable public var leaks: Bool { leakShift > 0 }

    /// True when the fields obey the format's rules (shift 0…16, multiplier below `2^shift`,
    /// known flags only).
    public var isValid: Bool {
        leakShift >= 0 && leakShift <= NeuronModel.maxLeakShift && leakMultiplier >= 0
            && leakMultiplier < 1 << leakShift && flags & ~NeuronModel.knownFlags == 0
    }

    /// `⌊v · m / 2^s⌋` (or `v` without leak). Exact for every int64 `v` (`m < 2^s` keeps both
    /// terms in range): `v = q · 2^s + r` with `0 ≤ r < 2^s`, so the floor is `q · m + ⌊r · m / 2^s⌋`.
    @inline(__always)
    public func leak(_ v: Int64) -> Int64 {
        guard leakShift > 0 else { return v }
        let s = Int64(widening: leakShift), m = Int64(widening: leakMultiplier)
        return (v &>> s) &* m &+ (((v & ((1 &<< s) &- 1)) &* m) &>> s)
    }
}
