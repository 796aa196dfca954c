// The C API of Joule (`include/joule.h`): thin `@c` exports over JouleCore.
//
// Embedded-Swift subset, allocation-free: every byte the API touches is the caller's — the packed
// model (read in place), the handle storage (`joule_model_t`, JOULE_MODEL_BYTES bytes) and the
// arena. Compiled with swiftc by `Tools/lib/joule-build.sh` (for `Tools/cross-test`,
// `Tools/firmware`, `Tools/m4-bench`) and `Tools/fuzz/build` (not a SwiftPM target: SwiftPM cannot
// compile JouleCore twice). Keep the numbers here in step with `include/joule.h`;
// `Tools/cross-test host` checks the error codes against `JouleErrorCode`.

import JouleCore

/// Status codes that only the C API returns (the header's `JOULE_E_*` from 64 on); 1…63 are
/// `JouleErrorCode` raw values.
enum CStatus {
    static let ok: Int32 = 0
    static let badArgument: Int32 = 64
    static let notOpen: Int32 = 65
    static let notBound: Int32 = 66
    static let noInput: Int32 = 67
    static let noResult: Int32 = 68
}

/// `JOULE_MODEL_BYTES`: storage the caller provides for one handle.
let handleStorageBytes = 256
/// Marks handle storage that `joule_open` filled ("JOUL").
let handleTag: UInt32 = 0x4C55_4F4A

/// What lives in the caller's `joule_model_t`.
struct Handle {
    enum State: UInt8 { case opened, bound, inputSet, hasResult }
    var tag: UInt32
    var state: State
    var mode: ExecutionMode
    var model: PackedModel
    var arena: UnsafeMutableRawPointer?
    /// T of the last successful run (its counters' T, which the energy estimate prices).
    var timesteps: UInt16 = 0
    /// The caller's buffer that `joule_prepack` filled for the bound mode, and its size; nil
    /// until then (`joule_bind` forgets it).
    var prepack: UnsafeRawPointer? = nil
    var prepackSize = 0

    var plan: ArenaPlan { model.plan(mode) }

    /// The per-layer counters, stored in the arena after the plan's buffers.
    var counters: UnsafeMutableBufferPointer<EventCounters> {
        guard let arena else { return UnsafeMutableBufferPointer(start: nil, count: 0) }
        let base = (arena + PackedFormat.aligned(plan.arenaBytes))
            .assumingMemoryBound(to: EventCounters.self)
        return UnsafeMutableBufferPointer(start: base, count: model.layerCount)
    }

    /// An interpreter over the bound arena, reading the prepacked data where `joule_prepack` made it.
    func interpreter() throws(JouleError) -> Interpreter {
        var x = try Interpreter(model: model, arena: UnsafeMutableRawBufferPointer(start: arena, count: plan.arenaBytes),
                                mode: mode)
        if let prepack { try x.attachPrepack(UnsafeRawBufferPointer(start: prepack, count: prepackSize)) }
        return x
    }
}

/// Arena bytes `joule_bind` needs: the plan's buffers, then one counter record per layer.
func arenaBytes(_ model: PackedModel, _ mode: ExecutionMode) -> Int {
    PackedFormat.aligned(model.plan(mode).arenaBytes) + model.layerCount * MemoryLayout<EventCounters>.stride
}

@inline(__always)
func status(_ e: JouleError) -> Int32 { Int32(e.code.rawValue) }

/// The handle in `p` if `joule_open` succeeded on it, else the status to return.
@inline(__always)
func handle(_ p: UnsafeRawPointer?) -> (UnsafeMutablePointer<Handle>?, Int32) {
    guard let p, Int(bitPattern: p) & (MemoryLayout<Handle>.alignment - 1) == 0 else {
        return (nil, CStatus.badArgument)
    }
    let h = UnsafeMutablePointer(mutating: p.assumingMemoryBound(to: Handle.self))
    guard p.load(as: UInt32.self) == handleTag else { return (nil, CStatus.notOpen) }
    return (h, CStatus.ok)
}

