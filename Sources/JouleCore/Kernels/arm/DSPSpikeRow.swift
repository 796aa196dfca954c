#if JOULE_ARM_DSP
internal import JouleDSP

/// One spike's int8 weight row added to the streaming schedule's int16 (split) membranes with
/// the DSP extension: four weights per word, two membranes per SADD16 (`joule_dsp_add_row16`;
/// its plain-C fallback where the compiler has no DSP extension). Reached through
/// `InstructionSet.addSpikeRow16`.
enum DSPSpikeRow {
    @inline(__always)
    static func add(_ row: UnsafeRawPointer, into acc: UnsafeMutablePointer<Int16>, count: Int) {
        joule_dsp_add_row16(acc, row.assumingMemoryBound(to: Int8.self), Int32(truncatingIfNeeded: count))
    }
}
#endif
