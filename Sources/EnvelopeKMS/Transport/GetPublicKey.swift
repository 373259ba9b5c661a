/// `GetPublicKey` input: the public half of an asymmetric KMS key. The same members as DescribeKey's.
public struct GetPublicKeyRequest: Sendable, Codable, Equatable {
    /// The asymmetric KMS key (another account's key needs a key ARN or alias ARN). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, grantTokens: [String] = []) {
        self.keyId = keyId
        self.grantTokens = grantTokens
    }

    /// Decodes the KMS JSON form (`KeyId`, `GrantTokens`), as DescribeKey's.
    public init(from decoder: any Decoder) throws {
        let r = try DescribeKeyRequest(from: decoder)
        self.init(keyId: r.keyId, grantTokens: r.grantTokens)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        try DescribeKeyRequest(keyId: keyId, grantTokens: grantTokens).encode(to: encoder)
    }
}

/// `GetPublicKey` output.
public struct GetPublicKeyResponse: Sendable, Codable, Equatable {
    /// The key ARN. JSON `KeyId`.
    public var keyId: KMSKeyARN
    /// The public key as DER X.509 SubjectPublicKeyInfo. JSON `PublicKey` (base64).
    public var publicKey: [UInt8]
    /// JSON `KeySpec` (`RSA_2048`, …); also sent as the deprecated `CustomerMasterKeySpec`.
    public var keySpec: String
    /// JSON `KeyUsage` (`ENCRYPT_DECRYPT` for the keys EnvelopeKit uses).
    public var keyUsage: String
    /// JSON `EncryptionAlgorithms` (present when the key usage is `ENCRYPT_DECRYPT`).
    public var encryptionAlgorithms: [KMSEncryptionAlgorithm]

    /// Creates a response.
    public init(keyId: KMSKeyARN, publicKey: [UInt8], keySpec: String, keyUsage: String = "ENCRYPT_DECRYPT",
                encryptionAlgorithms: [KMSEncryptionAlgorithm]) {
        self.keyId = keyId
        self.publicKey = publicKey
        self.keySpec = keySpec
        self.keyUsage = keyUsage
        self.encryptionAlgorithms = encryptionAlgorithms
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", publicKey = "PublicKey", keySpec = "KeySpec", customerMasterKeySpec = "CustomerMasterKeySpec"
        case keyUsage = "KeyUsage", encryptionAlgorithms = "EncryptionAlgorithms"
    }

    /// Decodes the KMS JSON form (the deprecated `CustomerMasterKeySpec` is read when `KeySpec` is absent).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
        publicKey = try c.decodeBlob(forKey: .publicKey)
        keySpec = try c.decodeIfPresent(String.self, forKey: .keySpec) ?? c.decodeIfPresent(String.self, forKey: .customerMasterKeySpec) ?? ""
        keyUsage = try c.decodeIfPresent(String.self, forKey: .keyUsage) ?? ""
        encryptionAlgorithms = try c.decodeIfPresent([KMSEncryptionAlgorithm].self, forKey: .encryptionAlgorithms) ?? []
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encodeBlob(publicKey, forKey: .publicKey)
        try c.encode(keySpec, forKey: .keySpec)
        try c.encode(keySpec, forKey: .customerMasterKeySpec)
        try c.encode(keyUsage, forKey: .keyUsage)
        if !encryptionAlgorithms.isEmpty { try c.encode(encryptionAlgorithms, forKey: .encryptionAlgorithms) }
    }
}
