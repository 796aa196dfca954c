// swift-tools-version: 6.0
// Joule: decides, with numbers, when an SNN saves energy over its QNN twin, and runs the winner
// allocation-free. See Sources/README.md for the module map and who may import whom.
import PackageDescription

// Instruction sets: the one place the package build selects them. Nothing is read from the build
// machine: a plain `swift build` (and every package that depends on Joule) builds the portable
// core, with no unsafe flags. The project's scripts tune the build for the machine they run on
// (`Tools/lib/host-isa.sh` sets both variables from /proc/cpuinfo). Cross and board builds do not
// go through this manifest: `Boards/<board>/board.env` names their set (`BOARD_ISA`), which
// `joule_isa_swiftc_flags` in host-isa.sh turns into the same defines.
//   JOULE_ISA         portable (default) | plain | armdsp | neon | avx2 | avx512vnni — which kernels are compiled
//                     (the list: Sources/JouleCore/Kernels/KernelSelection.swift): plain adds
//                     `-D JOULE_PLAIN_KERNELS` (the plain kernels only: the Cortex-M firmware's set,
//                     flash before speed), armdsp adds `-D JOULE_ARM_DSP` to plain's (the plain gather
//                     with its rows added in pairs by SMLAD, Sources/JouleCore/Kernels/arm/, through the
//                     C module Kernels/arm/DSP; plain C where the target has no DSP extension), neon adds
//                     `-D JOULE_ARM_NEON` (the dense convolution's dot-product block, chosen at run time
//                     where the CPU has `sdot`, through the C module Kernels/arm/NEON; plain C on
//                     other hosts), avx2 adds `-D JOULE_AVX2` (the dense `vpmaddubsw`
//                     convolution, Sources/JouleCore/Kernels/x86/), avx512vnni adds
//                     `-D JOULE_AVX512VNNI` as well (its `vpdpbusd` block, the AVX-512 byte counts).
//   JOULE_TARGET_CPU  the LLVM CPU the core is compiled for (`-target-cpu`, an unsafe flag, so only
//                     when set or implied): default `haswell` (the first AVX2 CPU) for avx2,
//                     `cascadelake` (the first CPU with AVX-512 VNNI; Zen 4 and later run it too)
//                     for avx512vnni, none for portable; `native` tunes for the build machine.
// Setting either variable puts an unsafe flag in the manifest, which SwiftPM refuses in a
// versioned dependency: leave them unset where Joule is a dependency.
// Debug and release get the same flags, so that the tests run the kernels the release runs.
struct InstructionSet {
    let defines: [String]
    let defaultCPU: String?
    var flags: [String] = []
}
let dspModule = Context.packageDirectory + "/Sources/JouleCore/Kernels/arm/DSP"
let neonModule = Context.packageDirectory + "/Sources/JouleCore/Kernels/arm/NEON"
let instructionSets: [String: InstructionSet] = [
    "portable": InstructionSet(defines: [], defaultCPU: nil),
    "plain": InstructionSet(defines: ["JOULE_PLAIN_KERNELS"], defaultCPU: nil),
    "armdsp": InstructionSet(defines: ["JOULE_PLAIN_KERNELS", "JOULE_ARM_DSP"], defaultCPU: nil, flags: ["-I", dspModule]),
    "neon": InstructionSet(defines: ["JOULE_ARM_NEON"], defaultCPU: nil, flags: ["-I", neonModule]),
    "avx2": InstructionSet(defines: ["JOULE_AVX2"], defaultCPU: "haswell"),
    "avx512vnni": InstructionSet(defines: ["JOULE_AVX2", "JOULE_AVX512VNNI"], defaultCPU: "cascadelake"),
]
let isaName = Context.environment["JOULE_ISA"].flatMap { $0.isEmpty ? nil : $0 } ?? "portable"
guard let isa = instructionSets[isaName] else {
    fatalError("JOULE_ISA=\(isaName): expected one of \(instructionSets.keys.sorted().joined(separator: ", "))")
}
let targetCPU = Context.environment["JOULE_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 } ?? isa.defaultCPU
// Where the set has a C module (armdsp, neon), every module that imports JouleCore needs its path.
let isaSearchPaths: [SwiftSetting] = isa.flags.isEmpty ? [] : [.unsafeFlags(isa.flags)]
let coreFlags: [SwiftSetting] = isa.defines.map { .define($0) }
    + (targetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? [])
    + isaSearchPaths

let package = Package(
    name: "Joule",
    products: [
        .library(name: "JouleEvents", targets: ["JouleEvents"]),
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
        // Embedded-Swift subset: the event record the core fills and the energy model prices.
        .target(name: "JouleEvents", exclude: ["README.md"]),
        // Embedded-Swift subset: no Foundation, no allocation, no existentials.
        .target(name: "JouleCore", dependencies: ["JouleEvents"], exclude: ["Packed/README.md", "Kernels/arm/README.md", "Kernels/arm/DSP"],
                swiftSettings: coreFlags),
        // Embedded-Swift subset: pure arithmetic over event counts and board constants.
        .target(name: "JouleEnergy", dependencies: ["JouleEvents"]),
        // Host only (Foundation): JSON models, safetensors, packing, data sets, reports.
        .target(name: "JouleHost", dependencies: ["JouleCore", "JouleEnergy"], swiftSettings: isaSearchPaths),
        .executableTarget(name: "packmodel", dependencies: [
            "JouleHost", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: isaSearchPaths),
        .executableTarget(name: "joule", dependencies: [
            "JouleHost", "JouleCore", "JouleEnergy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: isaSearchPaths),
        .testTarget(name: "JouleCoreTests", dependencies: ["JouleCore"], swiftSettings: isaSearchPaths),
        .testTarget(name: "JouleEnergyTests", dependencies: ["JouleEnergy"]),
        .testTarget(name: "JouleHostTests", dependencies: ["JouleHost", "JouleCore"], swiftSettings: isaSearchPaths),
    ]
)
