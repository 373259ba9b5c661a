import EnvelopeTestSupport
import Foundation

/// Keeps the bytes of a message that failed to cross over, so the exact case can be replayed.
///
/// Small messages are shown inline as hex; every failing message is also written to
/// `<repo>/.build/interop-failures/<label>.hex` (git-ignored), whose path the failure message gives.
enum FailureArtifacts {
    static let directory = TestRepository.file(".build/interop-failures")

    static func describe(_ message: [UInt8], label: String) -> String {
        let hex = hexString(message)
        let safeLabel = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
        let file = directory.appendingPathComponent("\(safeLabel).hex")
        var saved = ""
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data((hex + "\n").utf8).write(to: file)
            saved = " (hex saved to \(file.path))"
        } catch {
            saved = " (could not save the hex: \(error))"
        }
        if message.count <= 2048 {
            return "message (\(message.count) bytes)\(saved): \(hex)"
        }
        return "message of \(message.count) bytes\(saved)"
    }
}
