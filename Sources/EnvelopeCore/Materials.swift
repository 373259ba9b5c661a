import EnvelopeCrypto

/// What a keyring or materials manager produces for encryption.
///
/// Spec: framework/structures.md ("Encryption Materials").
public struct EncryptionMaterials: Sendable {
    /// The algorithm suite of the message.
    public var suite: AlgorithmSuite
    /// The full encryption context (stored pairs plus required, authenticate-only pairs).
    public var encryptionContext: EncryptionContext
    /// Keys whose pairs are authenticated but not stored in the header.
    public var requiredEncryptionContextKeys: [String]
    /// The data key; nil until a generator keyring sets it.
    public var plaintextDataKey: SecureBytes?
    /// The wrapped copies of the data key.
    public var encryptedDataKeys: [EncryptedDataKey]
    /// The message signing key of signed suites.
    public var signingKey: ECDSAPrivateKey?

    /// Creates materials.
    public init(suite: AlgorithmSuite, encryptionContext: EncryptionContext, requiredEncryptionContextKeys: [String] = [],
                plaintextDataKey: SecureBytes? = nil, encryptedDataKeys: [EncryptedDataKey] = [], signingKey: ECDSAPrivateKey? = nil) {
        self.suite = suite
        self.encryptionContext = encryptionContext
        self.requiredEncryptionContextKeys = requiredEncryptionContextKeys
        self.plaintextDataKey = plaintextDataKey
        self.encryptedDataKeys = encryptedDataKeys
        self.signingKey = signingKey
    }
}

/// What a keyring or materials manager produces for decryption.
///
/// Spec: framework/structures.md ("Decryption Materials").
public struct DecryptionMaterials: Sendable {
    /// The algorithm suite of the message.
    public var suite: AlgorithmSuite
    /// The full encryption context (header pairs plus reproduced required pairs).
    public var encryptionContext: EncryptionContext
    /// Keys whose pairs are authenticated but were not stored in the header.
    public var requiredEncryptionContextKeys: [String]
    /// The data key; nil until a keyring decrypts one.
    public var plaintextDataKey: SecureBytes?
    /// The footer verification key of signed suites.
    public var verificationKey: ECDSAPublicKey?
    /// Which encrypted data key the keyring decrypted, and how (set by keyrings that know; nil otherwise).
    public var dataKeyOrigin: DataKeyOrigin? = nil

    /// Creates materials.
    public init(suite: AlgorithmSuite, encryptionContext: EncryptionContext, requiredEncryptionContextKeys: [String] = [],
                plaintextDataKey: SecureBytes? = nil, verificationKey: ECDSAPublicKey? = nil) {
        self.suite = suite
        self.encryptionContext = encryptionContext
        self.requiredEncryptionContextKeys = requiredEncryptionContextKeys
        self.plaintextDataKey = plaintextDataKey
        self.verificationKey = verificationKey
    }
}

/// A request to an ``EncryptionMaterialsManager``. Spec: framework/cmm-interface.md.
public struct EncryptionMaterialsRequest: Sendable {
    /// The caller's encryption context.
    public var encryptionContext: EncryptionContext
    /// The suite the caller asked for, or nil for the policy default.
    public var suite: AlgorithmSuite?
    /// The client's commitment policy.
    public var commitmentPolicy: CommitmentPolicy
    /// The plaintext length when known.
    public var maxPlaintextLength: Int?
    /// Keys whose pairs must be authenticated but not stored.
    public var requiredEncryptionContextKeys: [String]

    /// Creates a request.
    public init(encryptionContext: EncryptionContext, suite: AlgorithmSuite? = nil, commitmentPolicy: CommitmentPolicy,
                maxPlaintextLength: Int? = nil, requiredEncryptionContextKeys: [String] = []) {
        self.encryptionContext = encryptionContext
        self.suite = suite
        self.commitmentPolicy = commitmentPolicy
        self.maxPlaintextLength = maxPlaintextLength
        self.requiredEncryptionContextKeys = requiredEncryptionContextKeys
    }
}

/// A request to a ``DecryptionMaterialsManager``. Spec: framework/cmm-interface.md.
public struct DecryptionMaterialsRequest: Sendable {
    /// The suite found in the header.
    public var suite: AlgorithmSuite
    /// The client's commitment policy.
    public var commitmentPolicy: CommitmentPolicy
    /// The encrypted data keys found in the header.
    public var encryptedDataKeys: [EncryptedDataKey]
    /// The encryption context stored in the header.
    public var encryptionContext: EncryptionContext
    /// The context the caller supplied to decrypt (reproduced / required pairs).
    public var reproducedEncryptionContext: EncryptionContext

    /// Creates a request.
    public init(suite: AlgorithmSuite, commitmentPolicy: CommitmentPolicy, encryptedDataKeys: [EncryptedDataKey],
                encryptionContext: EncryptionContext, reproducedEncryptionContext: EncryptionContext = [:]) {
        self.suite = suite
        self.commitmentPolicy = commitmentPolicy
        self.encryptedDataKeys = encryptedDataKeys
        self.encryptionContext = encryptionContext
        self.reproducedEncryptionContext = reproducedEncryptionContext
    }
}
