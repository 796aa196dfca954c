/// Per-pixel lists of the non-zero inputs ("events") of the last few input rows of a layer: what
/// the vectorised gather (`EventGather.swift`) walks instead of testing every input.
///
/// Layout (inside the layer's scratch region, caller-owned, 2-byte aligned), for each of `slots`
/// ring slots — input row `y` lives in slot `y % slots`:
/// - `width` event counts, `UInt16`, one per input pixel of the row;
/// - `width × channels` entries, `UInt16`, pixel `x`'s list at `x · channels`:
///   `ci << valueBits | value`, `value ≥ 1` (a QNN code or input byte, or 1 for a spike);
///   `valueBits` is 4 (`value ≤ 15`, `ci < 4096`) or 8 (`value ≤ 255`, `ci < 256`).
///
/// A row's lists are built once (pixel by pixel over the channels, so each list grows in a
/// register) and read by every output row whose window covers it.
struct EventRows {
    let base: UnsafeMutablePointer<UInt16>
    let slots: Int, width: Int, channels: Int, valueBits: Int

    /// Bytes of the ring for `slots` rows of `width` pixels with `channels` inputs each.
    @inline(__always)
    static func bytes(slots: Int, width: Int, channels: Int) -> Int {
        slots * width * (channels + 1) * 2
    }

    @inline(__always)
    func counts(slot: Int) -> UnsafeMutablePointer<UInt16> {
        base + slot * width * (channels + 1)
    }

    /// Events of pixel `x` in `slot`.
    @inline(__always)
    func count(slot: Int, x: Int) -> Int { Int(counts(slot: slot)[x]) }

    @inline(__always)
    func entries(slot: Int, x: Int) -> UnsafeMutablePointer<UInt16> {
        counts(slot: slot) + width + x * channels
    }

    /// Builds the lists of input row `y` of the CHW tensor `input` (`channels × height × width`)
    /// into slot `y % slots`. Without `spikeMask` an input's event value is its stored byte
    /// (0 = no event); with it, an input with stored spike count `c` (< 64) has an event of value 1
    /// when bit `c` of the mask is set (the spikes of one timestep).
    @inline(__always)
    func build(row y: Int, height: Int, from input: UnsafePointer<UInt8>, spikeMask: UInt64?) {
        let slot = y % slots
        let count = counts(slot: slot), list = entries(slot: slot, x: 0)
        let plane = height * width
        // Pixel by pixel over the channels (strided loads): each list grows in a register.
        for x in 0..<width {
            var at = input + y * width + x
            let out = list + x * channels
            var n = 0
            if let mask = spikeMask {
                for ci in 0..<channels {
                    let v = UInt16(truncatingIfNeeded: (mask &>> UInt64(widening: at.pointee & 63)) & 1)
                    out[n] = UInt16(truncatingIfNeeded: ci &<< valueBits) | v
                    n &+= Int(v)
                    at += plane
                }
            } else {
                for ci in 0..<channels {
                    let v = at.pointee
                    out[n] = UInt16(truncatingIfNeeded: ci &<< valueBits) | UInt16(v)
                    n &+= v == 0 ? 0 : 1
                    at += plane
                }
            }
            count[x] = UInt16(truncatingIfNeeded: n)
        }
    }
}
