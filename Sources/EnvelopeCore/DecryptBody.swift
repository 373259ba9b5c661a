import EnvelopeCrypto

/// The decrypt direction of the body engine: every public decrypt call (bytes, file, descriptor)
/// parses the header, builds a ``FrameDecryptor`` and hands it here with a source and a sink.
///
/// Nothing unverified is released: frames are written only after their tag verifies, and for
/// signed suites the final frame is held until the signature verifies. A ``BodySink/bytes``
/// result is returned only when everything verified, and is wiped otherwise.
enum DecryptBody {
    /// Opens the body (everything after the header) from `source` into `sink` in `mode`.
    /// Returns the plaintext for a ``BodySink/bytes`` sink, else an empty array.
    static func run(_ decryptor: FrameDecryptor, from source: BodySource, to sink: BodySink, mode: BodyMode,
                    progress: (@Sendable (Int64) -> Void)? = nil) async throws -> [UInt8] {
        switch (mode, source, sink) {
        case (.sequential, .bytes(let message, let offset), .bytes):
            return try openInMemory(decryptor, message, from: offset)
        case (.sequential, .file(let input, let leftover), .file(let output)):
            try openFromFile(decryptor, input: input, leftover: leftover, output: output, progress: progress)
            return []
        case (.pipelined(let jobs), _, _):
            let job = PipelineHandoff(value: (decryptor, source, sink))
            return try await runOnDedicatedThread { () -> [UInt8] in
                let (decryptor, source, sink) = job.value
                return try pipelined(decryptor, jobs: jobs, source: source, sink: sink, progress: progress)
            }
        default:
            preconditionFailure("no public API decrypts between these source and sink kinds sequentially")
        }
    }

    /// The one-shot hot path: frames opened straight into the result.
    private static func openInMemory(_ decryptor: FrameDecryptor, _ message: [UInt8], from bodyOffset: Int) throws -> [UInt8] {
        try [UInt8](byteCapacity: Swift.max(message.count - bodyOffset, 0)) { buffer, count in
            count = 0
            let out = UnsafeMutableRawBufferPointer(buffer)
            var produced = 0
            do {
                try message.withUnsafeBytes { input in
                    var offset = bodyOffset
                    while true {
                        let step = try decryptor.step(UnsafeRawBufferPointer(rebasing: input[offset...]),
                                                      output: UnsafeMutableRawBufferPointer(rebasing: out[produced...]))
                        switch step {
                        case .needMoreInput:
                            throw EnvelopeError.malformed("the message is truncated (\(message.count) bytes)")
                        case .frame(let consumed, _):
                            offset += consumed
                            let p = decryptor.plaintext
                            if p.count > 0 {
                                let target = out.baseAddress!.advanced(by: produced)
                                if p.baseAddress! != UnsafeRawPointer(target) {
                                    target.copyMemory(from: p.baseAddress!, byteCount: p.count)
                                }
                                produced += p.count
                            }
                        case .finished(let consumed):
                            offset += consumed
                            guard offset == input.count else {
                                throw EnvelopeError.malformed("\(input.count - offset) unexpected bytes follow the end of the message")
                            }
                            return
                        }
                    }
                }
            } catch {
                ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: out[0..<produced]))
                throw error
            }
            count = produced
        }
    }

    /// Non-framed bodies and frames longer than the pipeline takes: the step-by-step engine
    /// (``DecryptCursor``, also behind ``DecryptingStream``) fed by blocking reads.
    private static func openFromFile(_ decryptor: FrameDecryptor, input source: EngineFile, leftover: [UInt8], output: EngineFile,
                                     progress: (@Sendable (Int64) -> Void)?) throws {
        let cursor = DecryptCursor()
        defer { cursor.abandon() }
        leftover.withUnsafeBytes { cursor.append($0) }
        cursor.start(decryptor)
        let base = Int64(decryptor.header.totalLength)
        progress?(base + Int64(cursor.received))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            switch try cursor.step() {
            case .needMoreInput:
                guard try cursor.append(reading: { try source.read(into: $0) }, scratch: &chunk) else {
                    throw EnvelopeError.malformed("the message is truncated")
                }
                progress?(base + Int64(cursor.received))
            case .plaintext(let plaintext):
                try output.write(plaintext)
            case .held:
                continue
            case .finished:
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                guard n == 0 else { throw EnvelopeError.malformed("unexpected bytes follow the end of the message") }
                try output.write(cursor.held.readable)
                return
            }
        }
    }

    /// Runs on the pipeline's own thread.
    private static func pipelined(_ decryptor: FrameDecryptor, jobs: Int, source: BodySource, sink: BodySink,
                                  progress: (@Sendable (Int64) -> Void)?) throws -> [UInt8] {
        switch (source, sink) {
        case (.bytes(let message, let bodyOffset), .bytes):
            return try [UInt8](unsafeUninitializedCapacity: message.count - bodyOffset) { buffer, count in
                let out = UnsafeMutableRawBufferPointer(buffer)
                count = 0
                var produced = 0
                do {
                    try message.withUnsafeBytes { input in
                        _ = try ParallelBody.decrypt(decryptor, jobs: jobs, input: .memory(UnsafeRawBufferPointer(rebasing: input[bodyOffset...])),
                                                 write: { bytes in
                            precondition(produced + bytes.count <= out.count, "plaintext larger than the message")
                            if bytes.count > 0 { (out.baseAddress! + produced).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                            produced += bytes.count
                        })
                    }
                } catch {
                    ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: out[0..<produced]))
                    throw error
                }
                count = produced
            }
        case (.file(let input, let leftover), .file(let output)):
            var prefix = leftover
            var prefixOffset = 0
            try ParallelBody.decrypt(decryptor, jobs: jobs, read: { buffer in
                if prefixOffset < prefix.count {
                    let n = Swift.min(buffer.count, prefix.count - prefixOffset)
                    let start = prefixOffset
                    prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: n) }
                    prefixOffset += n
                    if prefixOffset == prefix.count { prefix = []; prefixOffset = 0 }
                    return n
                }
                return try input.read(into: buffer)
            }, write: { try output.write($0) }, progress: progress, progressBase: Int64(decryptor.header.totalLength))
            return []
        default:
            preconditionFailure("no public API decrypts between these source and sink kinds")
        }
    }
}
