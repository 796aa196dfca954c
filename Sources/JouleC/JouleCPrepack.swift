// The C API's optional prepacking (`include/joule.h`: joule_prepack_size, joule_prepack): the
// interpreter's `prepack(into:)` into a caller-owned buffer once, then every run attaches it
// (`Handle.interpreter`, `Interpreter.attachPrepack`).
import JouleCore

@c(joule_prepack_size)
public func joule_prepack_size(_ p: UnsafeRawPointer?, _ mode: UInt32) -> UInt {
    let (h, _) = handle(p)
    guard let h, let mode = executionMode(mode) else { return 0 }
    return UInt(Interpreter.prepackBytes(for: h.pointee.model, mode: mode))
}

@c(joule_prepack)
public func joule_prepack(_ p: UnsafeMutableRawPointer?, _ buffer: UnsafeMutableRawPointer?, _ size: UInt) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    guard h.pointee.state != .opened else { return CStatus.notBound }
    guard Interpreter.prepackBytes(for: h.pointee.model, mode: h.pointee.mode) > 0 else { return CStatus.ok }
    guard let buffer else { return CStatus.badArgument }
    do throws(JouleError) {
        // A fresh interpreter (not the handle's, which may read an earlier buffer) fills this one.
        var x = try Interpreter(model: h.pointee.model,
                                arena: UnsafeMutableRawBufferPointer(start: h.pointee.arena, count: h.pointee.plan.arenaBytes),
                                mode: h.pointee.mode)
        try x.prepack(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(size)))
    } catch {
        return status(error)
    }
    h.pointee.prepack = UnsafeRawPointer(buffer)
    h.pointee.prepackSize = Int(size)
    return CStatus.ok
}
