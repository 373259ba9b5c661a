#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import EnvelopeCrypto

/// Moves a non-`Sendable` value to the pipeline's own thread; the sender no longer touches it.
final class PipelineHandoff<Value>: @unchecked Sendable {
    let value: Value
    init(value: Value) { self.value = value }
}

extension EnvelopeClient {
    /// File-to-file encryption through ``FramePipeline``: large reads and writes, frames sealed on
    /// ``concurrency`` cores, the digest beside them. The caller has the atomic output file open.
    func encryptFilePipelined(_ encryptor: FrameEncryptor, input: URL, output: FileDescriptor) async throws {
        let job = PipelineHandoff(value: (encryptor, output))
        let jobs = Swift.max(1, concurrency)
        let path = input.path
        try await runOnDedicatedThread {
            let (encryptor, output) = job.value
            let source = try FileDescriptor(reading: URL(fileURLWithPath: path))
            try encryptor.headerBytes.withUnsafeBytes { try output.write(raw: $0) }
            try ParallelBody.encrypt(encryptor, jobs: jobs, read: { try source.read(into: $0) }, write: { try output.write(raw: $0) })
        }
    }

    /// File-to-file decryption through ``FramePipeline``. Returns nil (having written nothing)
    /// when the message is not framed or its frames are too long for the pipeline; the caller
    /// then uses the streaming path.
    func decryptFilePipelined(input: URL, output: URL, materialsManager: any DecryptionMaterialsManager,
                              encryptionContext: EncryptionContext, overwrite: Bool) async throws -> DecryptResult? {
        let source = try FileDescriptor(reading: input)
        let (header, leftover) = try readHeader(source)
        guard header.contentType == .framed, Int(header.frameLength) <= ParallelBody.maxFrameLength else { return nil }
        let (decryptor, materials) = try await makeDecryptor(header: header, materialsManager: materialsManager,
                                                             reproducedEncryptionContext: encryptionContext)
        try await AtomicFileWriter.write(to: output, overwrite: overwrite) { file in
            try await decryptBody(decryptor, source: source, leftover: leftover) { try file.write(raw: $0) }
        }
        return DecryptResult(plaintext: [], encryptionContext: materials.encryptionContext, header: header.info, dataKeyOrigin: materials.dataKeyOrigin)
    }

    /// Reads from `source` until the header parses; returns it and the bytes read after it.
    func readHeader(_ source: FileDescriptor) throws -> (MessageHeader, [UInt8]) {
        let buffered = ByteAccumulator(capacity: 64 * 1024)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            switch try parseHeader(buffered.readable) {
            case .header(let header):
                buffered.consume(header.totalLength)
                return (header, [UInt8](copying: buffered.readable))
            case .needMoreBytes:
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                guard n > 0 else {
                    throw buffered.count == 0
                        ? EnvelopeError(.malformedMessage, "The input is empty; expected an AWS Encryption SDK message.")
                        : EnvelopeError.malformed("the message ends inside its header (\(buffered.count) bytes)")
                }
                chunk.withUnsafeBytes { buffered.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    /// Runs the decrypt pipeline on its own thread: `leftover` first, then the rest of `source`.
    func decryptBody(_ decryptor: FrameDecryptor, source: FileDescriptor, leftover: [UInt8],
                     progress: (@Sendable (Int64) -> Void)? = nil, write: @escaping BodyWrite) async throws {
        let job = PipelineHandoff(value: (decryptor, source, write))
        let base = Int64(decryptor.header.totalLength)
        let jobs = Swift.max(1, concurrency)
        try await runOnDedicatedThread {
            let (decryptor, source, write) = job.value
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
                return try source.read(into: buffer)
            }, write: write, progress: progress, progressBase: base)
        }
    }

    // MARK: - descriptors

    /// Encrypts everything readable from the open descriptor `input` (a file, a pipe, standard
    /// input) into the open descriptor `output`, through the same pipeline as the file helpers:
    /// large reads and writes, frames sealed on ``concurrency`` cores. Neither descriptor is
    /// closed. Message bytes are written as they are produced; if an error is thrown, what was
    /// written is not a complete message.
    ///
    /// - Parameter progress: when given, called (on a pipeline thread, at most once per batch of
    ///   frames) with the cumulative number of plaintext bytes read so far; the last call gives the
    ///   whole input's size. Without it there is no per-batch cost.
    public func encrypt(fromDescriptor input: Int32, toDescriptor output: Int32, keyring: any EncryptionKeyring,
                        encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                        frameLength: Int = EnvelopeClient.defaultFrameLength,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        try await encrypt(fromDescriptor: input, toDescriptor: output, materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                          encryptionContext: encryptionContext, suite: suite, frameLength: frameLength, progress: progress)
    }

    /// Encrypts between descriptors with a materials manager. See ``encrypt(fromDescriptor:toDescriptor:keyring:encryptionContext:suite:frameLength:progress:)``.
    public func encrypt(fromDescriptor input: Int32, toDescriptor output: Int32, materialsManager: any EncryptionMaterialsManager,
                        encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                        frameLength: Int = EnvelopeClient.defaultFrameLength,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        let encryptor = try await makeEncryptor(materialsManager: materialsManager, encryptionContext: encryptionContext,
                                                suite: suite, frameLength: frameLength, plaintextLength: nil)
        let source = FileDescriptor(borrowing: input, name: "input descriptor \(input)")
        let sink = FileDescriptor(borrowing: output, name: "output descriptor \(output)")
        try sink.write(raw: encryptor.headerBytes)
        if frameLength <= ParallelBody.maxFrameLength {
            let job = PipelineHandoff(value: (encryptor, source, sink))
            let jobs = Swift.max(1, concurrency)
            try await runOnDedicatedThread {
                let (encryptor, source, sink) = job.value
                try ParallelBody.encrypt(encryptor, jobs: jobs, read: { try source.read(into: $0) }, write: { try sink.write(raw: $0) },
                                         progress: progress)
            }
        } else {
            // Frames too long for the pipeline's batches: one frame at a time.
            var frame = [UInt8](repeating: 0, count: frameLength + BodyCodec.finalFrameOverhead)
            var plaintext = [UInt8](repeating: 0, count: frameLength)
            defer { plaintext.withUnsafeMutableBytes { ConstantTime.zero($0) } }
            var consumed: Int64 = 0
            while true {
                var n = 0
                var ended = false
                while n < frameLength && !ended {
                    let r = try plaintext.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[n...])) }
                    if r == 0 { ended = true } else { n += r }
                }
                let size = try plaintext.withUnsafeBytes { p in
                    try frame.withUnsafeMutableBytes { try encryptor.sealFrame(UnsafeRawBufferPointer(rebasing: p[0..<n]), isFinal: ended, into: $0) }
                }
                try frame.withUnsafeBytes { try sink.write(raw: UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
                consumed += Int64(n)
                progress?(consumed)
                if ended { break }
            }
            let footer = try encryptor.footer()
            if !footer.isEmpty { try sink.write(raw: footer) }
        }
        return EncryptResult(ciphertext: [], header: encryptor.header.info)
    }

