/// How each twin reads and writes a layer's data: spikes are one bit, codes and the analog input
/// their geometry's widths.
extension LayerGeometry {
    /// Bits of one input element as `twin` reads it: 1 for spikes, else `inputBits` (codes, or
    /// the analog model input in both twins).
    @inlinable
    public func inputWidth(_ twin: Twin) -> Int {
        twin == .snn && !analogInput ? 1 : inputBits
    }

    /// Bits of one output element as `twin` writes it: 1 for spikes, else `outputBits` (codes,
    /// or the scores, which both twins write once at `outputBits`).
    @inlinable
    public func outputWidth(_ twin: Twin) -> Int {
        twin == .snn && !emitsScores ? 1 : outputBits
    }
}
