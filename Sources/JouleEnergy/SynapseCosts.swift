/// The paper's per-synapse model: the energy one average synapse costs per inference, for each twin,
/// as a linear function of activity. Derived from a board; the break-even solver works on it.
///
/// With `d` the QNN's non-zero activation fraction and `r` the SNN spike rate (`r = 1 − s`):
/// - QNN per synapse: `d · qnnPerActiveInput + qnnPerSynapse`;
/// - SNN per synapse: `T · r · snnPerInputSpike + T · snnPerTimestep + snnPerSynapse`
///   (+ NoC terms under the `.cheapest` encoding, see `snnEnergy(spikeRate:)`).
///
/// Derivation (`on(b)`, `off(b)`, `mem(b)` = one access of `b` bits to on-chip, off-chip and membrane
/// memory under the board's width rule; `wb` weight bits, `ab = ceil(log2(T+1))`, `acc` accumulator
/// bits, `RF` reuse factor, `F` fan-in, `ps` partial-sum accesses per op, `h` hops):
/// - `qnnPerActiveInput = on(wb) + [activations on-chip] on(ab) + ps·on(acc) + E_mul(wb×ab) + E_add(acc)`
///   (+ sparse NoC packet `/F`): paper v1 classic 20 + 20 + 40 + 0.2 + 0.03 = 80.23, dataflow 20.23;
/// - `qnnPerSynapse = [classic] (off(wb) + on(wb))/RF + E_cmp(acc)/F` (+ dense NoC `/F`):
///   paper v1 classic 2020/216;
/// - `snnPerInputSpike = override ?? ([¬stationary] on(wb) + ps·on(acc) + E_add(acc))
///   + E_add(acc)/F` (reset by subtraction, output rate ≈ input rate) (+ sparse NoC `/F`):
///   paper v1 dataflow 20.03, classic 64.32 (override) + 0.03/2395;
/// - `snnPerTimestep = (2·mem(acc) + E_add(acc) + E_cmp(acc))/F` (+ dense NoC `/F`): 40.06/2395;
/// - `snnPerSynapse = [stationary] on(wb)/RF + [classic] (off(wb) + on(wb))/RF · reload(T)` with
///   `reload = 1` (stationary), `limit·T/(T+1)` (calibrated), else `T`: paper v1 classic
///   `4040·T/(216·(T+1))`.
/// The paper's classic script charges 64.35/2395 per timestep where this derivation gives 40.06/2395;
/// the difference moves the T = 6 break-even by 0.02 points.
public struct SynapseCosts: Equatable, Sendable {
    /// Timesteps `T` the costs were derived for.
    public var timesteps: Int
    /// QNN energy per synapse per non-zero input activation (pJ).
    public var qnnPerActiveInput: Double
    /// QNN energy per synapse per inference independent of activity (pJ).
    public var qnnPerSynapse: Double
    /// SNN energy per synapse per input spike (pJ).
    public var snnPerInputSpike: Double
    /// SNN energy per synapse per timestep independent of spikes (pJ).
    public var snnPerTimestep: Double
    /// SNN energy per synapse per inference independent of spikes (pJ).
    public var snnPerSynapse: Double
    /// Under `.cheapest` SNN encoding: NoC energy per synapse per spike if sparse, and per timestep if
    /// dense (pJ); the cheaper is added by `snnEnergy`. Zero otherwise.
    public var snnSparseNoCPerSpike: Double, snnDenseNoCPerTimestep: Double
    /// Under `.cheapest` QNN encoding: NoC energy per synapse per active input if sparse, and per
    /// synapse if dense (pJ). Zero otherwise.
    public var qnnSparseNoCPerActive: Double, qnnDenseNoCPerSynapse: Double

