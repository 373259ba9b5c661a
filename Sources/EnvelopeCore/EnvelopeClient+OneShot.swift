import EnvelopeCrypto

extension EnvelopeClient {
    /// Encrypts a byte buffer with a keyring (through a ``DefaultMaterialsManager``).
    ///
    /// - Parameters:
    ///   - plaintext: the bytes to encrypt.
    ///   - keyring: generates and wraps the data key.
    ///   - encryptionContext: non-secret pairs bound to the message; keys may not start with `aws-crypto-`.
    ///   - suite: the algorithm suite; nil picks the commitment policy's default (0x0578).
    ///   - frameLength: 1...2^31-1 bytes per frame (default 4096).
    public func encrypt(_ plaintext: [UInt8], keyring: any EncryptionKeyring, encryptionContext: EncryptionContext = [:],
                        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength) async throws -> EncryptResult {
        // The manager goes to the engine as its concrete type (generic, not `any`): no heap box per call.
        try await encryptMessage(from: .bytes(plaintext, offset: 0), to: .bytes, materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                                 encryptionContext: encryptionContext, suite: suite, frameLength: frameLength)
    }

    /// Encrypts a byte buffer with a materials manager.
    public func encrypt(_ plaintext: [UInt8], materialsManager: any EncryptionMaterialsManager, encryptionContext: EncryptionContext = [:],
                        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength) async throws -> EncryptResult {
        try await encryptMessage(from: .bytes(plaintext, offset: 0), to: .bytes, materialsManager: materialsManager,
                                 encryptionContext: encryptionContext, suite: suite, frameLength: frameLength)
    }

    /// Decrypts a complete message with a keyring (through a ``DefaultMaterialsManager``).
    ///
    /// - Parameters:
    ///   - message: the complete ESDK message (binary, not base64).
    ///   - keyring: unwraps one of the message's data keys.
    ///   - encryptionContext: the reproduced context: pairs that must match the header, and the
    ///     required pairs that were authenticated but not stored.
    /// - Returns: the plaintext, the full encryption context and the suite found.
    public func decrypt(_ message: [UInt8], keyring: any DecryptionKeyring, encryptionContext: EncryptionContext = [:]) async throws -> DecryptResult {
        try await decryptMessage(from: .bytes(message, offset: 0), materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                                 encryptionContext: encryptionContext)
    }

    /// Decrypts a complete message with a materials manager. Nothing is returned unless every
    /// frame tag and (for signed suites) the signature verify.
    public func decrypt(_ message: [UInt8], materialsManager: any DecryptionMaterialsManager,
                        encryptionContext: EncryptionContext = [:]) async throws -> DecryptResult {
        try await decryptMessage(from: .bytes(message, offset: 0), materialsManager: materialsManager,
                                 encryptionContext: encryptionContext)
    }
}
