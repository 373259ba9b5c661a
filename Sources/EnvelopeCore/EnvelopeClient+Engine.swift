import EnvelopeCrypto

// The two calls every public encrypt and decrypt API makes (issue 14, item 1): set up the
// message, choose the body mode once (``BodyPlan``), run the body engine, return the metadata.

extension EnvelopeClient {
    /// Encrypts from `source` to `sink`. For a file sink the caller has the output open.
    func runEncryptMessage(from source: BodySource, to sink: BodySink, materialsManager: some EncryptionMaterialsManager,
                        encryptionContext: EncryptionContext, suite: AlgorithmSuite?, frameLength: Int,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        let inMemoryLength: Int?
        if case .bytes(let plaintext, let offset) = source { inMemoryLength = plaintext.count - offset } else { inMemoryLength = nil }
        let encryptor = try await makeEncryptor(materialsManager: materialsManager, encryptionContext: encryptionContext,
                                                suite: suite, frameLength: frameLength, plaintextLength: inMemoryLength)
        try Self.checkConcurrency(concurrency)
        let mode = BodyPlan.mode(framed: true, frameLength: frameLength, inMemoryLength: inMemoryLength, concurrency: concurrency)
        let ciphertext = try await EncryptBody.run(encryptor, from: source, to: sink, mode: mode, progress: progress)
        return EncryptResult(ciphertext: ciphertext, encryptor: encryptor)
    }

    /// Decrypts from `source` (a whole message). `sink` is called once the header verified and the
    /// data key is known, before any body byte is read: it opens the output and runs the body
    /// into it with the function it is given (the default collects the plaintext in memory).
    func runDecryptMessage(from source: BodySource, materialsManager: some DecryptionMaterialsManager,
                        encryptionContext: EncryptionContext, progress: (@Sendable (Int64) -> Void)? = nil,
                        sink: (_ run: (BodySink) async throws -> [UInt8]) async throws -> [UInt8] = { try await $0(.bytes) }) async throws -> DecryptResult {
        let header: MessageHeader
        let body: BodySource
        switch source {
        case .bytes(let message, let offset):
            let parsed = try message.withUnsafeBytes { try parseHeader(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            guard case .header(let found) = parsed else {
                throw EnvelopeError.malformed("the message ends inside its header (\(message.count - offset) bytes)")
            }
            header = found
            body = .bytes(message, offset: offset + found.totalLength)
        case .file(let file, _):
            let (found, leftover) = try file.readHeader(client: self)
            header = found
            body = .file(file, leftover: leftover)
        }
        let (decryptor, materials) = try await makeDecryptor(header: header, materialsManager: materialsManager,
                                                             reproducedEncryptionContext: encryptionContext)
        try Self.checkConcurrency(concurrency)
        let inMemoryLength: Int?
        if case .bytes(let message, let offset) = body { inMemoryLength = message.count - offset } else { inMemoryLength = nil }
        let mode = BodyPlan.mode(framed: header.contentType == .framed, frameLength: Int(header.frameLength),
                                 inMemoryLength: inMemoryLength, concurrency: concurrency)
        let plaintext = try await sink { output in
            try await DecryptBody.run(decryptor, from: body, to: output, mode: mode, progress: progress)
        }
        return DecryptResult(plaintext: plaintext, header: header, materials: materials)
    }
}
