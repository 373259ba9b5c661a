// swift-tools-version:6.1
import PackageDescription

// `make bench-small`: small-message rates on one core, allocations per message, and the 1 MiB
// one-shot figures, beside the bounds they are judged against (Benchmarks/small_messages.py runs
// it with OpenSSL and the Python ESDK in the same run). Public API only; depends on nothing but the
// root package, so it builds offline from the root's own dependency cache.
let package = Package(
    name: "EnvelopeSmallMessagesBench",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "EnvelopeKit", path: "../.."),
    ],
    targets: [
        // Counts heap allocations (malloc, calloc, realloc, aligned allocations) of the process by
        // interposing the allocator entry points; the count is read around a measured loop.
        .target(name: "CMallocCounter", path: "Sources/CMallocCounter"),
        .executableTarget(
            name: "envelope-bench-small",
            dependencies: [
                "CMallocCounter",
                .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                .product(name: "EnvelopeCrypto", package: "EnvelopeKit"),
                .product(name: "EnvelopeKMS", package: "EnvelopeKit"),
                .product(name: "EnvelopeLocalKMS", package: "EnvelopeKit"),
            ],
            path: "Sources/envelope-bench-small"
        ),
    ]
)
