import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

extension LocalKMS {
    /// The decision log's file name in the state directory (one JSON line per decision).
    public static let decisionLogFileName = "trail.jsonl"

    /// How many decisions an in-memory KMS keeps (the older half is dropped when full).
    public static let memoryDecisionLimit = 10_000

    /// The path of the decision log, when the KMS has a state directory.
    public nonisolated var decisionLogPath: String? { stateDirectory.map { $0 + "/" + LocalKMS.decisionLogFileName } }

    /// Every decision so far: read from the state directory's log (all processes sharing it),
    /// or, for an in-memory KMS, the most recent ones (at most ``memoryDecisionLimit``).
    public func decisionLog() throws -> [LocalKMSDecision] {
        guard let path = decisionLogPath else { return memoryDecisions }
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try LocalKMSDecision(jsonLine: String($0)) }
    }

    /// Appends a decision: one line, written with O_APPEND so that processes sharing the state
    /// directory interleave whole lines.
    func record(_ decision: LocalKMSDecision) {
        guard let path = decisionLogPath else {
            // An in-memory KMS keeps the most recent decisions only, so a long-running process
            // (a benchmark, a server without a state directory) does not grow without bound.
            if memoryDecisions.count >= LocalKMS.memoryDecisionLimit { memoryDecisions.removeFirst(memoryDecisions.count / 2) }
            memoryDecisions.append(decision)
            return
        }
        guard let line = try? decision.jsonLine() else { return }
        if let failure = appendLine(Array((line + "\n").utf8), to: path) {
            logger.warning("local KMS: cannot append to the decision log \(path) (errno \(failure))")
        }
    }
}

/// Appends bytes to a file opened with O_APPEND (created 0600); the errno on failure.
private func appendLine(_ bytes: [UInt8], to path: String) -> Int32? {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return errno }
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    return written == bytes.count ? nil : errno
}
