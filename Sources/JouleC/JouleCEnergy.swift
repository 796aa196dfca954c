// The C API's energy estimate (`include/joule.h`, "Energy"): the last run's counters priced by the
// analytical energy model (JouleEnergy) on a compiled-in board profile (`BuiltInBoards`, generated
// from Boards/*.json). A QNN run is priced as the QNN twin, an SNN run (either schedule) as the
// SNN twin, both at the run's T — as `joule energy` prices one input. Allocation-free.

import JouleCore
import JouleEnergy

/// Writes `e` as a `joule_energy_t` (5 doubles, picojoules: compute, on-chip, off-chip, network,
/// total).
func store(_ e: EnergyBreakdown, to out: UnsafeMutableRawPointer) {
    let fields = [e.compute, e.onChipMemory, e.offChipMemory, e.network, e.total] as InlineArray<5, Double>
    for i in 0..<5 { out.storeBytes(of: fields[i], toByteOffset: 8 * i, as: Double.self) }
}

/// Layer `i`'s energy on `board` for the handle's last run.
func layerEnergy(_ h: UnsafeMutablePointer<Handle>, layer i: Int, board: BoardProfile) -> EnergyBreakdown {
    let t = Int(h.pointee.timesteps)
    let workload = LayerWorkload(geometry: h.pointee.model.geometry(layer: i, timesteps: t),
                                 twin: h.pointee.mode == .qnn ? .qnn : .snn, timesteps: t,
                                 events: h.pointee.counters[i])
    return LayerEnergyModel.energy(of: workload, on: board)
}

/// The handle of a finished run and the board's profile, or the status that says why not.
func energyInputs(_ p: UnsafeRawPointer?, _ board: UInt32, _ out: UnsafeMutableRawPointer?)
    -> (UnsafeMutablePointer<Handle>?, BoardProfile?, Int32) {
    let (h, s) = resultHandle(p)
    guard let h else { return (nil, nil, s) }
    // Compared as UInt32 first: Int(board) traps on 32-bit targets for board ≥ 2^31.
    guard out != nil, board < UInt32(BuiltInBoards.count),
          let profile = BuiltInBoards.profile(Int(truncatingIfNeeded: board))
    else { return (nil, nil, CStatus.badArgument) }
    return (h, profile, CStatus.ok)
}

@c(joule_board_count)
public func joule_board_count() -> UInt32 { UInt32(BuiltInBoards.count) }

@c(joule_board_name)
public func joule_board_name(_ board: UInt32) -> UnsafePointer<CChar>? {
    guard board < UInt32(BuiltInBoards.count) else { return nil }
    return UnsafeRawPointer(BuiltInBoards.name(Int(truncatingIfNeeded: board)).utf8Start).assumingMemoryBound(to: CChar.self)
}

@c(joule_board_find)
public func joule_board_find(_ name: UnsafePointer<CChar>?) -> UInt32 {
    guard let name else { return UInt32(BuiltInBoards.count) }
    for b in 0..<BuiltInBoards.count {
        let known = BuiltInBoards.name(b)
        let n = known.utf8CodeUnitCount
        // Stops at the first differing byte: a shorter `name` differs at its NUL (names hold none).
        var i = 0
        while i < n && UInt8(bitPattern: name[i]) == known.utf8Start[i] { i += 1 }
        if i == n && name[n] == 0 { return UInt32(b) }
    }
    return UInt32(BuiltInBoards.count)
}

@c(joule_layer_energy)
public func joule_layer_energy(_ p: UnsafeRawPointer?, _ layer: UInt32, _ board: UInt32,
                               _ out: UnsafeMutableRawPointer?) -> Int32 {
    let (h, profile, s) = energyInputs(p, board, out)
    guard let h, let profile, let out else { return s }
    guard UInt(layer) < UInt(h.pointee.model.layerCount) else { return CStatus.badArgument }
    store(layerEnergy(h, layer: Int(layer), board: profile), to: out)
    return CStatus.ok
}

@c(joule_total_energy)
public func joule_total_energy(_ p: UnsafeRawPointer?, _ board: UInt32, _ out: UnsafeMutableRawPointer?) -> Int32 {
    let (h, profile, s) = energyInputs(p, board, out)
    guard let h, let profile, let out else { return s }
    var total = EnergyBreakdown()
    for i in 0..<h.pointee.model.layerCount { total.add(layerEnergy(h, layer: i, board: profile)) }
    store(total, to: out)
    return CStatus.ok
}
