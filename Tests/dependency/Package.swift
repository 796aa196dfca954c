// swift-tools-version: 6.0
// A package that depends on Joule by version, as a user's firmware or app would
// (Tools/dependency-check builds and runs it). JOULE_PACKAGE_URL names a git repository of Joule
// tagged JOULE_PACKAGE_VERSION; SwiftPM refuses unsafe flags in such a dependency, so this build
// proves that Joule's manifest has none on a plain `swift build`.
import PackageDescription

let url = Context.environment["JOULE_PACKAGE_URL"] ?? "https://github.com/joule-snn/joule"
let version = Version(stringLiteral: Context.environment["JOULE_PACKAGE_VERSION"] ?? "1.0.0")

let package = Package(
    name: "JouleConsumer",
    dependencies: [.package(url: url, exact: version)],
    targets: [
        .executableTarget(name: "consumer", dependencies: [.product(name: "JouleCore", package: "joule")]),
    ]
)