/// The handle of a finished run (`handle`'s checks, then a successful `joule_run` since the last
/// bind or input), or the status that says why not: not bound, or no result.
@inline(__always)
func resultHandle(_ p: UnsafeRawPointer?) -> (UnsafeMutablePointer<Handle>?, Int32) {
    let (h, s) = handle(p)
    guard let h else { return (nil, s) }
    guard h.pointee.state == .hasResult else {
        return (nil, h.pointee.state == .opened ? CStatus.notBound : CStatus.noResult)
    }
    return (h, CStatus.ok)
}

@inline(__always)
func executionMode(_ raw: UInt32) -> ExecutionMode? {
    raw < UInt32(ExecutionMode.count) ? ExecutionMode(rawValue: UInt8(truncatingIfNeeded: raw)) : nil
}

// MARK: Exports

@c(joule_open)
public func joule_open(_ storage: UnsafeMutableRawPointer?, _ bytes: UnsafeRawPointer?, _ size: UInt,
                       _ detail: UnsafeMutableRawPointer?) -> Int32 {
    func report(_ code: Int32, layer: Int = -1, offset: Int = -1) -> Int32 {
        if let detail {
            detail.storeBytes(of: code, toByteOffset: 0, as: Int32.self)
            detail.storeBytes(of: Int32(truncatingIfNeeded: layer), toByteOffset: 4, as: Int32.self)
            detail.storeBytes(of: Int64(widening: offset), toByteOffset: 8, as: Int64.self)
        }
        return code
    }
    guard let storage, MemoryLayout<Handle>.size <= handleStorageBytes,
          Int(bitPattern: storage) & (MemoryLayout<Handle>.alignment - 1) == 0,
          bytes != nil || size == 0, size <= UInt(Int.max)
    else { return report(CStatus.badArgument) }
    storage.storeBytes(of: 0, as: UInt32.self)  // not open unless validation succeeds
    do throws(JouleError) {
        let model = try PackedModel.open(UnsafeRawBufferPointer(start: bytes, count: Int(size)))
        storage.bindMemory(to: Handle.self, capacity: 1)
            .initialize(to: Handle(tag: handleTag, state: .opened, mode: .qnn, model: model, arena: nil))
        return report(CStatus.ok)
    } catch {
        return report(status(error), layer: error.layer, offset: error.byteOffset)
    }
}

@c(joule_model_info)
public func joule_model_info(_ p: UnsafeRawPointer?, _ out: UnsafeMutableRawPointer?) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    guard let out else { return CStatus.badArgument }
    let m = h.pointee.model
    let fields = [m.layerCount, m.inputChannels, m.inputHeight, m.inputWidth, m.inputCount, m.outputCount,
                  m.defaultTimesteps, 0] as InlineArray<8, Int>
    for i in 0..<8 {
        out.storeBytes(of: UInt32(truncatingIfNeeded: fields[i]), toByteOffset: 4 * i, as: UInt32.self)
    }
    return CStatus.ok
}

@c(joule_layer_name)
public func joule_layer_name(_ p: UnsafeRawPointer?, _ layer: UInt32, _ out: UnsafeMutableRawPointer?,
                             _ capacity: UInt) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    let m = h.pointee.model
    guard let out, UInt(layer) < UInt(m.layerCount) else { return CStatus.badArgument }
    let name = m.layerNameBytes(Int(layer))
    guard capacity > UInt(name.count) else { return Int32(JouleErrorCode.bufferSizeMismatch.rawValue) }
    out.copyMemory(from: name.baseAddress!, byteCount: name.count)
    out.storeBytes(of: 0, toByteOffset: name.count, as: UInt8.self)
    return CStatus.ok
}

@c(joule_arena_size)
public func joule_arena_size(_ p: UnsafeRawPointer?, _ mode: UInt32) -> UInt {
    let (h, _) = handle(p)
    guard let h, let mode = executionMode(mode) else { return 0 }
    return UInt(arenaBytes(h.pointee.model, mode))
}

