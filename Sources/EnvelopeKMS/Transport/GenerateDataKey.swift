import EnvelopeCrypto

/// `GenerateDataKey` input: a new data key, returned in plaintext and encrypted under `keyId`.
public struct GenerateDataKeyRequest: Sendable, Codable {
    /// The KMS key: key ID, key ARN, alias name or alias ARN (another account's key needs an ARN). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// The encryption context bound to the ciphertext. JSON `EncryptionContext` (omitted when empty).
    public var encryptionContext: [String: String]
    /// Length in bytes (1…1024); set this or `keySpec`. JSON `NumberOfBytes`.
    public var numberOfBytes: Int?
    /// Key length by name; set this or `numberOfBytes`. JSON `KeySpec`.
    public var keySpec: KMSDataKeySpec?
    /// Grant tokens (at most 10). JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]
    /// Only check permission; KMS answers `DryRunOperationException` when it would succeed. JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request; give either `numberOfBytes` or `keySpec`.
    public init(keyId: KMSKeyIdentifier, encryptionContext: [String: String] = [:], numberOfBytes: Int? = nil,
                keySpec: KMSDataKeySpec? = nil, grantTokens: [String] = [], dryRun: Bool = false) {
        self.keyId = keyId
        self.encryptionContext = encryptionContext
        self.numberOfBytes = numberOfBytes
        self.keySpec = keySpec
        self.grantTokens = grantTokens
        self.dryRun = dryRun
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", encryptionContext = "EncryptionContext", numberOfBytes = "NumberOfBytes"
        case keySpec = "KeySpec", grantTokens = "GrantTokens", dryRun = "DryRun"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        encryptionContext = try c.decodeContext(forKey: .encryptionContext)
        numberOfBytes = try c.decodeIfPresent(Int.self, forKey: .numberOfBytes)
        keySpec = try c.decodeIfPresent(KMSDataKeySpec.self, forKey: .keySpec)
        grantTokens = try c.decodeTokens(forKey: .grantTokens)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encodeContext(encryptionContext, forKey: .encryptionContext)
        try c.encodeIfPresent(numberOfBytes, forKey: .numberOfBytes)
        try c.encodeIfPresent(keySpec, forKey: .keySpec)
        try c.encodeTokens(grantTokens, forKey: .grantTokens)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `GenerateDataKey` output.
public struct GenerateDataKeyResponse: Sendable, Codable {
    /// The data key encrypted under the KMS key. JSON `CiphertextBlob` (base64).
    public var ciphertextBlob: [UInt8]
    /// The plaintext data key, in guarded memory. JSON `Plaintext` (base64).
    public var plaintext: SecureBytes
    /// The key ARN of the KMS key that encrypted the data key (never an alias). JSON `KeyId`.
    public var keyId: KMSKeyARN

    /// Creates a response.
    public init(ciphertextBlob: [UInt8], plaintext: SecureBytes, keyId: KMSKeyARN) {
        self.ciphertextBlob = ciphertextBlob
        self.plaintext = plaintext
        self.keyId = keyId
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case ciphertextBlob = "CiphertextBlob", plaintext = "Plaintext", keyId = "KeyId"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ciphertextBlob = try c.decodeBlob(forKey: .ciphertextBlob)
        plaintext = try c.decodeSecret(forKey: .plaintext)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
    }

    /// Encodes the KMS JSON form (the output holds the plaintext key in base64).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBlob(ciphertextBlob, forKey: .ciphertextBlob)
        try c.encodeSecret(plaintext, forKey: .plaintext)
        try c.encode(keyId, forKey: .keyId)
    }
}

/// `GenerateDataKeyWithoutPlaintext` input: like `GenerateDataKeyRequest`, only the encrypted key comes back.
public struct GenerateDataKeyWithoutPlaintextRequest: Sendable, Codable {
    /// The KMS key. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// JSON `EncryptionContext` (omitted when empty).
    public var encryptionContext: [String: String]
    /// JSON `NumberOfBytes`.
    public var numberOfBytes: Int?
    /// JSON `KeySpec`.
    public var keySpec: KMSDataKeySpec?
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request; give either `numberOfBytes` or `keySpec`.
    public init(keyId: KMSKeyIdentifier, encryptionContext: [String: String] = [:], numberOfBytes: Int? = nil,
                keySpec: KMSDataKeySpec? = nil, grantTokens: [String] = [], dryRun: Bool = false) {
        self.keyId = keyId
        self.encryptionContext = encryptionContext
        self.numberOfBytes = numberOfBytes
        self.keySpec = keySpec
        self.grantTokens = grantTokens
        self.dryRun = dryRun
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let r = try GenerateDataKeyRequest(from: decoder)
        self.init(keyId: r.keyId, encryptionContext: r.encryptionContext, numberOfBytes: r.numberOfBytes,
                  keySpec: r.keySpec, grantTokens: r.grantTokens, dryRun: r.dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        try GenerateDataKeyRequest(keyId: keyId, encryptionContext: encryptionContext, numberOfBytes: numberOfBytes,
                                   keySpec: keySpec, grantTokens: grantTokens, dryRun: dryRun).encode(to: encoder)
    }
}

/// `GenerateDataKeyWithoutPlaintext` output.
public struct GenerateDataKeyWithoutPlaintextResponse: Sendable, Codable, Equatable {
    /// The encrypted data key. JSON `CiphertextBlob` (base64).
    public var ciphertextBlob: [UInt8]
    /// The key ARN. JSON `KeyId`.
    public var keyId: KMSKeyARN

    /// Creates a response.
    public init(ciphertextBlob: [UInt8], keyId: KMSKeyARN) {
        self.ciphertextBlob = ciphertextBlob
        self.keyId = keyId
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey { case ciphertextBlob = "CiphertextBlob", keyId = "KeyId" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ciphertextBlob = try c.decodeBlob(forKey: .ciphertextBlob)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBlob(ciphertextBlob, forKey: .ciphertextBlob)
        try c.encode(keyId, forKey: .keyId)
    }
}
