import EnvelopeCrypto

/// The encrypt direction of the body engine: every public encrypt call (bytes, file, descriptor)
/// builds a ``FrameEncryptor`` and hands it here with a source and a sink.
enum EncryptBody {
    /// Writes the header, the frames and the footer from `source` to `sink` in `mode`. Returns
    /// the message for a ``BodySink/bytes`` sink, else an empty array.
    static func run(_ encryptor: FrameEncryptor, from source: BodySource, to sink: BodySink, mode: BodyMode,
                    progress: (@Sendable (Int64) -> Void)? = nil) async throws -> [UInt8] {
        switch (mode, source, sink) {
        case (.sequential, .bytes(let plaintext, let offset), .bytes):
            return try sealInMemory(encryptor, plaintext, from: offset)
        case (.sequential, .file(let input, let leftover), .file(let output)):
            precondition(leftover.isEmpty, "an encrypt source has no leftover")
            try output.write(encryptor.headerBytes)
            try sealFromFile(encryptor, input: input, output: output, progress: progress)
            return []
        case (.pipelined(let jobs), _, _):
            let job = PipelineHandoff(value: (encryptor, source, sink))
            return try await runOnDedicatedThread { () -> [UInt8] in
                let (encryptor, source, sink) = job.value
                return try pipelined(encryptor, jobs: jobs, source: source, sink: sink, progress: progress)
            }
        default:
            preconditionFailure("no public API encrypts between these source and sink kinds sequentially")
        }
    }

    /// Exact size of the message for `plaintextLength` bytes (the footer of signed suites at its largest).
    static func messageCapacity(_ encryptor: FrameEncryptor, plaintextLength: Int) -> Int {
        let frameLength = encryptor.frameLength
        let fullFrames = plaintextLength / frameLength
        return encryptor.headerBytes.count + fullFrames * FrameEncryptor.frameSize(contentLength: frameLength, isFinal: false)
            + FrameEncryptor.frameSize(contentLength: plaintextLength - fullFrames * frameLength, isFinal: true)
            + (encryptor.suite.isSigned ? FrameEncryptor.maxFooterLength : 0)
    }

    /// The one-shot hot path: frames sealed straight into the result; one allocation (the result).
    private static func sealInMemory(_ encryptor: FrameEncryptor, _ plaintext: [UInt8], from offset: Int) throws -> [UInt8] {
        let frameLength = encryptor.frameLength
        let length = plaintext.count - offset
        let fullFrames = length / frameLength
        let header = encryptor.headerBytes
        var sealer = try SequentialSealer(encryptor)
        return try [UInt8](byteCapacity: messageCapacity(encryptor, plaintextLength: length)) { buffer, count in
            let out = UnsafeMutableRawBufferPointer(buffer)
            count = 0
            header.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            var o = header.count
            try plaintext.withUnsafeBytes { all in
                let input = UnsafeRawBufferPointer(rebasing: all[offset...])
                for i in 0..<fullFrames {
                    let slice = UnsafeRawBufferPointer(rebasing: input[(i * frameLength)..<((i + 1) * frameLength)])
                    o += try sealer.seal(slice, isFinal: false, into: UnsafeMutableRawBufferPointer(rebasing: out[o...]))
                }
                // Spec: message-body.md — an exact multiple of the frame length ends with an empty final frame.
                let last = UnsafeRawBufferPointer(rebasing: input[(fullFrames * frameLength)...])
                o += try sealer.seal(last, isFinal: true, into: UnsafeMutableRawBufferPointer(rebasing: out[o...]))
            }
            let footer = try encryptor.footer()
            for b in footer { out[o] = b; o += 1 }
            count = o
        }
    }

    /// Frames longer than the pipeline takes: the step-by-step engine (``EncryptCursor``, also
    /// behind ``EncryptingStream``) fed by blocking reads.
    private static func sealFromFile(_ encryptor: FrameEncryptor, input: EngineFile, output: EngineFile,
                                     progress: (@Sendable (Int64) -> Void)?) throws {
        let cursor = try EncryptCursor(encryptor)
        var consumed: Int64 = 0
        while true {
            let more = try cursor.collect(reading: { try input.read(into: $0) })
            consumed += Int64(cursor.frame.count)
            try output.write(try cursor.sealCollected(isFinal: !more))
            progress?(consumed)
            if !more { return }
        }
    }

    /// Runs on the pipeline's own thread.
    private static func pipelined(_ encryptor: FrameEncryptor, jobs: Int, source: BodySource, sink: BodySink,
                                  progress: (@Sendable (Int64) -> Void)?) throws -> [UInt8] {
        switch (source, sink) {
        case (.bytes(let plaintext, let offset), .bytes):
            let capacity = messageCapacity(encryptor, plaintextLength: plaintext.count - offset)
            return try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                let out = UnsafeMutableRawBufferPointer(buffer)
                count = 0
                var o = 0
                let append: BodyWrite = { bytes in
                    precondition(o + bytes.count <= out.count, "ciphertext larger than computed")
                    if bytes.count > 0 { (out.baseAddress! + o).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                    o += bytes.count
                }
                try encryptor.headerBytes.withUnsafeBytes { try append($0) }
                try plaintext.withUnsafeBytes { all in
                    _ = try ParallelBody.encrypt(encryptor, jobs: jobs, input: .memory(UnsafeRawBufferPointer(rebasing: all[offset...])),
                                                 write: append, progress: progress)
                }
                count = o
            }
        case (.file(let input, _), .file(let output)):
            try output.write(encryptor.headerBytes)
            try ParallelBody.encrypt(encryptor, jobs: jobs, read: { try input.read(into: $0) }, write: { try output.write($0) },
                                     progress: progress)
            return []
        default:
            preconditionFailure("no public API encrypts between these source and sink kinds")
        }
    }
}
