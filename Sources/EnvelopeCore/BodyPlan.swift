/// How the body engine runs one message, chosen once per message by ``BodyPlan/mode(framed:frameLength:inMemoryLength:concurrency:)``.
enum BodyMode: Equatable, Sendable {
    /// Frame after frame on the calling task: no thread, no pipeline buffers. In-memory messages
    /// are sealed or opened straight between the caller's buffer and the result.
    case sequential
    /// Through ``FramePipeline`` on its own thread(s), `jobs` cores sealing or opening batches.
    case pipelined(jobs: Int)
}

/// The one place that decides sequential or pipelined (issue 14, item 1).
///
/// Every public entry point runs the body through the engine: one-shot bytes, files and
/// descriptors through ``EncryptBody``/``DecryptBody`` in the mode chosen here; the
/// `AsyncSequence` streams are always sequential (their consumer pulls one frame at a time) and
/// drive the same step-by-step engine the sequential file path uses (``EncryptCursor``,
/// ``DecryptCursor``).
enum BodyPlan {
    /// - Parameters:
    ///   - framed: false for a legacy non-framed body (always sequential).
    ///   - frameLength: the message's frame length.
    ///   - inMemoryLength: the body's size when it is all in memory; nil for files and descriptors.
    ///   - concurrency: the client's ``EnvelopeClient/concurrency``.
    static func mode(framed: Bool, frameLength: Int, inMemoryLength: Int?, concurrency: Int) -> BodyMode {
        guard framed, frameLength <= ParallelBody.maxFrameLength else { return .sequential }
        guard let length = inMemoryLength else {
            // Files and descriptors: even on one core a second thread overlaps reads and writes
            // (and the digest of signed suites) with the AES work.
            return .pipelined(jobs: Swift.max(1, concurrency))
        }
        // In memory, threads only pay for themselves on large bodies and several cores; small
        // messages stay on the caller's task without any setup.
        return concurrency > 1 && length >= 2 * ParallelBody.batchBytes ? .pipelined(jobs: concurrency) : .sequential
    }
}

/// Where a message's bytes come from.
enum BodySource {
    /// All of it in memory; `offset` is where the part still to process starts (after a header).
    case bytes([UInt8], offset: Int)
    /// A file or descriptor; `leftover` was already read from it (after a header).
    case file(EngineFile, leftover: [UInt8])
}

/// Where a message's output goes.
enum BodySink {
    /// Into the array the engine returns.
    case bytes
    /// Written as produced (for decryption: only verified plaintext, the signed final frame held).
    case file(EngineFile)
}
