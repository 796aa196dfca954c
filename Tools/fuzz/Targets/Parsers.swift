// libFuzzer target: the host-side parsers a user's files go through.
//
// Input: one selector byte, then the file's bytes.
//   0  JSON model description + safetensors, through the packer and the core's validation (the
//      rest of the input is split at the first 0x00 byte: JSON before, safetensors after; both
//      are written to a scratch folder, as packmodel reads them)
//   1  board file (BoardFile.parse)
//   2  workload file (Workload.parse; boards all "exist")
//   3  IDX image + label files (IDXDataset.parse; split at the first 0x00 after 16 bytes)
// A parser may reject its input with an error; it must never crash, hang or leak.
import Foundation
import JouleCore
import JouleHost

nonisolated(unsafe) var parsersScratch: URL = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("joule-fuzz-parsers-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let body = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 4 {
    case 0:
        let split = body.firstIndex(of: 0) ?? body.endIndex
        let json = parsersScratch.appendingPathComponent("model.json")
        let weights = parsersScratch.appendingPathComponent("model.safetensors")
        try? body[body.startIndex..<split].write(to: json)
        try? (split < body.endIndex ? body[(split + 1)...] : Data()).write(to: weights)
        if let description = try? ModelDescription.load(path: json.path),
           let packable = try? description.resolve(path: json.path),
           packable.denseMACs <= 1 << 22 {
            _ = try? Packer.pack(packable, compact: body.count % 2 == 0)
        }
    case 1:
        _ = try? BoardFile.parse(body, file: "fuzz-board.json")
    case 2:
        _ = try? Workload.parse(body, file: "fuzz-workload.json", boardExists: { _ in true })
    default:
        let bytes = [UInt8](body)
        let split = bytes.count > 16 ? (bytes[16...].firstIndex(of: 0) ?? bytes.count) : bytes.count
        _ = try? IDXDataset.parse(images: Array(bytes[..<split]), labels: split < bytes.count ? Array(bytes[(split + 1)...]) : [],
                                  imagesName: "images", labelsName: "labels")
    }
    return 0
}
