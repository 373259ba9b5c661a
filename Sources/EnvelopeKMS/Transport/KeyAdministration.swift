import Foundation

// Wire types of the administration operations (KMS JSON 1.1, exact KMS member names).

/// A tag of a key (`Tag`).
public struct KMSTag: Sendable, Codable, Equatable {
    /// JSON `TagKey`.
    public var tagKey: String
    /// JSON `TagValue`.
    public var tagValue: String

    /// Creates a tag.
    public init(tagKey: String, tagValue: String) {
        self.tagKey = tagKey
        self.tagValue = tagValue
    }

    enum CodingKeys: String, CodingKey { case tagKey = "TagKey", tagValue = "TagValue" }
}

/// `CreateKey` input.
public struct CreateKeyRequest: Sendable, Codable, Equatable {
    /// The key policy document; without it KMS gives the default key policy. JSON `Policy`.
    public var policy: String?
    /// JSON `Description`.
    public var keyDescription: String?
    /// JSON `KeyUsage` (`ENCRYPT_DECRYPT`).
    public var keyUsage: String?
    /// JSON `KeySpec` (`SYMMETRIC_DEFAULT`, or `RSA_2048`/`RSA_3072`/`RSA_4096` for an RSA key pair).
    public var keySpec: String?
    /// Skip the policy lockout safety check. JSON `BypassPolicyLockoutSafetyCheck`.
    public var bypassPolicyLockoutSafetyCheck: Bool
    /// JSON `Tags`.
    public var tags: [KMSTag]
    /// A multi-Region primary key. JSON `MultiRegion`.
    public var multiRegion: Bool

    /// Creates a request.
    public init(policy: String? = nil, keyDescription: String? = nil, keyUsage: String? = nil, keySpec: String? = nil,
                bypassPolicyLockoutSafetyCheck: Bool = false, tags: [KMSTag] = [], multiRegion: Bool = false) {
        self.policy = policy
        self.keyDescription = keyDescription
        self.keyUsage = keyUsage
        self.keySpec = keySpec
        self.bypassPolicyLockoutSafetyCheck = bypassPolicyLockoutSafetyCheck
        self.tags = tags
        self.multiRegion = multiRegion
    }

    enum CodingKeys: String, CodingKey {
        case policy = "Policy", keyDescription = "Description", keyUsage = "KeyUsage", keySpec = "KeySpec"
        case customerMasterKeySpec = "CustomerMasterKeySpec"
        case bypassPolicyLockoutSafetyCheck = "BypassPolicyLockoutSafetyCheck", tags = "Tags", multiRegion = "MultiRegion"
    }

    /// Decodes the KMS JSON form (the deprecated `CustomerMasterKeySpec` is read as `KeySpec`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        policy = try c.decodeIfPresent(String.self, forKey: .policy)
        keyDescription = try c.decodeIfPresent(String.self, forKey: .keyDescription)
        keyUsage = try c.decodeIfPresent(String.self, forKey: .keyUsage)
        keySpec = try c.decodeIfPresent(String.self, forKey: .keySpec) ?? c.decodeIfPresent(String.self, forKey: .customerMasterKeySpec)
        bypassPolicyLockoutSafetyCheck = try c.decodeIfPresent(Bool.self, forKey: .bypassPolicyLockoutSafetyCheck) ?? false
        tags = try c.decodeIfPresent([KMSTag].self, forKey: .tags) ?? []
        multiRegion = try c.decodeIfPresent(Bool.self, forKey: .multiRegion) ?? false
    }

    /// Encodes the KMS JSON form (members left at their defaults are omitted).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encodeIfPresent(keyDescription, forKey: .keyDescription)
        try c.encodeIfPresent(keyUsage, forKey: .keyUsage)
        try c.encodeIfPresent(keySpec, forKey: .keySpec)
        if bypassPolicyLockoutSafetyCheck { try c.encode(true, forKey: .bypassPolicyLockoutSafetyCheck) }
        if !tags.isEmpty { try c.encode(tags, forKey: .tags) }
        if multiRegion { try c.encode(true, forKey: .multiRegion) }
    }
}

/// `CreateKey` output: like DescribeKey's, `{"KeyMetadata": {…}}` of the new key.
public typealias CreateKeyResponse = DescribeKeyResponse

