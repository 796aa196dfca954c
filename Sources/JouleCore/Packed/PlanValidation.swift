/// Arena-plan validation, run once by `PackedModel.open` for all three modes.
///
/// After it passes: the QNN plan's code width is 0 (bytes) or 1…8, every buffer is at least as large as `BufferRequirements` says, 16-byte
/// aligned and inside the mode's `arenaBytes`, and no two buffers that are live at the same time
/// (`Liveness`) share a byte. The runtime then only compares `arenaBytes` with the caller's arena.
extension PackedModel {
    /// Largest arena a plan may ask for (2 GiB − 1, so sizes fit a 32-bit `Int`).
    public static let maxArenaBytes = Int(Int32.max)

    static func validatePlans(_ model: PackedModel, plansLength: Int) throws(JouleError) {
        let n = model.layerCount
        let v = model.view
        guard plansLength >= plansSectionBytes(layerCount: n),
              Int(v.u32(model.plansOffset)!) == ExecutionMode.count,
              Int(v.u32(model.plansOffset + 4)!) == n,
              model.qnnCodeBits <= 8
        else { throw JouleError(.badArenaPlan, byteOffset: model.plansOffset) }
        for raw in 0..<ExecutionMode.count {
            try validatePlan(model, mode: ExecutionMode(rawValue: UInt8(raw))!)
        }
    }

    /// Region and live range of buffer `b` of a plan: `b == 0` is the input, then three per layer.
    static func buffer(_ b: Int, of plan: ArenaPlan, model: PackedModel, mode: ExecutionMode,
                       lastInputReader: Int) -> (ArenaRegion, LiveRange, layer: Int) {
        if b == 0 {
            return (plan.input, Liveness.input(mode: mode, layerCount: model.layerCount,
                                              lastInputReader: lastInputReader), -1)
        }
        let layer = (b - 1) / 3
        let role = BufferRole(rawValue: (b - 1) % 3)!
        let range = Liveness.range(role, layer: layer, mode: mode, layerCount: model.layerCount,
                                   lastReader: model.layer(layer).lastReader)
        return (plan.region(role, layer: layer), range, layer)
    }

    static func validatePlan(_ model: PackedModel, mode: ExecutionMode) throws(JouleError) {
        let n = model.layerCount
        let plan = model.plan(mode)
        let block = planBlockOffset(model.plansOffset, mode: mode, layerCount: n)
        let bad = JouleError(.badArenaPlan, byteOffset: block)
        guard model.view.u32(block)! == UInt32(mode.rawValue), plan.arenaBytes <= maxArenaBytes else { throw bad }
        let arena = plan.arenaBytes
        func fits(_ r: ArenaRegion) -> Bool {
            r.bytes == 0 || (r.offset % PackedFormat.alignment == 0 && r.offset <= arena && r.bytes <= arena - r.offset)
        }
        guard plan.input.bytes == model.inputCount, fits(plan.input) else { throw bad }
        var lastInputReader = -1
        for i in 0..<n {
            let layer = model.layer(i)
            if layer.inputIndex < 0 { lastInputReader = i }
            let need = BufferRequirements.of(layer, mode: mode, codeBits: plan.codeBits, timesteps: 1)
            let output = plan.region(.output, layer: i), scratch = plan.region(.scratch, layer: i)
            let state = plan.region(.state, layer: i)
            guard output.bytes >= need.output, scratch.bytes >= need.scratch, state.bytes >= need.state,
                  fits(output), fits(scratch), fits(state)
            else { throw JouleError(.badArenaPlan, layer: i, byteOffset: block) }
        }
        let count = 1 + 3 * n
        for a in 0..<count {
            let (ra, la, layerA) = buffer(a, of: plan, model: model, mode: mode, lastInputReader: lastInputReader)
            if ra.bytes == 0 { continue }
            for b in (a + 1)..<max(a + 1, count) {
                let (rb, lb, _) = buffer(b, of: plan, model: model, mode: mode, lastInputReader: lastInputReader)
                if rb.bytes == 0 || !la.overlaps(lb) { continue }
                if ra.offset < rb.offset + rb.bytes && rb.offset < ra.offset + ra.bytes {
                    throw JouleError(.badArenaPlan, layer: layerA, byteOffset: block)
                }
            }
        }
    }
}
