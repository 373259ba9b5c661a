import EnvelopeCrypto

// Entry points for Benchmarks/ (issue 7): the frame pipeline over a message already in memory,
// its output discarded, so a benchmark sees the pipeline's own speed and scaling without file
// I/O, process start or building an output array. The SPI keeps them out of the public API.

/// Runs message bodies through the frame pipeline on ``EnvelopeClient/concurrency`` cores from
/// memory, discarding what it produces (the header and footer are still built and checked).
@_spi(Benchmarking)
public enum EnvelopeBenchmarking {
    /// Encrypts `plaintext` (a whole message: header, framed body, footer) and discards it.
    public static func encryptDiscarding(_ plaintext: [UInt8], client: EnvelopeClient, keyring: any EncryptionKeyring,
                                         suite: AlgorithmSuite, frameLength: Int) async throws {
        guard frameLength <= ParallelBody.maxFrameLength else {
            throw EnvelopeError(.invalidArgument, "The pipeline takes frames of at most \(ParallelBody.maxFrameLength) bytes.")
        }
        let encryptor = try await client.makeEncryptor(materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                                                       encryptionContext: [:], suite: suite, frameLength: frameLength,
                                                       plaintextLength: plaintext.count)
        let job = PipelineHandoff(value: encryptor)
        let jobs = client.concurrency
        try await runOnDedicatedThread {
            try plaintext.withUnsafeBytes { try ParallelBody.encrypt(job.value, jobs: jobs, input: .memory($0), write: { _ in }) }
        }
    }

    /// Decrypts the framed `message` (verifying every tag and the signature) and discards the plaintext.
    public static func decryptDiscarding(_ message: [UInt8], client: EnvelopeClient, keyring: any DecryptionKeyring) async throws {
        guard case .header(let header) = try message.withUnsafeBytes({ try client.parseHeader($0) }), header.contentType == .framed,
              Int(header.frameLength) <= ParallelBody.maxFrameLength else {
            throw EnvelopeError(.malformedMessage, "The benchmark needs a complete framed message with frames of at most 16 MiB.")
        }
        let (decryptor, _) = try await client.makeDecryptor(header: header, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                                                            reproducedEncryptionContext: [:])
        let job = PipelineHandoff(value: decryptor)
        let jobs = client.concurrency
        try await runOnDedicatedThread {
            try message.withUnsafeBytes { bytes in
                try ParallelBody.decrypt(job.value, jobs: jobs, input: .memory(UnsafeRawBufferPointer(rebasing: bytes[header.totalLength...])),
                                         write: { _ in })
            }
        }
    }
}