/// `CreateAlias` input.
public struct CreateAliasRequest: Sendable, Codable, Equatable {
    /// `alias/NAME`. JSON `AliasName`.
    public var aliasName: KMSAliasName
    /// The key ID or key ARN of a key of the caller's account and Region. JSON `TargetKeyId`.
    public var targetKeyId: KMSKeyIdentifier

    /// Creates a request.
    public init(aliasName: KMSAliasName, targetKeyId: KMSKeyIdentifier) {
        self.aliasName = aliasName
        self.targetKeyId = targetKeyId
    }

    enum CodingKeys: String, CodingKey { case aliasName = "AliasName", targetKeyId = "TargetKeyId" }
}

/// `CreateAlias` output (empty).
public struct CreateAliasResponse: Sendable, Codable, Equatable {
    /// Creates the empty response.
    public init() {}
}

/// `ListKeys` input.
public struct ListKeysRequest: Sendable, Codable, Equatable {
    /// Page size (1…1000). JSON `Limit`.
    public var limit: Int?
    /// `NextMarker` of the previous page. JSON `Marker`.
    public var marker: String?

    /// Creates a request.
    public init(limit: Int? = nil, marker: String? = nil) {
        self.limit = limit
        self.marker = marker
    }

    enum CodingKeys: String, CodingKey { case limit = "Limit", marker = "Marker" }
}

/// One key of a `ListKeys` answer (`KeyListEntry`).
public struct KMSKeyListEntry: Sendable, Codable, Equatable {
    /// JSON `KeyId`.
    public var keyId: String
    /// JSON `KeyArn`.
    public var keyArn: String

    /// Creates an entry.
    public init(keyId: String, keyArn: String) {
        self.keyId = keyId
        self.keyArn = keyArn
    }

    enum CodingKeys: String, CodingKey { case keyId = "KeyId", keyArn = "KeyArn" }
}

/// `ListKeys` output.
public struct ListKeysResponse: Sendable, Codable, Equatable {
    /// JSON `Keys`.
    public var keys: [KMSKeyListEntry]
    /// JSON `NextMarker`.
    public var nextMarker: String?
    /// JSON `Truncated`.
    public var truncated: Bool

    /// Creates a response.
    public init(keys: [KMSKeyListEntry], nextMarker: String? = nil, truncated: Bool = false) {
        self.keys = keys
        self.nextMarker = nextMarker
        self.truncated = truncated
    }

    enum CodingKeys: String, CodingKey { case keys = "Keys", nextMarker = "NextMarker", truncated = "Truncated" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keys = try c.decodeIfPresent([KMSKeyListEntry].self, forKey: .keys) ?? []
        nextMarker = try c.decodeIfPresent(String.self, forKey: .nextMarker)
        truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
}

/// `ListAliases` input.
public struct ListAliasesRequest: Sendable, Codable, Equatable {
    /// Only the aliases of this key. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier?
    /// Page size (1…100). JSON `Limit`.
    public var limit: Int?
    /// JSON `Marker`.
    public var marker: String?

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier? = nil, limit: Int? = nil, marker: String? = nil) {
        self.keyId = keyId
        self.limit = limit
        self.marker = marker
    }

    enum CodingKeys: String, CodingKey { case keyId = "KeyId", limit = "Limit", marker = "Marker" }
}

/// One alias of a `ListAliases` answer (`AliasListEntry`).
public struct KMSAliasListEntry: Sendable, Codable, Equatable {
    /// JSON `AliasName`.
    public var aliasName: String
    /// JSON `AliasArn`.
    public var aliasArn: String
    /// The key ID (not ARN) of the target key; absent for some AWS managed aliases. JSON `TargetKeyId`.
    public var targetKeyId: String?

    /// Creates an entry.
    public init(aliasName: String, aliasArn: String, targetKeyId: String?) {
        self.aliasName = aliasName
        self.aliasArn = aliasArn
        self.targetKeyId = targetKeyId
    }

    enum CodingKeys: String, CodingKey { case aliasName = "AliasName", aliasArn = "AliasArn", targetKeyId = "TargetKeyId" }
}

