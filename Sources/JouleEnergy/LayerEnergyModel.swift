/// The analytical energy model of one layer: event counts + geometry + board → pJ by part.
///
/// Formulas (`E_x` are the board's prices, `acc` the accumulator width, `mem(bits, width, price)` the
/// width rule of `OperationEnergies.memory`). Notation: `e` = the layer's events, `W` = weight
/// storage bits, `stationarySNN` = SNN twin on a board whose weights stay stationary.
///
/// Compute
/// - weighted layers: `e.effectiveMACs · (E_mul(weightBits × inputBits) + E_add(acc))
///   + e.effectiveACs · E_add(acc)`;
/// - pooling: `max(e.inputEvents, e.effectiveMACs + e.effectiveACs)` window operations, each an
///   `E_add(acc)` (average) or `E_cmp(acc)` (max);
/// - neurons: QNN `e.neuronUpdates · E_cmp(acc)` (requantisation, priced as one compare, *assumed*);
///   SNN `e.neuronUpdates · (E_add(acc) + E_cmp(acc)) + e.outputEvents · E_add(acc)` (integrate,
///   threshold, reset by subtraction per spike) `+ e.leakUpdates · E_mul(acc × leakBits)` (leaky
///   neurons: the decay `⌊V · m / 2^s⌋` multiplies the membrane by the `s`-bit leak multiplier;
///   the shift is free).
///
/// On-chip memory
/// - weights: `mem(stationarySNN ? min(e.weightReadBits, W) : e.weightReadBits, weightBits, on)`;
/// - activations (boards with `activationsInOnChipMemory`): `mem(e.activationReadBits, inW, on) +
///   mem(e.activationWriteBits, outW, on)` with `inW`/`outW` = 1 for spikes, else the code widths
///   (`outW` = the scores' width for the layer that emits them, in both twins);
/// - partial sums (weighted layers): `partialSumAccessesPerSynapticOp · (e.effectiveMACs +
///   e.effectiveACs) · mem(acc, acc, on)`;
/// - membranes: `mem((e.membraneReads + e.membraneWrites) · acc, acc, membrane)`;
/// - buffer refills: every bit loaded from off-chip is also written on-chip: `mem(loaded, …, on)`.
///
/// Off-chip memory (`tiles` from `OnChipFit`; `reloads = (SNN ∧ ¬stationary) ? T : 1`)
/// - weight loads: `W · (compulsory + (tiles − 1) · reloads)` bits, `compulsory` = 1 for classic
///   (weights streamed once per inference), 0 for dataflow (resident);
/// - classic only, when `tiles > 1`: the input and output tensors spill, `e.inputTrafficBits +
///   e.outputTrafficBits` bits through DRAM;
/// - each such bit costs `mem(bits, width, off)`.
///
/// Network-on-chip
/// - sparse: `e.outputEvents · (payload · E_sparse · hops + E_packet)`, payload 1 bit (spike) or
///   `outputBits` (QNN code); dense: `e.outputTrafficBits · E_dense · hops`; the twin's encoding picks.
public enum LayerEnergyModel {
    /// Energy of one layer's inference on `board` (pJ, by part).
    /// - Parameters:
    ///   - workload: geometry, twin, `T` and the counted events of the layer.
    ///   - board: the board profile.
    /// - Returns: compute, on-chip, off-chip and NoC energy in pJ.
    public static func energy(of workload: LayerWorkload, on board: BoardProfile) -> EnergyBreakdown {
        EnergyBreakdown(compute: compute(workload, board),
                        onChipMemory: onChip(workload, board),
                        offChipMemory: offChip(workload, board),
                        network: network(workload, board))
    }

    /// Compute energy (pJ); see the type's formulas.
    public static func compute(_ w: LayerWorkload, _ board: BoardProfile) -> Double {
        let g = w.geometry
        let e = w.events
        let ops = board.operations
        let acc = board.memory.accumulatorBits
        var pj = 0.0
        switch g.kind {
        case .conv2d, .linear:
            pj += real(e.effectiveMACs) * (ops.multiply(g.weightBits, g.inputBits) + ops.add(bits: acc))
            pj += real(e.effectiveACs) * ops.add(bits: acc)
        case .avgPool, .maxPool:
            let counted = e.effectiveMACs &+ e.effectiveACs
            let windowOps = e.inputEvents > counted ? e.inputEvents : counted
            let each = g.kind == .avgPool ? ops.add(bits: acc) : ops.compare(bits: acc)
            pj += real(windowOps) * each
        }
        switch w.twin {
        case .qnn:
            pj += real(e.neuronUpdates) * ops.compare(bits: acc)
        case .snn:
            pj += real(e.neuronUpdates) * (ops.add(bits: acc) + ops.compare(bits: acc))
            pj += real(e.outputEvents) * ops.add(bits: acc)
            if e.leakUpdates > 0 { pj += real(e.leakUpdates) * ops.multiply(acc, max(1, g.leakBits)) }
        }
        return pj
    }

