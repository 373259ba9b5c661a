// swift-tools-version:6.1
import PackageDescription

// Benchmarks for EnvelopeKit (issue 7): package-benchmark suites and a small release-built file
// tool that compare.sh times as "our whole process" until the `envelope` CLI is available.
// Run: `swift package benchmark` here, or `make bench` (compare.sh) from the repository root.
let package = Package(
    name: "EnvelopeBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "EnvelopeKit", path: ".."),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EnvelopeThroughput",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                .product(name: "EnvelopeCrypto", package: "EnvelopeKit"),
            ],
            path: "Benchmarks/EnvelopeThroughput",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EnvelopeKMSRate",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                .product(name: "EnvelopeCrypto", package: "EnvelopeKit"),
                .product(name: "EnvelopeKMS", package: "EnvelopeKit"),
                .product(name: "EnvelopeLocalKMS", package: "EnvelopeKit"),
            ],
            path: "Benchmarks/EnvelopeKMSRate",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "envelope-bench-rsa-timing",
            dependencies: [.product(name: "EnvelopeCrypto", package: "EnvelopeKit")],
            path: "Sources/envelope-bench-rsa-timing"
        ),
        .executableTarget(
            name: "envelope-bench-file",
            dependencies: [
                .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                .product(name: "EnvelopeCrypto", package: "EnvelopeKit"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Sources/envelope-bench-file"
        ),
    ]
)
