// swift-tools-version:6.2
import PackageDescription

// Module map: ../shared/DESIGN.md ("Modules"). Library users who only need EnvelopeCore or
// EnvelopeKMS build neither the HTTP stack nor the samples.
let package = Package(
    name: "EnvelopeKit",
    // macOS 13 for every library but EnvelopeLocalKMSServer (Hummingbird 2: macOS 14, marked @available).
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "EnvelopeCrypto", targets: ["EnvelopeCrypto"]),
        .library(name: "EnvelopeCore", targets: ["EnvelopeCore"]),
        .library(name: "EnvelopeKMS", targets: ["EnvelopeKMS"]),
        .library(name: "EnvelopeKMSPolicy", targets: ["EnvelopeKMSPolicy"]),
        .library(name: "EnvelopeLocalKMS", targets: ["EnvelopeLocalKMS"]),
        .library(name: "EnvelopeSigV4", targets: ["EnvelopeSigV4"]),
        .library(name: "EnvelopeKMSHTTP", targets: ["EnvelopeKMSHTTP"]),
        .library(name: "EnvelopeLocalKMSServer", targets: ["EnvelopeLocalKMSServer"]),
        // Test helpers (repository paths, the Python venv, servers and fixtures) for this package's
        // tests and the samples package's; not part of the SDK's API.
        .library(name: "EnvelopeTestSupport", targets: ["EnvelopeTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // EnvelopeCore's descriptor APIs take swift-system's FileDescriptor.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // Only EnvelopeKMSHTTP and EnvelopeLocalKMSServer (and their tests) depend on these.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Observability (metric and span names: EnvelopeCore.docc "Observability"). Hummingbird already
        // brings all three; EnvelopeCore and EnvelopeKMSHTTP use only Metrics and Tracing, which have
        // no dependencies beyond swift-service-context.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CEnvelopeOpenSSL",
            path: "Sources/CEnvelopeOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CEnvelopeSodium",
            path: "Sources/CEnvelopeSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .target(
            name: "EnvelopeCrypto",
            dependencies: ["CEnvelopeOpenSSL", "CEnvelopeSodium"]
        ),
        .target(
            name: "EnvelopeCore",
            dependencies: ["EnvelopeCrypto", .product(name: "Logging", package: "swift-log"),
                           .product(name: "SystemPackage", package: "swift-system"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Tracing", package: "swift-distributed-tracing")]
        ),
        .target(
            name: "EnvelopeKMS",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto", .product(name: "Logging", package: "swift-log"),
                           .product(name: "SystemPackage", package: "swift-system")]
        ),
        // The policy language and the KMS evaluator: one engine for the local KMS and `policy simulate`.
        .target(name: "EnvelopeKMSPolicy", dependencies: ["EnvelopeKMS"]),
        .target(
            name: "EnvelopeLocalKMS",
            dependencies: ["EnvelopeKMSPolicy", "EnvelopeKMS", "EnvelopeCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        // SigV4 signing and verification: a leaf shared by the HTTP transport and the local KMS server.
        .target(
            name: "EnvelopeSigV4",
            dependencies: ["EnvelopeCrypto"]
        ),
        .target(
            name: "EnvelopeKMSHTTP",
            dependencies: [
                "EnvelopeKMS", "EnvelopeSigV4", "EnvelopeCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // NIOConnectionError (why a connection failed); NIOPosix comes in with AsyncHTTPClient anyway.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "EnvelopeLocalKMSServer",
            dependencies: [
                "EnvelopeLocalKMS", "EnvelopeSigV4", "EnvelopeKMS", "EnvelopeCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Helpers shared by the test targets: repository root, the Python test venv and its helper
        // processes, hex, a manual clock, a log recorder.
        .target(
            name: "EnvelopeTestSupport",
            dependencies: [
                // AWSEndpointFakes check SigV4 signatures with EnvelopeSigV4's verifier.
                "EnvelopeSigV4", "EnvelopeCrypto",
                // CrossAccountStory: the story of DESIGN.md on the in-process local KMS.
                "EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS",
                // SecretScan: the data-key tap of the secret-hygiene scans.
                "EnvelopeCore",
                .product(name: "Logging", package: "swift-log"),
                // LoopbackHTTPServer: the loopback fakes of the credential endpoints (IMDS, container, STS, SSO) and KMS.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // RecordedSpans: the text of finished spans, for the secret scans.
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/EnvelopeTestSupport"
        ),
        // Vectors: Project Wycheproof's JSON files (Vectors/SOURCE.md).
        .testTarget(name: "EnvelopeCryptoTests", dependencies: ["EnvelopeCrypto", "EnvelopeTestSupport"], resources: [.copy("Vectors")]),
        .testTarget(
            name: "EnvelopeSigV4Tests",
            dependencies: ["EnvelopeSigV4", "EnvelopeCrypto", "EnvelopeTestSupport"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeCoreTests",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport", .product(name: "SystemPackage", package: "swift-system"),
                           .product(name: "MetricsTestKit", package: "swift-metrics"),
                           .product(name: "InMemoryTracing", package: "swift-distributed-tracing")],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeKMSTests",
            dependencies: ["EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS", "EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport",
                           .product(name: "SystemPackage", package: "swift-system"),
                           .product(name: "MetricsTestKit", package: "swift-metrics"),
                           .product(name: "InMemoryTracing", package: "swift-distributed-tracing")],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeKMSPolicyTests",
            dependencies: ["EnvelopeKMSPolicy", "EnvelopeKMS", "EnvelopeLocalKMS", "EnvelopeTestSupport"]
        ),
        .testTarget(
            name: "EnvelopeLocalKMSTests",
            dependencies: ["EnvelopeLocalKMS", "EnvelopeKMSPolicy", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport",
                           .product(name: "InMemoryTracing", package: "swift-distributed-tracing")]
        ),
        .testTarget(
            name: "EnvelopeKMSHTTPTests",
            dependencies: [
                "EnvelopeKMSHTTP", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeLocalKMSServerTests",
            dependencies: [
                "EnvelopeLocalKMSServer", "EnvelopeKMSHTTP", "EnvelopeLocalKMS", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto",
                "EnvelopeTestSupport",
                .product(name: "Logging", package: "swift-log"),
                // Observability tests: metrics, spans and the server as a Service.
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Interop with the official AWS Encryption SDK for Python (Tests/Interop/esdk_peer.py, venv from `make venv`).
        .testTarget(name: "InteropTests", dependencies: ["EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport"]),
    ]
)

// `make docs` (scripts/docs.sh) sets ENVELOPE_DOCS=1 to add the DocC plugin. Library users and the
// other builds never resolve it (see scripts/check-library-dependencies.sh).
if Context.environment["ENVELOPE_DOCS"] == "1" {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}
