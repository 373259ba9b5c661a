import Foundation

/// Locations of the test data copied into this test target.
enum TestData {
    /// `Tests/EnvelopeKMSHTTPTests/Vectors`.
    static var vectors: URL {
        Bundle.module.url(forResource: "Vectors", withExtension: nil)!
    }

    static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    static func subdirectories(_ url: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
