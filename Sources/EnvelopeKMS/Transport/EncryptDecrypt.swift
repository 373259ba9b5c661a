import EnvelopeCrypto

/// `Encrypt` input: up to 4096 bytes of plaintext (typically a data key) encrypted under `keyId`.
public struct EncryptRequest: Sendable, Codable {
    /// The KMS key (another account's key needs an ARN). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// The plaintext, in guarded memory. JSON `Plaintext` (base64).
    public var plaintext: SecureBytes
    /// JSON `EncryptionContext` (omitted when empty).
    public var encryptionContext: [String: String]
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]
    /// JSON `EncryptionAlgorithm` (omitted: `SYMMETRIC_DEFAULT`).
    public var encryptionAlgorithm: KMSEncryptionAlgorithm?
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, plaintext: SecureBytes, encryptionContext: [String: String] = [:],
                grantTokens: [String] = [], encryptionAlgorithm: KMSEncryptionAlgorithm? = nil, dryRun: Bool = false) {
        self.keyId = keyId
        self.plaintext = plaintext
        self.encryptionContext = encryptionContext
        self.grantTokens = grantTokens
        self.encryptionAlgorithm = encryptionAlgorithm
        self.dryRun = dryRun
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", plaintext = "Plaintext", encryptionContext = "EncryptionContext"
        case grantTokens = "GrantTokens", encryptionAlgorithm = "EncryptionAlgorithm", dryRun = "DryRun"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        plaintext = try c.decodeSecret(forKey: .plaintext)
        encryptionContext = try c.decodeContext(forKey: .encryptionContext)
        grantTokens = try c.decodeTokens(forKey: .grantTokens)
        encryptionAlgorithm = try c.decodeIfPresent(KMSEncryptionAlgorithm.self, forKey: .encryptionAlgorithm)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form (the output holds the plaintext in base64).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encodeSecret(plaintext, forKey: .plaintext)
        try c.encodeContext(encryptionContext, forKey: .encryptionContext)
        try c.encodeTokens(grantTokens, forKey: .grantTokens)
        try c.encodeIfPresent(encryptionAlgorithm, forKey: .encryptionAlgorithm)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `Encrypt` output.
public struct EncryptResponse: Sendable, Codable, Equatable {
    /// JSON `CiphertextBlob` (base64).
    public var ciphertextBlob: [UInt8]
    /// The key ARN that encrypted. JSON `KeyId`.
    public var keyId: KMSKeyARN
    /// JSON `EncryptionAlgorithm`.
    public var encryptionAlgorithm: KMSEncryptionAlgorithm?

    /// Creates a response.
    public init(ciphertextBlob: [UInt8], keyId: KMSKeyARN, encryptionAlgorithm: KMSEncryptionAlgorithm? = .symmetricDefault) {
        self.ciphertextBlob = ciphertextBlob
        self.keyId = keyId
        self.encryptionAlgorithm = encryptionAlgorithm
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case ciphertextBlob = "CiphertextBlob", keyId = "KeyId", encryptionAlgorithm = "EncryptionAlgorithm"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ciphertextBlob = try c.decodeBlob(forKey: .ciphertextBlob)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
        encryptionAlgorithm = try c.decodeIfPresent(KMSEncryptionAlgorithm.self, forKey: .encryptionAlgorithm)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBlob(ciphertextBlob, forKey: .ciphertextBlob)
        try c.encode(keyId, forKey: .keyId)
        try c.encodeIfPresent(encryptionAlgorithm, forKey: .encryptionAlgorithm)
    }
}

/// `Decrypt` input.
public struct DecryptRequest: Sendable, Codable {
    /// The ciphertext from Encrypt or GenerateDataKey. JSON `CiphertextBlob` (base64).
    public var ciphertextBlob: [UInt8]
    /// The key expected to have encrypted it; KMS answers `IncorrectKeyException` if another key
    /// did. Always set it (the ESDK does, with the key ARN). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier?
    /// The same encryption context as at encryption. JSON `EncryptionContext` (omitted when empty).
    public var encryptionContext: [String: String]
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]
    /// JSON `EncryptionAlgorithm`.
    public var encryptionAlgorithm: KMSEncryptionAlgorithm?
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request.
    public init(ciphertextBlob: [UInt8], keyId: KMSKeyIdentifier?, encryptionContext: [String: String] = [:],
                grantTokens: [String] = [], encryptionAlgorithm: KMSEncryptionAlgorithm? = nil, dryRun: Bool = false) {
        self.ciphertextBlob = ciphertextBlob
        self.keyId = keyId
        self.encryptionContext = encryptionContext
        self.grantTokens = grantTokens
        self.encryptionAlgorithm = encryptionAlgorithm
        self.dryRun = dryRun
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case ciphertextBlob = "CiphertextBlob", keyId = "KeyId", encryptionContext = "EncryptionContext"
        case grantTokens = "GrantTokens", encryptionAlgorithm = "EncryptionAlgorithm", dryRun = "DryRun"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ciphertextBlob = try c.decodeBlob(forKey: .ciphertextBlob)
        keyId = try c.decodeIfPresent(KMSKeyIdentifier.self, forKey: .keyId)
        encryptionContext = try c.decodeContext(forKey: .encryptionContext)
        grantTokens = try c.decodeTokens(forKey: .grantTokens)
        encryptionAlgorithm = try c.decodeIfPresent(KMSEncryptionAlgorithm.self, forKey: .encryptionAlgorithm)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBlob(ciphertextBlob, forKey: .ciphertextBlob)
        try c.encodeIfPresent(keyId, forKey: .keyId)
        try c.encodeContext(encryptionContext, forKey: .encryptionContext)
        try c.encodeTokens(grantTokens, forKey: .grantTokens)
        try c.encodeIfPresent(encryptionAlgorithm, forKey: .encryptionAlgorithm)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `Decrypt` output.
public struct DecryptResponse: Sendable, Codable {
    /// The key ARN that decrypted. JSON `KeyId`.
    public var keyId: KMSKeyARN
    /// The plaintext, in guarded memory. JSON `Plaintext` (base64).
    public var plaintext: SecureBytes
    /// JSON `EncryptionAlgorithm`.
    public var encryptionAlgorithm: KMSEncryptionAlgorithm?

    /// Creates a response.
    public init(keyId: KMSKeyARN, plaintext: SecureBytes, encryptionAlgorithm: KMSEncryptionAlgorithm? = .symmetricDefault) {
        self.keyId = keyId
        self.plaintext = plaintext
        self.encryptionAlgorithm = encryptionAlgorithm
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", plaintext = "Plaintext", encryptionAlgorithm = "EncryptionAlgorithm"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
        plaintext = try c.decodeSecret(forKey: .plaintext)
        encryptionAlgorithm = try c.decodeIfPresent(KMSEncryptionAlgorithm.self, forKey: .encryptionAlgorithm)
    }

    /// Encodes the KMS JSON form (the output holds the plaintext in base64).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encodeSecret(plaintext, forKey: .plaintext)
        try c.encodeIfPresent(encryptionAlgorithm, forKey: .encryptionAlgorithm)
    }
}

/// `ReEncrypt` input: decrypt under the source key and encrypt under the destination key, inside KMS.
public struct ReEncryptRequest: Sendable, Codable {
    /// JSON `CiphertextBlob` (base64).
    public var ciphertextBlob: [UInt8]
    /// JSON `SourceEncryptionContext` (omitted when empty).
    public var sourceEncryptionContext: [String: String]
    /// JSON `SourceKeyId`.
    public var sourceKeyId: KMSKeyIdentifier?
    /// JSON `DestinationKeyId`.
    public var destinationKeyId: KMSKeyIdentifier
    /// JSON `DestinationEncryptionContext` (omitted when empty).
    public var destinationEncryptionContext: [String: String]
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request.
    public init(ciphertextBlob: [UInt8], sourceKeyId: KMSKeyIdentifier?, sourceEncryptionContext: [String: String] = [:],
                destinationKeyId: KMSKeyIdentifier, destinationEncryptionContext: [String: String] = [:],
                grantTokens: [String] = [], dryRun: Bool = false) {
        self.ciphertextBlob = ciphertextBlob
        self.sourceKeyId = sourceKeyId
        self.sourceEncryptionContext = sourceEncryptionContext
        self.destinationKeyId = destinationKeyId
        self.destinationEncryptionContext = destinationEncryptionContext
        self.grantTokens = grantTokens
        self.dryRun = dryRun
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case ciphertextBlob = "CiphertextBlob", sourceEncryptionContext = "SourceEncryptionContext"
        case sourceKeyId = "SourceKeyId", destinationKeyId = "DestinationKeyId"
        case destinationEncryptionContext = "DestinationEncryptionContext", grantTokens = "GrantTokens", dryRun = "DryRun"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ciphertextBlob = try c.decodeBlob(forKey: .ciphertextBlob)
        sourceEncryptionContext = try c.decodeContext(forKey: .sourceEncryptionContext)
        sourceKeyId = try c.decodeIfPresent(KMSKeyIdentifier.self, forKey: .sourceKeyId)
        destinationKeyId = try c.decode(KMSKeyIdentifier.self, forKey: .destinationKeyId)
        destinationEncryptionContext = try c.decodeContext(forKey: .destinationEncryptionContext)
        grantTokens = try c.decodeTokens(forKey: .grantTokens)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBlob(ciphertextBlob, forKey: .ciphertextBlob)
        try c.encodeContext(sourceEncryptionContext, forKey: .sourceEncryptionContext)
        try c.encodeIfPresent(sourceKeyId, forKey: .sourceKeyId)
        try c.encode(destinationKeyId, forKey: .destinationKeyId)
        try c.encodeContext(destinationEncryptionContext, forKey: .destinationEncryptionContext)
        try c.encodeTokens(grantTokens, forKey: .grantTokens)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `ReEncrypt` output.
public struct ReEncryptResponse: Sendable, Codable, Equatable {
    /// The new ciphertext. JSON `CiphertextBlob` (base64).
    public var ciphertextBlob: [UInt8]
    /// The source key ARN. JSON `SourceKeyId`.
    public var sourceKeyId: KMSKeyARN
    /// The destination key ARN. JSON `KeyId`.
    public var keyId: KMSKeyARN

    /// Creates a response.
    public init(ciphertextBlob: [UInt8], sourceKeyId: KMSKeyARN, keyId: KMSKeyARN) {
        self.ciphertextBlob = ciphertextBlob
        self.sourceKeyId = sourceKeyId
        self.keyId = keyId
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case ciphertextBlob = "CiphertextBlob", sourceKeyId = "SourceKeyId", keyId = "KeyId"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ciphertextBlob = try c.decodeBlob(forKey: .ciphertextBlob)
        sourceKeyId = try c.decode(KMSKeyARN.self, forKey: .sourceKeyId)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBlob(ciphertextBlob, forKey: .ciphertextBlob)
        try c.encode(sourceKeyId, forKey: .sourceKeyId)
        try c.encode(keyId, forKey: .keyId)
    }
}
