// Bench-only addition to the C API module (compiled with Sources/JouleC/*.swift into the
// mps2-an386 bench image by Tools/m4-bench; never part of libjoule.a or the shipped joule.h):
// joule_run with the core's `afterLayer` hook exposed as a C callback, so the instruction-count
// plugin can see layer boundaries. `joule_run`'s own body (`runHandle`): same checks and state changes.
import JouleCore

/// `kernels`: room for one byte per layer (`layers` of them, at least the model's layer count),
/// filled with the `LayerKernel` raw value that ran each layer (the run's kernel log).
@c(joule_bench_run_marked)
public func joule_bench_run_marked(_ p: UnsafeMutableRawPointer?, _ timesteps: UInt32, _ readout: UInt32,
                                   _ mark: (@convention(c) (UInt32) -> Void)?,
                                   _ kernels: UnsafeMutablePointer<UInt8>?, _ layers: UInt32) -> Int32 {
    guard let mark, let kernels else { return CStatus.badArgument }
    let log = UnsafeMutableRawPointer(kernels).bindMemory(to: LayerKernel.self, capacity: Int(layers))
    return runHandle(p, timesteps, readout, kernelLog: UnsafeMutableBufferPointer(start: log, count: Int(layers))) { i in
        mark(UInt32(truncatingIfNeeded: i))
    }
}