    /// Derives the per-synapse costs of `board` for `T` timesteps and `weightBits`-bit weights.
    public init(board: BoardProfile, timesteps: Int, weightBits: Int) {
        let ops = board.operations
        let m = board.memory
        let noc = board.network
        let cal = board.synapse
        let t = timesteps < 1 ? 1 : timesteps
        let ab = ActivationBits.forTimesteps(t)
        let acc = m.accumulatorBits
        let fanIn = cal.fanIn > 0 ? cal.fanIn : 1
        let rf = cal.reuseFactor > 0 ? cal.reuseFactor : 1
        func on(_ bits: Int) -> Double { ops.memory(bits: Double(bits), width: bits, pJPerBit: m.onChipPJPerBit) }
        func off(_ bits: Int) -> Double { ops.memory(bits: Double(bits), width: bits, pJPerBit: m.offChipPJPerBit) }
        func mem(_ bits: Int) -> Double { ops.memory(bits: Double(bits), width: bits, pJPerBit: m.membranePJPerBit) }
        let ps = Double(m.partialSumAccessesPerSynapticOp)
        let stationary = m.weightsStationaryAcrossTimesteps
        let classic = board.family == .classic
        let weightLoad = classic ? (off(weightBits) + on(weightBits)) / rf : 0

        // NoC, per synapse: one packet per neuron output spreads over the neuron's fan-in.
        let qSparse = noc.sparseEnergy(events: 1, payloadBits: ab) / fanIn
        let qDense = noc.denseEnergy(bits: Double(ab)) / fanIn
        let sSparse = noc.sparseEnergy(events: 1, payloadBits: 1) / fanIn
        let sDense = noc.denseEnergy(bits: 1) / fanIn

        self.timesteps = t
        var qActive = on(weightBits) + ps * on(acc) + ops.multiply(weightBits, ab) + ops.add(bits: acc)
        if m.activationsInOnChipMemory { qActive += on(ab) }
        var qFixed = weightLoad + ops.compare(bits: acc) / fanIn
        qnnSparseNoCPerActive = 0
        qnnDenseNoCPerSynapse = 0
        switch noc.qnnEncoding {
        case .sparse: qActive += qSparse
        case .dense: qFixed += qDense
        case .cheapest: qnnSparseNoCPerActive = qSparse; qnnDenseNoCPerSynapse = qDense
        }
        qnnPerActiveInput = qActive
        qnnPerSynapse = qFixed

        let derivedSpike = (stationary ? 0 : on(weightBits)) + ps * on(acc) + ops.add(bits: acc)
        var sSpike = (cal.snnSpikeSynapsePJ ?? derivedSpike) + ops.add(bits: acc) / fanIn
        var sStep = (2 * mem(acc) + ops.add(bits: acc) + ops.compare(bits: acc)) / fanIn
        snnSparseNoCPerSpike = 0
        snnDenseNoCPerTimestep = 0
        switch noc.snnEncoding {
        case .sparse: sSpike += sSparse
        case .dense: sStep += sDense
        case .cheapest: snnSparseNoCPerSpike = sSparse; snnDenseNoCPerTimestep = sDense
        }
        snnPerInputSpike = sSpike
        snnPerTimestep = sStep
        let reload: Double
        if stationary {
            reload = 1
        } else if let limit = cal.snnWeightReloadLimit {
            reload = limit * Double(t) / Double(t + 1)
        } else {
            reload = Double(t)
        }
        snnPerSynapse = (stationary ? on(weightBits) / rf : 0) + weightLoad * reload
    }

    /// QNN energy per synapse per inference at non-zero activation fraction `density` (pJ).
    public func qnnEnergy(density: Double) -> Double {
        let sparse = density * qnnSparseNoCPerActive
        let noc = sparse < qnnDenseNoCPerSynapse ? sparse : qnnDenseNoCPerSynapse
        return density * qnnPerActiveInput + qnnPerSynapse + noc
    }

    /// SNN energy per synapse per inference at spike rate `spikeRate` = `1 − sparsity` (pJ).
    public func snnEnergy(spikeRate: Double) -> Double {
        let t = Double(timesteps)
        let sparse = t * spikeRate * snnSparseNoCPerSpike
        let dense = t * snnDenseNoCPerTimestep
        let noc = sparse < dense ? sparse : dense
        return t * spikeRate * snnPerInputSpike + t * snnPerTimestep + snnPerSynapse + noc
    }
}
