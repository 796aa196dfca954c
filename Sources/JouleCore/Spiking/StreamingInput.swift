/// The streaming schedule's analog first layer: its input current `I_j = M_j · acc + B_j` is the
/// same every step, so a neuron starting from rest has fired `c(t) = clamp(⌊t · I / 2^S⌋, 0, t)`
/// times after step `t` (below `2^S` the membrane `t · I − c(t) · 2^S` stays in `[0, 2^S)`; at or
/// above it the neuron fires every step; a negative current never fires), and fires in step
/// `t` when `c(t) > c(t − 1)`. `StreamingState` keeps either the whole train or `acc`.
enum StreamingInput {
    /// `c(t)` for current `current` and shift `shift`.
    @inline(__always)
    static func firings(current: Int64, step t: Int64, shift: Int64) -> Int64 {
        let c = (t &* current) &>> shift
        return c < 0 ? 0 : c > t ? t : c
    }

    /// Writes the `T` spike maps of output pixel `pixel` (channels `0..<outC`, current
    /// `currents(j)`) into `trains` (zeroed): map `k` (step `k + 1`) at `k · stride`. A neuron at
    /// or above threshold fires every step; one below it is integrated step by step (add,
    /// compare, subtract: the integrate-and-fire neuron itself, equal to `firings`).
    @inline(__always)
    static func writeTrains(pixel: Int, outC: Int, timesteps t: Int, shift: Int64, stride: Int,
                            trains: UnsafeMutablePointer<UInt8>, currents: (Int) -> Int64) {
        let threshold = Int64(1) &<< shift
        for j in 0..<outC {
            let current = currents(j)
            guard current > 0 else { continue }
            let o = pixel &* outC &+ j
            let byte = o &>> 3, bit = UInt8(truncatingIfNeeded: 1 &<< (o & 7))
            if current >= threshold {
                for k in 0..<t { trains[k &* stride &+ byte] |= bit }
                continue
            }
            var membrane: Int64 = 0
            for k in 0..<t {
                membrane &+= current
                if membrane >= threshold {
                    membrane &-= threshold
                    trains[k &* stride &+ byte] |= bit
                }
            }
        }
    }
}
