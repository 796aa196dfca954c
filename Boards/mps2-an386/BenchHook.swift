// Bench-only addition to the C API module (compiled with Sources/JouleC/*.swift into the
// mps2-an386 bench image by Tools/m4-bench; never part of libjoule.a or the shipped joule.h):
// joule_run with the core's `afterLayer` hook exposed as a C callback, so the instruction-count
// plugin can see layer boundaries. Same checks and state changes as joule_run.
import JouleCore

@c(joule_bench_run_marked)
public func joule_bench_run_marked(_ p: UnsafeMutableRawPointer?, _ timesteps: UInt32, _ readout: UInt32,
                                   _ mark: (@convention(c) (UInt32) -> Void)?) -> Int32 {
    let (h, s) = handle(p)
    guard let h else { return s }
    guard h.pointee.state == .inputSet else { return CStatus.noInput }
    guard readout <= 1, let r = Readout(rawValue: UInt8(truncatingIfNeeded: readout)), let mark else {
        return CStatus.badArgument
    }
    let t = timesteps > 255 ? 256 : Int(timesteps)
    do throws(JouleError) {
        let interpreter = try h.pointee.interpreter()
        try interpreter.check(timesteps: t)
        h.pointee.state = .bound
        try interpreter.run(timesteps: t, readout: r, counters: h.pointee.counters,
                            afterLayer: { i in mark(UInt32(truncatingIfNeeded: i)) })
    } catch {
        return status(error)
    }
    h.pointee.state = .hasResult
    return CStatus.ok
}
