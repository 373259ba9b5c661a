import Foundation

/// `DescribeKey` input.
public struct DescribeKeyRequest: Sendable, Codable, Equatable {
    /// The KMS key (another account's key needs an ARN). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, grantTokens: [String] = []) {
        self.keyId = keyId
        self.grantTokens = grantTokens
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey { case keyId = "KeyId", grantTokens = "GrantTokens" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        grantTokens = try c.decodeTokens(forKey: .grantTokens)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encodeTokens(grantTokens, forKey: .grantTokens)
    }
}

/// `DescribeKey` output.
public struct DescribeKeyResponse: Sendable, Codable, Equatable {
    /// JSON `KeyMetadata`.
    public var keyMetadata: KMSKeyMetadata

    /// Creates a response.
    public init(keyMetadata: KMSKeyMetadata) { self.keyMetadata = keyMetadata }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey { case keyMetadata = "KeyMetadata" }
}

/// What KMS tells about a key (`KeyMetadata`), limited to what symmetric encryption keys and RSA
/// key pairs for encryption have.
public struct KMSKeyMetadata: Sendable, Codable, Equatable {
    /// The owning account. JSON `AWSAccountId`.
    public var awsAccountId: AWSAccountID
    /// The key ID. JSON `KeyId`.
    public var keyId: KMSKeyID
    /// The key ARN. JSON `Arn`.
    public var arn: KMSKeyARN
    /// JSON `CreationDate` (epoch seconds).
    public var creationDate: Date
    /// Whether the key state is `Enabled`. JSON `Enabled`.
    public var enabled: Bool
    /// JSON `Description`.
    public var keyDescription: String
    /// JSON `KeyUsage` (`ENCRYPT_DECRYPT`).
    public var keyUsage: String
    /// JSON `KeyState`.
    public var keyState: KMSKeyState
    /// When a key pending deletion will be deleted. JSON `DeletionDate`.
    public var deletionDate: Date?
    /// JSON `PendingDeletionWindowInDays`.
    public var pendingDeletionWindowInDays: Int?
    /// JSON `Origin` (`AWS_KMS`).
    public var origin: String
    /// JSON `KeyManager` (`CUSTOMER` or `AWS`).
    public var keyManager: String
    /// JSON `KeySpec` (`SYMMETRIC_DEFAULT`); also sent as the deprecated `CustomerMasterKeySpec`.
    public var keySpec: String
    /// JSON `EncryptionAlgorithms`.
    public var encryptionAlgorithms: [KMSEncryptionAlgorithm]
    /// JSON `MultiRegion`.
    public var multiRegion: Bool

    /// Creates metadata (by default, of a symmetric encryption key).
    public init(awsAccountId: AWSAccountID, keyId: KMSKeyID, arn: KMSKeyARN, creationDate: Date, enabled: Bool,
                keyDescription: String = "", keyUsage: String = "ENCRYPT_DECRYPT", keyState: KMSKeyState,
                deletionDate: Date? = nil, pendingDeletionWindowInDays: Int? = nil, origin: String = "AWS_KMS",
                keyManager: String = "CUSTOMER", keySpec: String = "SYMMETRIC_DEFAULT",
                encryptionAlgorithms: [KMSEncryptionAlgorithm] = [.symmetricDefault], multiRegion: Bool = false) {
        self.awsAccountId = awsAccountId
        self.keyId = keyId
        self.arn = arn
        self.creationDate = creationDate
        self.enabled = enabled
        self.keyDescription = keyDescription
        self.keyUsage = keyUsage
        self.keyState = keyState
        self.deletionDate = deletionDate
        self.pendingDeletionWindowInDays = pendingDeletionWindowInDays
        self.origin = origin
        self.keyManager = keyManager
        self.keySpec = keySpec
        self.encryptionAlgorithms = encryptionAlgorithms
        self.multiRegion = multiRegion
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case awsAccountId = "AWSAccountId", keyId = "KeyId", arn = "Arn", creationDate = "CreationDate"
        case enabled = "Enabled", keyDescription = "Description", keyUsage = "KeyUsage", keyState = "KeyState"
        case deletionDate = "DeletionDate", pendingDeletionWindowInDays = "PendingDeletionWindowInDays"
        case origin = "Origin", keyManager = "KeyManager", keySpec = "KeySpec"
        case customerMasterKeySpec = "CustomerMasterKeySpec", encryptionAlgorithms = "EncryptionAlgorithms"
        case multiRegion = "MultiRegion"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        awsAccountId = try c.decode(AWSAccountID.self, forKey: .awsAccountId)
        keyId = try c.decode(KMSKeyID.self, forKey: .keyId)
        arn = try c.decode(KMSKeyARN.self, forKey: .arn)
        creationDate = try c.decodeEpochSecondsIfPresent(forKey: .creationDate) ?? Date(timeIntervalSince1970: 0)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
        keyDescription = try c.decodeIfPresent(String.self, forKey: .keyDescription) ?? ""
        keyUsage = try c.decodeIfPresent(String.self, forKey: .keyUsage) ?? "ENCRYPT_DECRYPT"
        keyState = try c.decodeIfPresent(KMSKeyState.self, forKey: .keyState) ?? .enabled
        deletionDate = try c.decodeEpochSecondsIfPresent(forKey: .deletionDate)
        pendingDeletionWindowInDays = try c.decodeIfPresent(Int.self, forKey: .pendingDeletionWindowInDays)
        origin = try c.decodeIfPresent(String.self, forKey: .origin) ?? "AWS_KMS"
        keyManager = try c.decodeIfPresent(String.self, forKey: .keyManager) ?? "CUSTOMER"
        keySpec = try c.decodeIfPresent(String.self, forKey: .keySpec) ?? "SYMMETRIC_DEFAULT"
        encryptionAlgorithms = try c.decodeIfPresent([KMSEncryptionAlgorithm].self, forKey: .encryptionAlgorithms) ?? []
        multiRegion = try c.decodeIfPresent(Bool.self, forKey: .multiRegion) ?? false
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(awsAccountId, forKey: .awsAccountId)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(arn, forKey: .arn)
        try c.encodeEpochSeconds(creationDate, forKey: .creationDate)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(keyDescription, forKey: .keyDescription)
        try c.encode(keyUsage, forKey: .keyUsage)
        try c.encode(keyState, forKey: .keyState)
        try c.encodeEpochSecondsIfPresent(deletionDate, forKey: .deletionDate)
        try c.encodeIfPresent(pendingDeletionWindowInDays, forKey: .pendingDeletionWindowInDays)
        try c.encode(origin, forKey: .origin)
        try c.encode(keyManager, forKey: .keyManager)
        try c.encode(keySpec, forKey: .keySpec)
        try c.encode(keySpec, forKey: .customerMasterKeySpec)
        try c.encode(encryptionAlgorithms, forKey: .encryptionAlgorithms)
        try c.encode(multiRegion, forKey: .multiRegion)
    }
}