@c(joule_bind)
public func joule_bind(_ p: UnsafeMutableRawPointer?, _ arena: UnsafeMutableRawPointer?, _ size: UInt,
                       _ mode: UInt32) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    guard let mode = executionMode(mode) else { return CStatus.badArgument }
    h.pointee.state = .opened
    h.pointee.arena = nil
    h.pointee.prepack = nil
    h.pointee.prepackSize = 0
    guard let arena, Int(bitPattern: arena) % PackedFormat.alignment == 0,
          size >= UInt(arenaBytes(h.pointee.model, mode))
    else { return Int32(JouleErrorCode.arenaTooSmall.rawValue) }
    h.pointee.mode = mode
    h.pointee.arena = arena
    do throws(JouleError) {
        _ = try h.pointee.interpreter()
    } catch {
        h.pointee.arena = nil
        return status(error)
    }
    let off = PackedFormat.aligned(h.pointee.plan.arenaBytes)
    (arena + off).bindMemory(to: EventCounters.self, capacity: h.pointee.model.layerCount)
    h.pointee.state = .bound
    return CStatus.ok
}

@c(joule_set_input)
public func joule_set_input(_ p: UnsafeMutableRawPointer?, _ input: UnsafeRawPointer?, _ size: UInt) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    guard h.pointee.state != .opened else { return CStatus.notBound }
    guard let input else { return CStatus.badArgument }
    do throws(JouleError) {
        let dest = try h.pointee.interpreter().input
        guard size == UInt(dest.count) else { return Int32(JouleErrorCode.bufferSizeMismatch.rawValue) }
        dest.baseAddress!.copyMemory(from: input, byteCount: dest.count)
    } catch {
        return status(error)
    }
    h.pointee.state = .inputSet
    return CStatus.ok
}

@c(joule_run)
public func joule_run(_ p: UnsafeMutableRawPointer?, _ timesteps: UInt32, _ readout: UInt32) -> Int32 {
    runHandle(p, timesteps, readout) { _ in }
}

/// `joule_run`'s checks, run and state changes, with the core's `afterLayer` hook (for the
/// mps2-an386 bench image's per-layer marks; `joule_run` passes none).
func runHandle(_ p: UnsafeMutableRawPointer?, _ timesteps: UInt32, _ readout: UInt32,
               kernelLog: UnsafeMutableBufferPointer<LayerKernel> = UnsafeMutableBufferPointer(start: nil, count: 0),
               afterLayer: (Int) -> Void) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    switch h.pointee.state {
    case .opened: return CStatus.notBound
    case .bound, .hasResult: return CStatus.noInput
    case .inputSet: break
    }
    guard readout <= 1, let r = Readout(rawValue: UInt8(truncatingIfNeeded: readout)) else {
        return CStatus.badArgument
    }
    let t = timesteps > 255 ? 256 : Int(timesteps)
    do throws(JouleError) {
        var interpreter = try h.pointee.interpreter()
        interpreter.kernelLog = kernelLog
        // A refused run touches nothing; the input stays set. A run consumes the input (its bytes
        // may be reused by later layers), so the next run needs a new joule_set_input.
        try interpreter.check(timesteps: t)
        h.pointee.state = .bound
        try interpreter.run(timesteps: t, readout: r, counters: h.pointee.counters, afterLayer: afterLayer)
    } catch {
        return status(error)
    }
    h.pointee.timesteps = UInt16(truncatingIfNeeded: t)
    h.pointee.state = .hasResult
    return CStatus.ok
}

@c(joule_get_scores)
public func joule_get_scores(_ p: UnsafeRawPointer?, _ out: UnsafeMutablePointer<Int64>?, _ count: UInt) -> Int32 {
    let (h, s) = resultHandle(p)
    guard let h else { return s }
    guard let out else { return CStatus.badArgument }
    do throws(JouleError) {
        let scores = try h.pointee.interpreter().scores
        guard count == UInt(scores.count) else { return Int32(JouleErrorCode.bufferSizeMismatch.rawValue) }
        for i in 0..<scores.count { out[i] = scores[i] }
    } catch {
        return status(error)
    }
    return CStatus.ok
}