/// `ListAliases` output.
public struct ListAliasesResponse: Sendable, Codable, Equatable {
    /// JSON `Aliases`.
    public var aliases: [KMSAliasListEntry]
    /// JSON `NextMarker`.
    public var nextMarker: String?
    /// JSON `Truncated`.
    public var truncated: Bool

    /// Creates a response.
    public init(aliases: [KMSAliasListEntry], nextMarker: String? = nil, truncated: Bool = false) {
        self.aliases = aliases
        self.nextMarker = nextMarker
        self.truncated = truncated
    }

    enum CodingKeys: String, CodingKey { case aliases = "Aliases", nextMarker = "NextMarker", truncated = "Truncated" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        aliases = try c.decodeIfPresent([KMSAliasListEntry].self, forKey: .aliases) ?? []
        nextMarker = try c.decodeIfPresent(String.self, forKey: .nextMarker)
        truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
}

/// `GetKeyPolicy` input.
public struct GetKeyPolicyRequest: Sendable, Codable, Equatable {
    /// Key ID or key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// Always `default`. JSON `PolicyName`.
    public var policyName: String

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, policyName: String = "default") {
        self.keyId = keyId
        self.policyName = policyName
    }

    enum CodingKeys: String, CodingKey { case keyId = "KeyId", policyName = "PolicyName" }

    /// Decodes the KMS JSON form (`PolicyName` is optional and defaults to `default`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        policyName = try c.decodeIfPresent(String.self, forKey: .policyName) ?? "default"
    }
}

/// `GetKeyPolicy` output.
public struct GetKeyPolicyResponse: Sendable, Codable, Equatable {
    /// The key policy document. JSON `Policy`.
    public var policy: String
    /// JSON `PolicyName`.
    public var policyName: String?

    /// Creates a response.
    public init(policy: String, policyName: String? = "default") {
        self.policy = policy
        self.policyName = policyName
    }

    enum CodingKeys: String, CodingKey { case policy = "Policy", policyName = "PolicyName" }
}

/// `PutKeyPolicy` input.
public struct PutKeyPolicyRequest: Sendable, Codable, Equatable {
    /// Key ID or key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// The new key policy document. JSON `Policy`.
    public var policy: String
    /// Always `default`. JSON `PolicyName`.
    public var policyName: String
    /// Skip the policy lockout safety check. JSON `BypassPolicyLockoutSafetyCheck`.
    public var bypassPolicyLockoutSafetyCheck: Bool

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, policy: String, policyName: String = "default", bypassPolicyLockoutSafetyCheck: Bool = false) {
        self.keyId = keyId
        self.policy = policy
        self.policyName = policyName
        self.bypassPolicyLockoutSafetyCheck = bypassPolicyLockoutSafetyCheck
    }

    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", policy = "Policy", policyName = "PolicyName", bypassPolicyLockoutSafetyCheck = "BypassPolicyLockoutSafetyCheck"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        policy = try c.decode(String.self, forKey: .policy)
        policyName = try c.decodeIfPresent(String.self, forKey: .policyName) ?? "default"
        bypassPolicyLockoutSafetyCheck = try c.decodeIfPresent(Bool.self, forKey: .bypassPolicyLockoutSafetyCheck) ?? false
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(policy, forKey: .policy)
        try c.encode(policyName, forKey: .policyName)
        if bypassPolicyLockoutSafetyCheck { try c.encode(true, forKey: .bypassPolicyLockoutSafetyCheck) }
    }
}

/// `PutKeyPolicy` output (empty).
public struct PutKeyPolicyResponse: Sendable, Codable, Equatable {
    /// Creates the empty response.
    public init() {}
}

/// Input of the operations that take only a key (`EnableKey`, `DisableKey`, `CancelKeyDeletion`).
public struct KMSKeyOnlyRequest: Sendable, Codable, Equatable {
    /// Key ID or key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier) { self.keyId = keyId }

    enum CodingKeys: String, CodingKey { case keyId = "KeyId" }
}

/// An empty output (`{}`) of an administration operation.
public struct KMSEmptyResponse: Sendable, Codable, Equatable {
    /// Creates the empty response.
    public init() {}
}

