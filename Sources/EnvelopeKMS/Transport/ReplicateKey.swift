/// `ReplicateKey`: a replica of a multi-Region primary key (`mrk-…`) in another Region of the same
/// partition, with the same key ID and key material; ciphertexts of one decrypt with the other.
/// https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html
public struct ReplicateKeyRequest: Sendable, Codable, Equatable {
    /// The primary key (key ID or key ARN). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// The Region of the replica. JSON `ReplicaRegion`.
    public var replicaRegion: String
    /// The replica's key policy; KMS's default key policy when absent. JSON `Policy`.
    public var policy: String?
    /// A description of the replica. JSON `Description`.
    public var description: String?
    /// Skip the policy lockout safety check. JSON `BypassPolicyLockoutSafetyCheck`.
    public var bypassPolicyLockoutSafetyCheck: Bool

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, replicaRegion: String, policy: String? = nil, description: String? = nil,
                bypassPolicyLockoutSafetyCheck: Bool = false) {
        self.keyId = keyId
        self.replicaRegion = replicaRegion
        self.policy = policy
        self.description = description
        self.bypassPolicyLockoutSafetyCheck = bypassPolicyLockoutSafetyCheck
    }

    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", replicaRegion = "ReplicaRegion", policy = "Policy", description = "Description"
        case bypassPolicyLockoutSafetyCheck = "BypassPolicyLockoutSafetyCheck"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        replicaRegion = try c.decode(String.self, forKey: .replicaRegion)
        policy = try c.decodeIfPresent(String.self, forKey: .policy)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        bypassPolicyLockoutSafetyCheck = try c.decodeIfPresent(Bool.self, forKey: .bypassPolicyLockoutSafetyCheck) ?? false
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(replicaRegion, forKey: .replicaRegion)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encodeIfPresent(description, forKey: .description)
        if bypassPolicyLockoutSafetyCheck { try c.encode(true, forKey: .bypassPolicyLockoutSafetyCheck) }
    }
}

/// The answer to `ReplicateKey`.
public struct ReplicateKeyResponse: Sendable, Codable, Equatable {
    /// The replica's metadata (its ARN is in the replica Region). JSON `ReplicaKeyMetadata`.
    public var replicaKeyMetadata: KMSKeyMetadata
    /// The replica's key policy. JSON `ReplicaPolicy`.
    public var replicaPolicy: String?

    /// Creates a response.
    public init(replicaKeyMetadata: KMSKeyMetadata, replicaPolicy: String? = nil) {
        self.replicaKeyMetadata = replicaKeyMetadata
        self.replicaPolicy = replicaPolicy
    }

    enum CodingKeys: String, CodingKey {
        case replicaKeyMetadata = "ReplicaKeyMetadata", replicaPolicy = "ReplicaPolicy"
    }
}
