// libFuzzer target: the packed-model loader and one bounded run per valid input.
//
// Input: a packed model (.jmod). Byte-level mutants almost never keep the CRC-32 right, so the
// target re-seals it before opening (except for inputs whose length is a multiple of 7, which
// keep the checksum path covered). A valid model then runs once — not in every mode: the mode,
// `T` and read-out come from the input's length and a few of its bytes, so that the corpus covers
// all of them while each input costs one run. Models whose declared work or arena exceed a small
// budget are skipped, not run. The structure-aware mutator is in ModelMutator.swift.
import JouleCore
import JouleHost

/// Work one input may cost: arena bytes and dense synaptic operations (× T for the SNN).
let fuzzBudget = RunBudget(maxArenaBytes: 4 << 20, maxSynapticOps: 4e6)
/// `T` values a run picks from (0 stands for the model's default).
let fuzzTimesteps = [1, 2, 3, 0, 7, 16]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.count >= PackedFormat.headerBytes, bytes.count % 7 != 0 { Packer.sealChecksum(&bytes) }
    guard let file = try? PackedModelFile(bytes: bytes, name: "fuzz.jmod") else { return 0 }
    let mix = bytes.count &+ Int(bytes[bytes.count / 2]) &* 31 &+ Int(bytes[bytes.count - 1])
    let mode = ExecutionMode(rawValue: UInt8(mix % ExecutionMode.count))!
    let pick = fuzzTimesteps[(mix / 3) % fuzzTimesteps.count]
    let t = pick == 0 ? file.model.defaultTimesteps : pick
    let readout: Readout = (mix / 18) % 2 == 0 ? .membrane : .spikeCount
    guard (try? fuzzBudget.check(file, mode: mode, timesteps: t)) != nil else { return 0 }
    // Every mode's arena query must be answerable for a model that opened.
    for m in 0..<ExecutionMode.count { _ = file.model.plan(ExecutionMode(rawValue: UInt8(m))!).arenaBytes }
    guard let runner = try? ModelRunner(file: file, mode: mode, prepack: mix % 5 != 0) else { return 0 }
    var state = UInt64(truncatingIfNeeded: mix) | 1
    let input = (0..<file.model.inputCount).map { _ -> UInt8 in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
    if let result = try? runner.run(input: input, timesteps: t, readout: readout) {
        precondition(result.scores.count == file.model.outputCount, "scores: \(result.scores.count) for \(file.model.outputCount) outputs")
        precondition((0..<file.model.outputCount).contains(result.predictedClass), "predicted class out of range")
    }
    return 0
}
