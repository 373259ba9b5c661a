import Foundation

/// Where the test helpers find things in the checkout.
public enum TestRepository {
    /// The repository root (this file is `<repo>/Tests/EnvelopeTestSupport/TestRepository.swift`).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `path` (relative to the repository root) as a file URL.
    public static func file(_ path: String) -> URL {
        root.appendingPathComponent(path)
    }
}