/// `EnableKey` input.
public typealias EnableKeyRequest = KMSKeyOnlyRequest
/// `EnableKey` output.
public typealias EnableKeyResponse = KMSEmptyResponse
/// `DisableKey` input.
public typealias DisableKeyRequest = KMSKeyOnlyRequest
/// `DisableKey` output.
public typealias DisableKeyResponse = KMSEmptyResponse
/// `CancelKeyDeletion` input.
public typealias CancelKeyDeletionRequest = KMSKeyOnlyRequest

/// `CancelKeyDeletion` output.
public struct CancelKeyDeletionResponse: Sendable, Codable, Equatable {
    /// The key ARN. JSON `KeyId`.
    public var keyId: String?

    /// Creates a response.
    public init(keyId: String?) { self.keyId = keyId }

    enum CodingKeys: String, CodingKey { case keyId = "KeyId" }
}

/// `ScheduleKeyDeletion` input.
public struct ScheduleKeyDeletionRequest: Sendable, Codable, Equatable {
    /// Key ID or key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// 7…30 days (KMS's default is 30). JSON `PendingWindowInDays`.
    public var pendingWindowInDays: Int?

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, pendingWindowInDays: Int? = nil) {
        self.keyId = keyId
        self.pendingWindowInDays = pendingWindowInDays
    }

    enum CodingKeys: String, CodingKey { case keyId = "KeyId", pendingWindowInDays = "PendingWindowInDays" }
}

/// `ScheduleKeyDeletion` output.
public struct ScheduleKeyDeletionResponse: Sendable, Codable, Equatable {
    /// The key ARN. JSON `KeyId`.
    public var keyId: String?
    /// JSON `DeletionDate` (epoch seconds).
    public var deletionDate: Date?
    /// JSON `KeyState`.
    public var keyState: KMSKeyState?
    /// JSON `PendingWindowInDays`.
    public var pendingWindowInDays: Int?

    /// Creates a response.
    public init(keyId: String?, deletionDate: Date?, keyState: KMSKeyState?, pendingWindowInDays: Int?) {
        self.keyId = keyId
        self.deletionDate = deletionDate
        self.keyState = keyState
        self.pendingWindowInDays = pendingWindowInDays
    }

    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", deletionDate = "DeletionDate", keyState = "KeyState", pendingWindowInDays = "PendingWindowInDays"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decodeIfPresent(String.self, forKey: .keyId)
        deletionDate = try c.decodeEpochSecondsIfPresent(forKey: .deletionDate)
        keyState = try c.decodeIfPresent(KMSKeyState.self, forKey: .keyState)
        pendingWindowInDays = try c.decodeIfPresent(Int.self, forKey: .pendingWindowInDays)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(keyId, forKey: .keyId)
        try c.encodeEpochSecondsIfPresent(deletionDate, forKey: .deletionDate)
        try c.encodeIfPresent(keyState, forKey: .keyState)
        try c.encodeIfPresent(pendingWindowInDays, forKey: .pendingWindowInDays)
    }
}

/// `RetireGrant` input: either `GrantToken`, or `KeyId` with `GrantId`.
public struct RetireGrantRequest: Sendable, Codable, Equatable {
    /// JSON `GrantToken`.
    public var grantToken: String?
    /// The key ARN (with `grantId`). JSON `KeyId`.
    public var keyId: KMSKeyIdentifier?
    /// JSON `GrantId`.
    public var grantId: String?
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request.
    public init(grantToken: String? = nil, keyId: KMSKeyIdentifier? = nil, grantId: String? = nil, dryRun: Bool = false) {
        self.grantToken = grantToken
        self.keyId = keyId
        self.grantId = grantId
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey { case grantToken = "GrantToken", keyId = "KeyId", grantId = "GrantId", dryRun = "DryRun" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        grantToken = try c.decodeIfPresent(String.self, forKey: .grantToken)
        keyId = try c.decodeIfPresent(KMSKeyIdentifier.self, forKey: .keyId)
        grantId = try c.decodeIfPresent(String.self, forKey: .grantId)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(grantToken, forKey: .grantToken)
        try c.encodeIfPresent(keyId, forKey: .keyId)
        try c.encodeIfPresent(grantId, forKey: .grantId)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `RetireGrant` output (empty).
public typealias RetireGrantResponse = KMSEmptyResponse
