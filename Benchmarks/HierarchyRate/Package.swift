// swift-tools-version:6.1
import PackageDescription

// `make bench-hierarchy`: 1 KiB messages through the hierarchical keyring (branch key store over
// an in-process DynamoDB table and the in-process local KMS) beside the raw AES keyring in the
// same run, with the KMS and DynamoDB calls they cost. Public API only; depends on nothing but
// the root package.
let package = Package(
    name: "EnvelopeHierarchyBench",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "EnvelopeKit", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "envelope-bench-hierarchy",
            dependencies: [
                .product(name: "EnvelopeCore", package: "EnvelopeKit"),
                .product(name: "EnvelopeCrypto", package: "EnvelopeKit"),
                .product(name: "EnvelopeKMS", package: "EnvelopeKit"),
                .product(name: "EnvelopeLocalKMS", package: "EnvelopeKit"),
            ],
            path: "Sources/envelope-bench-hierarchy"
        ),
    ]
)
