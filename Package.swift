// swift-tools-version:6.0
import PackageDescription

// Module map: ../shared/DESIGN.md ("Modules"). Library users who only need EnvelopeCore or
// EnvelopeKMS build neither the HTTP stack nor the samples.
let package = Package(
    name: "EnvelopeKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "EnvelopeCrypto", targets: ["EnvelopeCrypto"]),
        .library(name: "EnvelopeCore", targets: ["EnvelopeCore"]),
        .library(name: "EnvelopeKMS", targets: ["EnvelopeKMS"]),
        .library(name: "EnvelopeKMSPolicy", targets: ["EnvelopeKMSPolicy"]),
        .library(name: "EnvelopeLocalKMS", targets: ["EnvelopeLocalKMS"]),
        .library(name: "EnvelopeKMSHTTP", targets: ["EnvelopeKMSHTTP"]),
        .library(name: "EnvelopeLocalKMSServer", targets: ["EnvelopeLocalKMSServer"]),
        .executable(name: "raw-aes-file-demo", targets: ["RawAESFileDemo"]),
        .executable(name: "envelope", targets: ["envelope"]),
        .executable(name: "cross-account-walkthrough", targets: ["CrossAccountWalkthrough"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Only EnvelopeKMSHTTP and EnvelopeLocalKMSServer (and their tests) depend on these.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Only the `envelope` CLI (Samples/) depends on this.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
            dependencies: ["EnvelopeCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "EnvelopeKMS",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        // The policy language and the KMS evaluator: one engine for the local KMS and `policy simulate`.
        .target(name: "EnvelopeKMSPolicy", dependencies: ["EnvelopeKMS"]),
        .target(
            name: "EnvelopeLocalKMS",
            dependencies: ["EnvelopeKMSPolicy", "EnvelopeKMS", "EnvelopeCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "EnvelopeKMSHTTP",
            dependencies: [
                "EnvelopeKMS", "EnvelopeCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "EnvelopeLocalKMSServer",
            dependencies: [
                "EnvelopeLocalKMS", "EnvelopeKMSHTTP", "EnvelopeKMS", "EnvelopeCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "RawAESFileDemo",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto"],
            path: "Samples/RawAESFileDemo"
        ),
        // The `envelope` CLI: its logic lives in EnvelopeCLICore (testable); the executable is a thin `main`.
        .target(
            name: "EnvelopeCLICore",
            dependencies: [
                "EnvelopeCore", "EnvelopeCrypto", "EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS", "EnvelopeKMSHTTP", "EnvelopeLocalKMSServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Samples/EnvelopeCLICore"
        ),
        .executableTarget(
            name: "envelope",
            dependencies: ["EnvelopeCLICore"],
            path: "Samples/envelope",
            exclude: ["README.md"]
        ),
        // The cross-account walkthrough (DocC article: EnvelopeKMS.docc/CrossAccountKeys.md).
        .target(
            name: "CrossAccountWalkthroughKit",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto", "EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS"],
            path: "Samples/CrossAccountWalkthrough/Walkthrough"
        ),
        .executableTarget(
            name: "CrossAccountWalkthrough",
            dependencies: ["CrossAccountWalkthroughKit"],
            path: "Samples/CrossAccountWalkthrough/Main"
        ),
        // Helpers shared by the test targets: repository root, the Python test venv and its helper
        // processes, hex, a manual clock, a log recorder.
        .target(
            name: "EnvelopeTestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/EnvelopeTestSupport"
        ),
        .testTarget(name: "EnvelopeCryptoTests", dependencies: ["EnvelopeCrypto", "EnvelopeTestSupport"]),
        .testTarget(
            name: "EnvelopeCoreTests",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeKMSTests",
            dependencies: ["EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS", "EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeKMSPolicyTests",
            dependencies: ["EnvelopeKMSPolicy", "EnvelopeKMS", "EnvelopeLocalKMS", "EnvelopeTestSupport"]
        ),
        .testTarget(
            name: "EnvelopeLocalKMSTests",
            dependencies: ["EnvelopeLocalKMS", "EnvelopeKMSPolicy", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport"]
        ),
        .testTarget(
            name: "EnvelopeKMSHTTPTests",
            dependencies: [
                "EnvelopeKMSHTTP", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeLocalKMSServerTests",
            dependencies: [
                "EnvelopeLocalKMSServer", "EnvelopeKMSHTTP", "EnvelopeLocalKMS", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto",
                "EnvelopeTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Interop with the official AWS Encryption SDK for Python (Tests/Interop/esdk_peer.py, venv from `make venv`).
        .testTarget(name: "InteropTests", dependencies: ["EnvelopeCore", "EnvelopeCrypto", "EnvelopeTestSupport"]),
        // Runs the built `envelope` and `cross-account-walkthrough` binaries as a user would; depending on the
        // executables makes `swift build --build-tests` / `swift test` build them first.
        .testTarget(
            name: "EnvelopeCLITests",
            dependencies: ["envelope", "CrossAccountWalkthrough", "CrossAccountWalkthroughKit", "EnvelopeCLICore",
                           "EnvelopeCore", "EnvelopeCrypto", "EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS", "EnvelopeTestSupport"]
        ),
    ]
)