/// Writes `c` as a `joule_counters_t` (15 uint64_t, EventCounters' field order).
func store(_ c: EventCounters, to out: UnsafeMutableRawPointer) {
    let fields = [c.denseSynapticOps, c.effectiveMACs, c.effectiveACs, c.inputEvents, c.outputEvents,
                  c.outputLevelSum, c.neuronUpdates, c.membraneReads, c.membraneWrites, c.weightReadBits,
                  c.activationReadBits, c.activationWriteBits, c.inputTrafficBits, c.outputTrafficBits,
                  c.leakUpdates]
        as InlineArray<15, UInt64>
    for i in 0..<15 { out.storeBytes(of: fields[i], toByteOffset: 8 * i, as: UInt64.self) }
}

@c(joule_layer_counters)
public func joule_layer_counters(_ p: UnsafeRawPointer?, _ layer: UInt32, _ out: UnsafeMutableRawPointer?) -> Int32 {
    let (h, s) = resultHandle(p)
    guard let h else { return s }
    guard let out, UInt(layer) < UInt(h.pointee.model.layerCount) else { return CStatus.badArgument }
    store(h.pointee.counters[Int(layer)], to: out)
    return CStatus.ok
}

@c(joule_total_counters)
public func joule_total_counters(_ p: UnsafeRawPointer?, _ out: UnsafeMutableRawPointer?) -> Int32 {
    let (h, s) = resultHandle(p)
    guard let h else { return s }
    guard let out else { return CStatus.badArgument }
    var total = EventCounters()
    for c in h.pointee.counters { total.add(c) }
    store(total, to: out)
    return CStatus.ok
}

@c(joule_error_message)
public func joule_error_message(_ code: Int32) -> UnsafePointer<CChar> {
    let s: StaticString
    switch code {
    case 0: s = "ok"
    case 1: s = "truncated: the buffer is shorter than the header or than the header's file size"
    case 2: s = "bad magic: the first four bytes are not JMOD"
    case 3: s = "unsupported version: the format's major version or header size is not one this runtime reads"
    case 4: s = "checksum mismatch: the CRC-32 in the header does not match the file's bytes"
    case 5: s = "section out of range: a section lies outside the file, overlaps the header or is misaligned"
    case 6: s = "missing section: a required section is missing or present twice"
    case 7: s = "bad layer record: unknown kind, activation or weight format, or a reserved field set"
    case 8: s = "shape mismatch: layer shapes do not chain"
    case 9: s = "bad layer index: an input or residual refers to a layer that does not precede it"
    case 10: s = "tensor out of range: a tensor lies outside the data section, is misaligned or has the wrong length"
    case 11: s = "bad quantization: a multiplier, shift or bias is out of range, or the accumulator could overflow"
    case 12: s = "weight out of range: an int8 weight is -128"
    case 13: s = "bad row counts: a stored non-zero weight count does not match the weights"
    case 14: s = "bad arena plan: a planned buffer is too small, out of the arena, misaligned or overlaps a live one"
    case 15: s = "arena too small: the arena is smaller than joule_arena_size() or not 16-byte aligned"
    case 16: s = "bad timesteps: T must be 1...255"
    case 17: s = "buffer size mismatch: the caller's input, output or name buffer has the wrong size"
    case 18: s = "counter buffer too small: fewer counter entries than layers"
    case 19: s = "bad output layer: the last layer does not produce scores, or another layer does"
    case 20: s = "timesteps exceed plan: the compact plan was made for a smaller T (QNN codes packed in fewer bits, or streaming state sized for fewer steps); repack for this T"
    case 21: s = "neurons need streaming: the model has leaky (or snnTorch-style) neurons, which have no QNN twin and no layer-wise schedule; bind it with JOULE_MODE_SNN_STREAMING"
    case 64: s = "bad argument: a NULL or misaligned pointer, an unknown mode or readout, or a layer or board index out of range"
    case 65: s = "not open: the handle was not opened by a successful joule_open"
    case 66: s = "not bound: call joule_bind first"
    case 67: s = "no input: call joule_set_input before every joule_run"
    case 68: s = "no result: no successful joule_run since the last joule_bind or joule_set_input"
    default: s = "unknown error code"
    }
    return UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}
