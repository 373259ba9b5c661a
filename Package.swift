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
        .library(name: "EnvelopeLocalKMS", targets: ["EnvelopeLocalKMS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        .target(
            name: "EnvelopeLocalKMS",
            dependencies: ["EnvelopeKMS", "EnvelopeCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "EnvelopeCryptoTests", dependencies: ["EnvelopeCrypto"]),
        .testTarget(
            name: "EnvelopeCoreTests",
            dependencies: ["EnvelopeCore", "EnvelopeCrypto"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EnvelopeKMSTests",
            dependencies: ["EnvelopeKMS", "EnvelopeLocalKMS", "EnvelopeCore", "EnvelopeCrypto"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(name: "EnvelopeLocalKMSTests", dependencies: ["EnvelopeLocalKMS", "EnvelopeKMS", "EnvelopeCore", "EnvelopeCrypto"]),
    ]
)
