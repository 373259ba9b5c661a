import Foundation

/// Reading test data copied into a test target's `Vectors` resource folder.
public enum TestFiles {
    /// The UTF-8 text of `url`.
    public static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    /// The folders directly inside `url`, sorted by name.
    public static func subdirectories(_ url: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