    /// Decrypts the message readable from the open descriptor `input` into `output`. Plaintext
    /// is written as frames verify; for signed suites the final frame is held until the signature
    /// verifies. If an error is thrown, discard what was written. Neither descriptor is closed;
    /// bytes after the end of the message are an error.
    ///
    /// - Parameter progress: when given, called (on a pipeline thread, at most once per batch of
    ///   frames) with the cumulative number of message bytes read so far, header included; the
    ///   last call gives the whole message's size. Without it there is no per-batch cost.
    public func decrypt(fromDescriptor input: Int32, toDescriptor output: Int32, keyring: any DecryptionKeyring,
                        encryptionContext: EncryptionContext = [:],
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> DecryptResult {
        try await decrypt(fromDescriptor: input, toDescriptor: output, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                          encryptionContext: encryptionContext, progress: progress)
    }

    /// Decrypts between descriptors with a materials manager. See ``decrypt(fromDescriptor:toDescriptor:keyring:encryptionContext:progress:)``.
    public func decrypt(fromDescriptor input: Int32, toDescriptor output: Int32, materialsManager: any DecryptionMaterialsManager,
                        encryptionContext: EncryptionContext = [:],
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> DecryptResult {
        let source = FileDescriptor(borrowing: input, name: "input descriptor \(input)")
        let sink = FileDescriptor(borrowing: output, name: "output descriptor \(output)")
        let (header, leftover) = try readHeader(source)
        let (decryptor, materials) = try await makeDecryptor(header: header, materialsManager: materialsManager,
                                                             reproducedEncryptionContext: encryptionContext)
        if header.contentType == .framed && Int(header.frameLength) <= ParallelBody.maxFrameLength {
            try await decryptBody(decryptor, source: source, leftover: leftover, progress: progress) { try sink.write(raw: $0) }
        } else {
            try decryptSequentially(decryptor, source: source, leftover: leftover, sink: sink, progress: progress)
        }
        return DecryptResult(plaintext: [], encryptionContext: materials.encryptionContext, header: header.info, dataKeyOrigin: materials.dataKeyOrigin)
    }

    /// Non-framed bodies and very long frames: one step at a time, the final step held for signed suites.
    private func decryptSequentially(_ decryptor: FrameDecryptor, source: FileDescriptor, leftover: [UInt8], sink: FileDescriptor,
                                     progress: (@Sendable (Int64) -> Void)?) throws {
        let input = ByteAccumulator(capacity: 64 * 1024)
        input.append(leftover)
        var consumed = Int64(decryptor.header.totalLength + leftover.count)
        progress?(consumed)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var held: [UInt8] = []
        defer { held.withUnsafeMutableBytes { ConstantTime.zero($0) } }
        var ended = false
        while true {
            let step = try decryptor.step(input.readable)
            switch step {
            case .needMoreInput:
                guard !ended else { throw EnvelopeError.malformed("the message is truncated") }
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { ended = true } else { chunk.withUnsafeBytes { input.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
                if let progress, n > 0 {
                    consumed += Int64(n)
                    progress(consumed)
                }
            case .frame(let consumed, let isFinal):
                if isFinal && decryptor.header.suite.isSigned {
                    held = [UInt8](copying: decryptor.plaintext)
                } else {
                    try sink.write(raw: decryptor.plaintext)
                }
                input.consume(consumed)
            case .finished(let consumed):
                input.consume(consumed)
                guard input.isEmpty else { throw EnvelopeError.malformed("\(input.count) unexpected bytes follow the end of the message") }
                if !ended {
                    let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                    guard n == 0 else { throw EnvelopeError.malformed("unexpected bytes follow the end of the message") }
                }
                if !held.isEmpty { try sink.write(raw: held) }
                return
            }
        }
    }
}

extension FileDescriptor {
    /// Reads up to `buffer.count` bytes; 0 only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
            let r = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #else
            let r = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if r < 0 && errno == EINTR { continue }
            guard r >= 0 else { throw FileDescriptor.error("read \(path)") }
            return r
        }
    }

    /// Writes all of `bytes`.
    func write(raw bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write(raw: $0) } }

    /// Writes all of `bytes`.
    func write(raw bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let w = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            #else
            let w = Darwin.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            #endif
            if w < 0 && errno == EINTR { continue }
            guard w > 0 else { throw FileDescriptor.error("write \(path)") }
            offset += w
        }
    }
}
