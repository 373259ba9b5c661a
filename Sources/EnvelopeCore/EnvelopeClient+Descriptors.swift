import SystemPackage

extension EnvelopeClient {
    /// Encrypts everything readable from the open descriptor `input` (a file, a pipe, standard
    /// input) into the open descriptor `output`, through the same body engine as the file helpers:
    /// large reads and writes, frames sealed on ``concurrency`` cores. Neither descriptor is
    /// closed. Message bytes are written as they are produced; if an error is thrown, what was
    /// written is not a complete message.
    ///
    /// - Parameters:
    ///   - input: an open descriptor to read the plaintext from, up to its end.
    ///   - output: an open descriptor to write the message to.
    ///   - keyring: wraps the message's data key.
    ///   - encryptionContext: pairs bound to the message (authenticated, stored in the header).
    ///   - suite: the algorithm suite; nil picks the commitment policy's default.
    ///   - frameLength: the plaintext bytes per frame.
    ///   - progress: when given, called (on a pipeline thread, at most once per batch of frames)
    ///     with the cumulative number of plaintext bytes read so far; the last call gives the whole
    ///     input's size. Without it there is no per-batch cost.
    /// - Returns: the message's metadata (``EncryptResult/ciphertext`` is empty).
    public func encrypt(from input: FileDescriptor, to output: FileDescriptor, keyring: any EncryptionKeyring,
                        encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                        frameLength: Int = EnvelopeClient.defaultFrameLength,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        try await encrypt(from: input, to: output, materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                          encryptionContext: encryptionContext, suite: suite, frameLength: frameLength, progress: progress)
    }

    /// Encrypts between descriptors with a materials manager. See ``encrypt(from:to:keyring:encryptionContext:suite:frameLength:progress:)``.
    public func encrypt(from input: FileDescriptor, to output: FileDescriptor, materialsManager: any EncryptionMaterialsManager,
                        encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                        frameLength: Int = EnvelopeClient.defaultFrameLength,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        try await encryptMessage(from: .file(EngineFile(borrowing: input, role: .input), leftover: []),
                                 to: .file(EngineFile(borrowing: output, role: .output)), materialsManager: materialsManager,
                                 encryptionContext: encryptionContext, suite: suite, frameLength: frameLength, progress: progress)
    }

    /// Decrypts the message readable from the open descriptor `input` into `output`. Plaintext
    /// is written as frames verify; for signed suites the final frame is held until the signature
    /// verifies. If an error is thrown, discard what was written. Neither descriptor is closed;
    /// bytes after the end of the message are an error.
    ///
    /// - Parameters:
    ///   - input: an open descriptor to read the message from.
    ///   - output: an open descriptor to write the plaintext to.
    ///   - keyring: unwraps one of the message's encrypted data keys.
    ///   - encryptionContext: pairs the message must carry (its stored context, or the required
    ///     context it was encrypted with).
    ///   - progress: when given, called (on a pipeline thread, at most once per batch of frames)
    ///     with the cumulative number of message bytes read so far, header included; the last call
    ///     gives the whole message's size. Without it there is no per-batch cost.
    /// - Returns: the message's metadata (``DecryptResult/plaintext`` is empty).
    public func decrypt(from input: FileDescriptor, to output: FileDescriptor, keyring: any DecryptionKeyring,
                        encryptionContext: EncryptionContext = [:],
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> DecryptResult {
        try await decrypt(from: input, to: output, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                          encryptionContext: encryptionContext, progress: progress)
    }

    /// Decrypts between descriptors with a materials manager. See ``decrypt(from:to:keyring:encryptionContext:progress:)``.
    public func decrypt(from input: FileDescriptor, to output: FileDescriptor, materialsManager: any DecryptionMaterialsManager,
                        encryptionContext: EncryptionContext = [:],
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> DecryptResult {
        try await decryptMessage(from: .file(EngineFile(borrowing: input, role: .input), leftover: []), materialsManager: materialsManager,
                                 encryptionContext: encryptionContext, progress: progress, sink: { run in
            try await run(.file(EngineFile(borrowing: output, role: .output)))
        })
    }
}
