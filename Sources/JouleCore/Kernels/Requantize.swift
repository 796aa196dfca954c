/// The integer activation of the papers and the integrate-and-fire emission it equals.
public enum Requantize {
    /// Bits of an activation code with `T + 1` levels: `ceil(log2(T + 1))` (1 for `T = 1`).
    @inlinable
    public static func codeBits(timesteps t: Int) -> Int {
        var bits = 0
        while (1 &<< bits) < t + 1 { bits += 1 }
        return bits
    }

    /// `clamp(floor(A / 2^S), 0, T)`: the code of pre-activation `A` (`Q_T` of the paper).
    @inlinable @inline(__always)
    public static func code(_ a: Int64, shift: Int, timesteps t: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: clampedShift(a, shift: shift, top: t))
    }

    /// `clamp(⌊a / 2^s⌋, 0, top)` for `0 ≤ s < 64`, `0 ≤ top < 2^31`. On 32-bit targets in
    /// 32-bit halves: a variable 64-bit shift there is a library call.
    @inlinable @inline(__always)
    public static func clampedShift(_ a: Int64, shift s: Int, top: Int) -> Int {
        #if _pointerBitWidth(_32)
        if a < 0 { return 0 }
        let hi = UInt32(truncatingIfNeeded: a &>> 32), lo = UInt32(truncatingIfNeeded: a)
        let q: UInt32
        if s >= 32 {
            q = hi &>> UInt32(truncatingIfNeeded: s &- 32)
        } else if s == 0 {
            if hi != 0 { return top }
            q = lo
        } else {
            if hi &>> UInt32(truncatingIfNeeded: s) != 0 { return top }  // ⌊a / 2^s⌋ ≥ 2^32
            q = (lo &>> UInt32(truncatingIfNeeded: s)) | (hi &<< UInt32(truncatingIfNeeded: 32 &- s))
        }
        return q > UInt32(truncatingIfNeeded: top) ? top : Int(q)
        #else
        let q = a &>> Int64(widening: s)  // arithmetic shift: floor division by 2^S
        // Branch-free clamp (select instructions): the sign of `q` is data, not predictable.
        let low = q < 0 ? 0 : q
        let high = Int64(widening: top)
        return Int(truncatingIfNeeded: low > high ? high : low)
        #endif
    }

    /// The codes of 8 int32 sums `a` from their tabulated thresholds (`fillCodeThresholds`):
    /// the lanes' `θ_1` at `thresholds`, `θ_{n+1}` `n · rowBytes` bytes further. `T` minus the
    /// thresholds each sum misses — the thresholds rise with `n`, so that is the number it
    /// reaches, its code.
    @inline(__always)
    static func codes(of a: SIMD8<Int32>, thresholds: UnsafeRawPointer, rowBytes: Int, timesteps t: Int) -> SIMD8<Int32> {
        let zero = SIMD8<Int32>(repeating: 0)
        var code = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: t))
        for n in 0..<t {
            // −1 in the lanes that miss threshold n + 1.
            let theta = thresholds.loadUnaligned(fromByteOffset: n &* rowBytes, as: SIMD8<Int32>.self)
            code &+= zero.replacing(with: -1, where: a .< theta)
        }
        return code
    }

    /// The smallest int32 accumulators whose code `clamp(⌊(m·a·k + offset) / 2^S⌋, 0, T)` reaches
    /// each level `n = 1…T`: `θ_n = ⌈(n · 2^S − offset) / (m · k)⌉`, clamped to the int32 range
    /// (a validated layer's accumulators stay strictly inside it, so clamping changes no
    /// comparison), written to `out[(n − 1) · stride]`. A code is then the number of thresholds
    /// its accumulator reaches. Two divisions in all: `θ_{n+1}` follows from `θ_n` and the
    /// quotient and remainder of `2^S / (m · k)`.
    /// - Precondition: `m · k > 0`, `T · 2^S` and `offset` below `2^60` in magnitude.
    @inlinable @inline(__always)
    public static func fillCodeThresholds(_ out: UnsafeMutablePointer<Int32>, stride: Int, timesteps t: Int,
                                          multiplier m: Int64, offset: Int64, shift: Int, scale k: Int64) {
        let scale = m &* k
        let step = Int64(1) &<< Int64(widening: shift)
        // θ_1 = ⌈x / scale⌉ with x = 2^S − offset; r = θ·scale − x ∈ [0, scale).
        let x = step &- offset
        var q = x >= 0 ? (x &+ scale &- 1) / scale : -((-x) / scale)
        var r = q &* scale &- x
        let whole = step / scale, part = step &- whole &* scale  // 2^S = whole · scale + part
        for n in 0..<t {
            out[n &* stride] = q < Int64(widening: Int32.min) ? Int32.min
                : (q > Int64(widening: Int32.max) ? Int32.max : Int32(truncatingIfNeeded: q))
            // x grows by 2^S: θ grows by `whole`, and by one more when the remainder runs out.
            q &+= whole
            r &-= part
            if r < 0 { r &+= scale; q &+= 1 }
        }
    }

    /// Spikes an integrate-and-fire neuron (reset by subtraction, membrane starting at 0) emits
    /// in `T` steps when driven by the constant current `total / T` with per-step threshold
    /// `threshold`: the layer-wise schedule's emission, `clamp(floor(total / threshold), 0, T)`,
    /// computed in closed form (the counters still count the `T` neuron updates the chip does).
    /// - Precondition: `threshold > 0`, `T · threshold < 2^62`.
    @inlinable @inline(__always)
    public static func integrateAndFire(total: Int64, threshold: Int64, timesteps t: Int) -> UInt8 {
        // With a constant current I (saturated to 0…T·θ) and reset by subtraction of T·θ, the
        // membrane after k steps is k·I − (spikes so far)·T·θ, so after T steps there have been
        // ⌊T·I / (T·θ)⌋ = ⌊I / θ⌋ spikes: the loop's result in closed form (a shift when θ is a
        // power of two, as for every conv layer and 2×2 pool).
        if total <= 0 { return 0 }
        if threshold & (threshold &- 1) == 0 {
            return UInt8(truncatingIfNeeded: clampedShift(total, shift: threshold.trailingZeroBitCount, top: t))
        }
        let steps = Int64(widening: t)
        let quotient = total / threshold
        return UInt8(truncatingIfNeeded: quotient >= steps ? steps : quotient)
    }

    /// The largest `T` a `spikeMask` covers: bit `c` of a 64-bit mask stands for a train of `c`
    /// spikes, `c` ≤ 63.
    public static let spikeMaskTimesteps = UInt64.bitWidth - 1

    /// The spikes of step `step` as a bit mask over spike counts: bit `c` (1 ≤ c ≤ T ≤
    /// `spikeMaskTimesteps`) is set when a train of `c` spikes fires at that step — one lookup per
    /// input instead of a division.
    @inlinable @inline(__always)
    public static func spikeMask(step: Int, timesteps t: Int) -> UInt64 {
        var mask: UInt64 = 0
        for count in 1...t where spikes(count: count, step: step, timesteps: t) {
            mask |= 1 &<< UInt64(widening: count)
        }
        return mask
    }

    /// True when a layer-wise spike train of `count` spikes over `T` steps has a spike at step
    /// `step` (0-based): the trains are spread evenly, like the response to a constant current.
    @inlinable @inline(__always)
    public static func spikes(count: Int, step: Int, timesteps t: Int) -> Bool {
        ((step + 1) * count) / t != (step * count) / t
    }
}
