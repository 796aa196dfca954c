// Runs one input through a packed model with JouleCore's public API only, in the QNN and the
// layer-wise SNN, and prints each mode's scores in `joule run`'s format ("scores: s0 s1 …").
// Usage: consumer MODEL.jmod INPUT.raw   (INPUT: the model's C·H·W input bytes)
// Exit 1 on an error the core reports (printed), 2 on a usage or file error.
import Foundation
import JouleCore

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write("usage: consumer MODEL.jmod INPUT.raw\n".data(using: .utf8)!)
    exit(2)
}
guard let file = FileManager.default.contents(atPath: arguments[1]),
      let input = FileManager.default.contents(atPath: arguments[2]) else {
    FileHandle.standardError.write("consumer: cannot read \(arguments[1]) or \(arguments[2])\n".data(using: .utf8)!)
    exit(2)
}
// The packed model is read in place: its bytes stay alive and 16-byte aligned while it is used.
let modelBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: file.count, alignment: 16)
file.copyBytes(to: modelBytes)
do throws(JouleError) {
    let model = try PackedModel.open(UnsafeRawBufferPointer(modelBytes))
    guard input.count == model.inputCount else {
        FileHandle.standardError.write("consumer: input has \(input.count) bytes, the model takes \(model.inputCount)\n".data(using: .utf8)!)
        exit(2)
    }
    let counters = UnsafeMutableBufferPointer<EventCounters>.allocate(capacity: model.layerCount)
    counters.initialize(repeating: EventCounters())
    for (name, mode) in [("qnn", ExecutionMode.qnn), ("snn", .snnLayerwise)] {
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.plan(mode).arenaBytes, alignment: 16)
        let interpreter = try Interpreter(model: model, arena: arena, mode: mode)
        input.copyBytes(to: interpreter.input)
        try interpreter.run(timesteps: model.defaultTimesteps, counters: counters)
        let synapticOps = counters.reduce(UInt64(0)) { $0 + $1.denseSynapticOps }
        print("\(name): scores: " + interpreter.scores.map { String($0) }.joined(separator: " "))
        print("\(name): dense SOPs \(synapticOps)")
        arena.deallocate()
    }
} catch {
    print("consumer: the core refused the model: \(error)")
    exit(1)
}
