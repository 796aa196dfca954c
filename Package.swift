// swift-tools-version: 6.0
// Joule: decides, with numbers, when an SNN saves energy over its QNN twin, and runs the winner
// allocation-free. See Sources/README.md for the module map and who may import whom.
import PackageDescription
import Foundation

// The inference core is compiled for the CPU it runs on (`-target-cpu native`: AVX2 on the x86
// machines here, so the event gather's 16-lane vectors are one instruction each; ~2× over
// baseline x86-64), and where the host has AVX2 with `-D JOULE_AVX2`, which builds the dense
// `vpmaddubsw` convolution (Sources/JouleCore/Kernels/DenseConvolution.swift). Debug builds get
// the same flags so that the tests run the kernels the release runs. Set JOULE_PORTABLE=1 to
// build for any CPU of the architecture (no AVX2 kernel).
let hostHasAVX2: Bool = {
    #if arch(x86_64)
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    return cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx2") ?? false
    #else
    return false
    #endif
}()
// Where the host also has AVX-512 VNNI (with BW and VL), `-D JOULE_AVX512VNNI` builds the dense
// kernel's `vpdpbusd` block (Sources/JouleCore/Kernels/DenseConvolutionVNNI.swift): one 512-bit
// instruction per 64 multiply-accumulates, int32 lanes.
let hostFlags: Set<Substring> = {
    #if arch(x86_64)
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    return Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? [])
    #else
    return []
    #endif
}()
let hostHasAVX512VNNI = hostHasAVX2 && ["avx512f", "avx512bw", "avx512vl", "avx512_vnni"].allSatisfy { hostFlags.contains(Substring($0)) }
let coreFlags: [SwiftSetting] = Context.environment["JOULE_PORTABLE"] != nil ? []
    : [.unsafeFlags(["-target-cpu", "native"])] + (hostHasAVX2 ? [.define("JOULE_AVX2")] : [])
        + (hostHasAVX512VNNI && Context.environment["JOULE_NO_AVX512"] == nil ? [.define("JOULE_AVX512VNNI")] : [])

let package = Package(
    name: "Joule",
    products: [
        .library(name: "JouleCore", targets: ["JouleCore"]),
        .library(name: "JouleEnergy", targets: ["JouleEnergy"]),
        .library(name: "JouleHost", targets: ["JouleHost"]),
        .executable(name: "packmodel", targets: ["packmodel"]),
        .executable(name: "joule", targets: ["joule"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Embedded-Swift subset: no Foundation, no allocation, no existentials.
        .target(name: "JouleCore", exclude: ["Packed/README.md"], swiftSettings: coreFlags),
        // Embedded-Swift subset: pure arithmetic over event counts and board constants.
        .target(name: "JouleEnergy"),
        // Host only (Foundation): JSON models, safetensors, packing, data sets, reports.
        .target(name: "JouleHost", dependencies: ["JouleCore", "JouleEnergy"]),
        .executableTarget(name: "packmodel", dependencies: [
            "JouleHost", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "joule", dependencies: [
            "JouleHost", "JouleCore", "JouleEnergy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "JouleCoreTests", dependencies: ["JouleCore"]),
        .testTarget(name: "JouleEnergyTests", dependencies: ["JouleEnergy"]),
        .testTarget(name: "JouleHostTests", dependencies: ["JouleHost", "JouleCore"]),
    ]
)
