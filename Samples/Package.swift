// swift-tools-version:6.0
import PackageDescription

// The samples: the `envelope` CLI, the cross-account walkthrough and a raw-AES file demo. A package of
// their own, so that a library user of EnvelopeKit never resolves ArgumentParser or builds the CLI.
// Build and test from the repository root with `make build` / `make test`, or here with `swift build`.
/// Products of the EnvelopeKit libraries (the root package).
func kit(_ names: String...) -> [Target.Dependency] {
    names.map { .product(name: $0, package: "EnvelopeKit") }
}

let package = Package(
    name: "EnvelopeKitSamples",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "envelope", targets: ["envelope"]),
        .executable(name: "cross-account-walkthrough", targets: ["CrossAccountWalkthrough"]),
        .executable(name: "raw-aes-file-demo", targets: ["RawAESFileDemo"]),
    ],
    dependencies: [
        .package(name: "EnvelopeKit", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The CLI hands descriptors to EnvelopeCore's swift-system FileDescriptor APIs.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "RawAESFileDemo",
            dependencies: kit("EnvelopeCore", "EnvelopeCrypto"),
            path: "RawAESFileDemo"
        ),
        // The `envelope` CLI: its logic lives in EnvelopeCLICore (testable); the executable is a thin `main`.
        .target(
            name: "EnvelopeCLICore",
            dependencies: kit("EnvelopeCore", "EnvelopeCrypto", "EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS", "EnvelopeKMSHTTP",
                              "EnvelopeLocalKMSServer") + [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "EnvelopeCLICore",
            plugins: ["GitCommitPlugin"]
        ),
        // Bakes the git commit into `envelope --version` ("unknown" outside git).
        .plugin(name: "GitCommitPlugin", capability: .buildTool(), path: "Plugins/GitCommitPlugin"),
        .executableTarget(
            name: "envelope",
            dependencies: ["EnvelopeCLICore"],
            path: "envelope",
            exclude: ["README.md"]
        ),
        // The cross-account walkthrough (DocC article: EnvelopeKMS.docc/CrossAccountWalkthrough.md).
        .target(
            name: "CrossAccountWalkthroughKit",
            dependencies: kit("EnvelopeCore", "EnvelopeCrypto", "EnvelopeKMS", "EnvelopeKMSPolicy", "EnvelopeLocalKMS"),
            path: "CrossAccountWalkthrough/Walkthrough"
        ),
        .executableTarget(
            name: "CrossAccountWalkthrough",
            dependencies: ["CrossAccountWalkthroughKit"],
            path: "CrossAccountWalkthrough/Main"
        ),
        // Runs the built `envelope` and `cross-account-walkthrough` binaries as a user would; depending on the
        // executables makes `swift build --build-tests` / `swift test` build them first.
        .testTarget(
            name: "EnvelopeCLITests",
            dependencies: ["envelope", "CrossAccountWalkthrough", "CrossAccountWalkthroughKit", "EnvelopeCLICore"]
                + kit("EnvelopeCore", "EnvelopeCrypto", "EnvelopeKMS", "EnvelopeKMSHTTP", "EnvelopeKMSPolicy", "EnvelopeLocalKMS", "EnvelopeTestSupport"),
            path: "Tests/EnvelopeCLITests",
            // The --help transcripts, read by path (HelpGoldenTests).
            exclude: ["Resources"]
        ),
    ]
)
