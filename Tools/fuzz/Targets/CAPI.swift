// libFuzzer target: the C API (include/joule.h, Sources/JouleC) driven by byte-coded call
// sequences, as a firmware integrator's code might call it — in any order, with bad arguments.
//
// The model is the test fixture, packed plain or compact (.build-fuzz/models/, packed by
// Tools/fuzz/build; JOULE_FUZZ_MODELS names another folder). Input: one byte picks the model and
// whether to corrupt one of its bytes (offset and value from the next bytes), then operations of
// one opcode byte and one argument byte each:
//   0 open  1 model_info  2 layer_name  3 arena_size  4 bind  5 set_input  6 run  7 get_scores
//   8 layer_counters  9 total_counters  10 error_message
// Arguments choose modes (also out of range), T (0…20), read-outs, layers (also out of range),
// NULL pointers, misaligned or too small arenas, short inputs and small capacities. Invariants
// checked: every call returns a documented status, error messages are never NULL, and a run that
// returned 0 leaves scores and counters readable.
import Foundation

/// The packed models (bytes) an input may open.
nonisolated(unsafe) var capiModels: [[UInt8]] = []

@_cdecl("LLVMFuzzerInitialize")
public func capiInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let folder = ProcessInfo.processInfo.environment["JOULE_FUZZ_MODELS"]
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("models").path
    for name in ["tiny-plain.jmod", "tiny-compact.jmod"] {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            fatalError("fuzz-capi: \(folder)/\(name) is missing (run Tools/fuzz/build)")
        }
        capiModels.append([UInt8](data))
    }
    return 0
}

/// The status codes the header documents: 0, the core's 1…21, the API's 64…68.
func documented(_ s: Int32) -> Bool { s == 0 || (1...21).contains(s) || (64...68).contains(s) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCAPI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var model = capiModels[Int(input[0]) % capiModels.count]
    var at = 1
    if input[0] & 0x80 != 0, size >= 4 {  // corrupt one byte (the CRC then fails, or the fixup below)
        let offset = (Int(input[1]) << 8 | Int(input[2])) % model.count
        model[offset] ^= input[3] | 1
        at = 4
    }
    // Caller-owned memory, as a firmware would hold it: 16-aligned model bytes, handle, arena.
    let modelBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: model.count, alignment: 16)
    model.withUnsafeBytes { modelBytes.copyMemory(from: $0) }
    let handle = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
    handle.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
    let arenaCapacity = 1 << 16
    let arena = UnsafeMutableRawPointer.allocate(byteCount: arenaCapacity + 16, alignment: 16)
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
    defer { modelBytes.deallocate(); handle.deallocate(); arena.deallocate(); scratch.deallocate() }
    var lastRunOK = false

    while at + 1 < size {
        let op = input[at] % 13, arg = input[at + 1]
        at += 2
        var status: Int32 = 0
        switch op {
        case 0:
            let length = arg & 1 == 0 ? UInt(model.count) : UInt(Int(arg) * 37 % model.count)
            status = joule_open(arg == 255 ? nil : handle, modelBytes.baseAddress, length, arg & 2 == 0 ? scratch : nil)
            lastRunOK = false
        case 1:
            status = joule_model_info(arg & 1 == 0 ? handle : nil, arg & 2 == 0 ? scratch : nil)
        case 2:
            status = joule_layer_name(handle, UInt32(arg % 16), arg & 0x40 == 0 ? scratch : nil, UInt(arg >> 4))
        case 3:
            let bytes = joule_arena_size(arg & 0x80 == 0 ? handle : nil, UInt32(arg % 5))
            precondition(bytes <= UInt(Int32.max), "arena size \(bytes)")
        case 4:
            let mode = UInt32(arg % 4), needed = Int(joule_arena_size(handle, mode))
            var base: UnsafeMutableRawPointer? = arena, length = needed
            switch (arg >> 2) % 5 {
            case 0: break
            case 1: length = max(0, needed - 1 - Int(arg >> 5))             // too small
            case 2: base = arena + 1 + Int(arg >> 5) % 15                    // misaligned
            case 3: base = nil                                               // NULL
            default: length = needed + Int(arg)                              // larger than needed
            }
            if length > arenaCapacity { length = arenaCapacity }
            status = joule_bind(handle, base, UInt(length), mode)
            lastRunOK = false
        case 5:
            var info = [UInt32](repeating: 0, count: 8)
            _ = info.withUnsafeMutableBytes { joule_model_info(handle, $0.baseAddress) }
            let wanted = Int(info[4])
            for k in 0..<min(wanted, 4096) { scratch.storeBytes(of: UInt8(truncatingIfNeeded: k &* Int(arg) &+ Int(arg)), toByteOffset: k, as: UInt8.self) }
            let length = arg & 1 == 0 ? wanted : max(0, wanted - 1 - Int(arg >> 1))
            status = joule_set_input(handle, arg == 255 ? nil : scratch, UInt(min(length, 4096)))
            if status == 0 { lastRunOK = false }  // a new input invalidates the last result (joule.h)
        case 6:
            status = joule_run(handle, UInt32(arg % 21), UInt32(arg >> 5) % 3)
            lastRunOK = status == 0
        case 7:
            var info = [UInt32](repeating: 0, count: 8)
            _ = info.withUnsafeMutableBytes { joule_model_info(handle, $0.baseAddress) }
            let outputs = UInt(info[5])  // the documented count; other counts must be refused
            let count = arg & 1 == 0 ? outputs : UInt(arg >> 1) % 12
            status = joule_get_scores(handle, arg & 0x80 == 0 ? scratch.assumingMemoryBound(to: Int64.self) : nil, min(count, 512))
            if lastRunOK, count == outputs, arg & 0x80 == 0 { precondition(status == 0, "scores unreadable after a run: \(status)") }
        case 8:
            status = joule_layer_counters(handle, UInt32(arg % 12), arg & 0x80 == 0 ? scratch : nil)
        case 9:
            status = joule_total_counters(handle, arg & 1 == 0 ? scratch : nil)
            if lastRunOK, arg & 1 == 0 { precondition(status == 0, "counters unreadable after a run: \(status)") }
        case 11:
            status = joule_layer_energy(handle, UInt32(arg % 12), UInt32(arg >> 4) % 7, arg & 0x80 == 0 ? scratch : nil)
        case 12:
            let board = UInt32(arg >> 1) % 7
            status = joule_total_energy(handle, board, arg & 1 == 0 ? scratch : nil)
            if lastRunOK, arg & 1 == 0, board < joule_board_count() {
                precondition(status == 0, "energy unreadable after a run: \(status)")
                let total = scratch.load(fromByteOffset: 32, as: Double.self)
                precondition(total.isFinite && total >= 0, "energy \(total) after a run")
            }
        case 10:
            let code = Int32(Int8(bitPattern: arg))
            let message = joule_error_message(code)
            precondition(strlen(message) > 0, "empty message for \(code)")
        default:
            preconditionFailure("op \(op) out of range")
        }
        precondition(documented(status), "undocumented status \(status) from op \(op)")
    }
    return 0
}
