// swift-tools-version: 6.2
// libFuzzer entry points for tcly, outside the main package so that a normal `swift build` never
// sees them: scripts/reliability/fuzz builds them with -sanitize=fuzzer,address.
import PackageDescription

let package = Package(
    name: "tcly-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "tcly", path: "..")],
    targets: [
        .target(name: "FuzzMain"),
        .executableTarget(name: "FuzzShellParser", dependencies: ["FuzzMain", .product(name: "ShellKit", package: "tcly")]),
        .executableTarget(name: "FuzzRequestDecoder", dependencies: ["FuzzMain", .product(name: "TranscodelyAPI", package: "tcly")]),
    ]
)