    /// On-chip memory energy (pJ); see the type's formulas.
    public static func onChip(_ w: LayerWorkload, _ board: BoardProfile) -> Double {
        let g = w.geometry
        let e = w.events
        let ops = board.operations
        let m = board.memory
        let acc = m.accumulatorBits
        let on = m.onChipPJPerBit
        var weightBits = real(e.weightReadBits)
        if stationary(w, board) {
            weightBits = min(weightBits, Double(g.weightStorageBits))
        }
        var pj = ops.memory(bits: weightBits, width: g.weightBits, pJPerBit: on)
        if m.activationsInOnChipMemory {
            pj += ops.memory(bits: real(e.activationReadBits), width: g.inputWidth(w.twin), pJPerBit: on)
            pj += ops.memory(bits: real(e.activationWriteBits), width: g.outputWidth(w.twin), pJPerBit: on)
        }
        if g.kind.isWeighted {
            let synapticOps = real(e.effectiveMACs &+ e.effectiveACs)
            pj += Double(m.partialSumAccessesPerSynapticOp) * synapticOps
                * ops.memory(bits: Double(acc), width: acc, pJPerBit: on)
        }
        let membraneBits = real(e.membraneReads &+ e.membraneWrites) * Double(acc)
        pj += ops.memory(bits: membraneBits, width: acc, pJPerBit: m.membranePJPerBit)
        pj += offChipTraffic(w, board, pJPerBit: on)
        return pj
    }

    /// Off-chip memory energy (pJ); see the type's formulas.
    public static func offChip(_ w: LayerWorkload, _ board: BoardProfile) -> Double {
        offChipTraffic(w, board, pJPerBit: board.memory.offChipPJPerBit)
    }

    /// Network-on-chip energy (pJ); see the type's formulas.
    public static func network(_ w: LayerWorkload, _ board: BoardProfile) -> Double {
        let noc = board.network
        if noc.averageHops == 0 && noc.sparsePacketPJ == 0 { return 0 }
        let e = w.events
        let payload = w.twin == .snn ? 1 : w.geometry.outputBits
        let sparse = noc.sparseEnergy(events: real(e.outputEvents), payloadBits: payload)
        let dense = noc.denseEnergy(bits: real(e.outputTrafficBits))
        let encoding = w.twin == .snn ? noc.snnEncoding : noc.qnnEncoding
        return NetworkOnChip.choose(encoding, sparse: sparse, dense: dense)
    }

    /// Weight bits loaded from off-chip memory per inference (see the type's formulas).
    public static func weightLoadBits(_ w: LayerWorkload, _ board: BoardProfile) -> Double {
        let tiles = OnChipFit.tiles(w.geometry, twin: w.twin, board: board)
        let reloads = (w.twin == .snn && !board.memory.weightsStationaryAcrossTimesteps)
            ? w.timesteps : 1
        let compulsory = board.family == .classic ? 1 : 0
        let loads = compulsory + (tiles - 1) * reloads
        return Double(w.geometry.weightStorageBits) * Double(loads)
    }

    /// Off-chip traffic priced at `pJPerBit` (used for both the off-chip read and the on-chip refill).
    static func offChipTraffic(_ w: LayerWorkload, _ board: BoardProfile, pJPerBit: Double) -> Double {
        let ops = board.operations
        var pj = ops.memory(bits: weightLoadBits(w, board), width: w.geometry.weightBits,
                            pJPerBit: pJPerBit)
        if board.family == .classic && OnChipFit.tiles(w.geometry, twin: w.twin, board: board) > 1 {
            pj += ops.memory(bits: real(w.events.inputTrafficBits), width: w.geometry.inputWidth(w.twin),
                             pJPerBit: pJPerBit)
            pj += ops.memory(bits: real(w.events.outputTrafficBits), width: w.geometry.outputWidth(w.twin),
                             pJPerBit: pJPerBit)
        }
        return pj
    }

    /// Whether the SNN twin keeps this layer's weights stationary for the whole window.
    static func stationary(_ w: LayerWorkload, _ board: BoardProfile) -> Bool {
        w.twin == .snn && board.memory.weightsStationaryAcrossTimesteps
    }
}
