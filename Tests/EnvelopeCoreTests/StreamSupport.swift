import Testing
import EnvelopeTestSupport
@testable import EnvelopeCore

/// Collects the chunks of a stream, and the error that ended it (if any).
func collect<S: AsyncSequence>(_ stream: S) async -> (chunks: [[UInt8]], error: (any Error)?) where S.Element == [UInt8] {
    var chunks: [[UInt8]] = []
    do {
        for try await chunk in stream { chunks.append(chunk) }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}
