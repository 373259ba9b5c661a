// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for EnvelopeKit (issue 8). Built only by scripts/fuzz.sh with
// `-sanitize=fuzzer,address`; never part of the root package's build or tests.
let package = Package(
    name: "EnvelopeFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "EnvelopeKit", path: ".."),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "EnvelopeCore", package: "EnvelopeKit"),
            .product(name: "EnvelopeCrypto", package: "EnvelopeKit"),
        ]),
        .executableTarget(name: "FuzzHeader", dependencies: ["FuzzSupport", .product(name: "EnvelopeCore", package: "EnvelopeKit")]),
        .executableTarget(name: "FuzzBody", dependencies: ["FuzzSupport", .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                                                           .product(name: "SystemPackage", package: "swift-system")]),
        .executableTarget(name: "FuzzDecrypt", dependencies: ["FuzzSupport", .product(name: "EnvelopeCore", package: "EnvelopeKit")]),
        // Differential fuzzer against the Python ESDK (scripts/fuzz-diff.sh); a plain program, not a libFuzzer target.
        .executableTarget(name: "FuzzDiff", dependencies: ["FuzzSupport", .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                                                           .product(name: "EnvelopeCrypto", package: "EnvelopeKit")]),
    ]
)
