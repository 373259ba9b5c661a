import Foundation

/// Encryption-context constraints of a grant (`GrantConstraints`).
public struct KMSGrantConstraints: Sendable, Codable, Equatable, Hashable {
    /// The request's context must contain all these pairs. JSON `EncryptionContextSubset`.
    public var encryptionContextSubset: [String: String]?
    /// The request's context must be exactly these pairs. JSON `EncryptionContextEquals`.
    public var encryptionContextEquals: [String: String]?

    /// Creates constraints (give at most one of the two).
    public init(encryptionContextSubset: [String: String]? = nil, encryptionContextEquals: [String: String]? = nil) {
        self.encryptionContextSubset = encryptionContextSubset
        self.encryptionContextEquals = encryptionContextEquals
    }

    /// Whether a request with `context` satisfies the constraints (exact, case-sensitive match).
    public func isSatisfied(by context: [String: String]) -> Bool {
        if let equals = encryptionContextEquals, equals != context { return false }
        if let subset = encryptionContextSubset, !subset.allSatisfy({ context[$0.key] == $0.value }) { return false }
        return true
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case encryptionContextSubset = "EncryptionContextSubset", encryptionContextEquals = "EncryptionContextEquals"
    }
}

/// `CreateGrant` input.
public struct CreateGrantRequest: Sendable, Codable, Equatable {
    /// The key; from another account, its key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// Who may use the grant (a principal ARN, possibly in another account). JSON `GranteePrincipal`.
    public var granteePrincipal: String
    /// Who may retire the grant. JSON `RetiringPrincipal`.
    public var retiringPrincipal: String?
    /// What the grant permits. JSON `Operations`.
    public var operations: [KMSGrantOperation]
    /// JSON `Constraints`.
    public var constraints: KMSGrantConstraints?
    /// JSON `GrantTokens` (omitted when empty).
    public var grantTokens: [String]
    /// A name that makes retried CreateGrant calls idempotent. JSON `Name`.
    public var name: String?
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, granteePrincipal: String, retiringPrincipal: String? = nil,
                operations: [KMSGrantOperation], constraints: KMSGrantConstraints? = nil, grantTokens: [String] = [],
                name: String? = nil, dryRun: Bool = false) {
        self.keyId = keyId
        self.granteePrincipal = granteePrincipal
        self.retiringPrincipal = retiringPrincipal
        self.operations = operations
        self.constraints = constraints
        self.grantTokens = grantTokens
        self.name = name
        self.dryRun = dryRun
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", granteePrincipal = "GranteePrincipal", retiringPrincipal = "RetiringPrincipal"
        case operations = "Operations", constraints = "Constraints", grantTokens = "GrantTokens", name = "Name", dryRun = "DryRun"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        granteePrincipal = try c.decode(String.self, forKey: .granteePrincipal)
        retiringPrincipal = try c.decodeIfPresent(String.self, forKey: .retiringPrincipal)
        operations = try c.decode([KMSGrantOperation].self, forKey: .operations)
        constraints = try c.decodeIfPresent(KMSGrantConstraints.self, forKey: .constraints)
        grantTokens = try c.decodeTokens(forKey: .grantTokens)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(granteePrincipal, forKey: .granteePrincipal)
        try c.encodeIfPresent(retiringPrincipal, forKey: .retiringPrincipal)
        try c.encode(operations, forKey: .operations)
        try c.encodeIfPresent(constraints, forKey: .constraints)
        try c.encodeTokens(grantTokens, forKey: .grantTokens)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `CreateGrant` output.
public struct CreateGrantResponse: Sendable, Codable, Equatable {
    /// A token that makes the grant usable at once when passed in `GrantTokens`. JSON `GrantToken`.
    public var grantToken: String
    /// The grant's ID. JSON `GrantId`.
    public var grantId: String

    /// Creates a response.
    public init(grantToken: String, grantId: String) {
        self.grantToken = grantToken
        self.grantId = grantId
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey { case grantToken = "GrantToken", grantId = "GrantId" }
}

/// `ListGrants` input.
public struct ListGrantsRequest: Sendable, Codable, Equatable {
    /// The key; from another account, its key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// Page size (1…100). JSON `Limit`.
    public var limit: Int?
    /// `NextMarker` of the previous page. JSON `Marker`.
    public var marker: String?
    /// Only this grant. JSON `GrantId`.
    public var grantId: String?
    /// Only grants for this grantee. JSON `GranteePrincipal`.
    public var granteePrincipal: String?

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, limit: Int? = nil, marker: String? = nil, grantId: String? = nil, granteePrincipal: String? = nil) {
        self.keyId = keyId
        self.limit = limit
        self.marker = marker
        self.grantId = grantId
        self.granteePrincipal = granteePrincipal
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", limit = "Limit", marker = "Marker", grantId = "GrantId", granteePrincipal = "GranteePrincipal"
    }
}

/// One grant in a `ListGrants` answer (`GrantListEntry`).
public struct KMSGrantListEntry: Sendable, Codable, Equatable {
    /// The key ARN. JSON `KeyId`.
    public var keyId: KMSKeyARN
    /// JSON `GrantId`.
    public var grantId: String
    /// JSON `Name`.
    public var name: String?
    /// JSON `CreationDate` (epoch seconds).
    public var creationDate: Date
    /// JSON `GranteePrincipal`.
    public var granteePrincipal: String
    /// JSON `RetiringPrincipal`.
    public var retiringPrincipal: String?
    /// The account root ARN of the account that created the grant. JSON `IssuingAccount`.
    public var issuingAccount: String
    /// JSON `Operations`.
    public var operations: [KMSGrantOperation]
    /// JSON `Constraints`.
    public var constraints: KMSGrantConstraints?

    /// Creates an entry.
    public init(keyId: KMSKeyARN, grantId: String, name: String?, creationDate: Date, granteePrincipal: String,
                retiringPrincipal: String?, issuingAccount: String, operations: [KMSGrantOperation], constraints: KMSGrantConstraints?) {
        self.keyId = keyId
        self.grantId = grantId
        self.name = name
        self.creationDate = creationDate
        self.granteePrincipal = granteePrincipal
        self.retiringPrincipal = retiringPrincipal
        self.issuingAccount = issuingAccount
        self.operations = operations
        self.constraints = constraints
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey {
        case keyId = "KeyId", grantId = "GrantId", name = "Name", creationDate = "CreationDate"
        case granteePrincipal = "GranteePrincipal", retiringPrincipal = "RetiringPrincipal"
        case issuingAccount = "IssuingAccount", operations = "Operations", constraints = "Constraints"
    }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyARN.self, forKey: .keyId)
        grantId = try c.decode(String.self, forKey: .grantId)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        creationDate = try c.decodeEpochSecondsIfPresent(forKey: .creationDate) ?? Date(timeIntervalSince1970: 0)
        granteePrincipal = try c.decode(String.self, forKey: .granteePrincipal)
        retiringPrincipal = try c.decodeIfPresent(String.self, forKey: .retiringPrincipal)
        issuingAccount = try c.decodeIfPresent(String.self, forKey: .issuingAccount) ?? ""
        operations = try c.decodeIfPresent([KMSGrantOperation].self, forKey: .operations) ?? []
        constraints = try c.decodeIfPresent(KMSGrantConstraints.self, forKey: .constraints)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(grantId, forKey: .grantId)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeEpochSeconds(creationDate, forKey: .creationDate)
        try c.encode(granteePrincipal, forKey: .granteePrincipal)
        try c.encodeIfPresent(retiringPrincipal, forKey: .retiringPrincipal)
        try c.encode(issuingAccount, forKey: .issuingAccount)
        try c.encode(operations, forKey: .operations)
        try c.encodeIfPresent(constraints, forKey: .constraints)
    }
}

/// `ListGrants` output.
public struct ListGrantsResponse: Sendable, Codable, Equatable {
    /// JSON `Grants`.
    public var grants: [KMSGrantListEntry]
    /// Pass as `Marker` for the next page. JSON `NextMarker`.
    public var nextMarker: String?
    /// Whether more pages follow. JSON `Truncated`.
    public var truncated: Bool

    /// Creates a response.
    public init(grants: [KMSGrantListEntry], nextMarker: String? = nil, truncated: Bool = false) {
        self.grants = grants
        self.nextMarker = nextMarker
        self.truncated = truncated
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey { case grants = "Grants", nextMarker = "NextMarker", truncated = "Truncated" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        grants = try c.decodeIfPresent([KMSGrantListEntry].self, forKey: .grants) ?? []
        nextMarker = try c.decodeIfPresent(String.self, forKey: .nextMarker)
        truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
}

/// `RevokeGrant` input.
public struct RevokeGrantRequest: Sendable, Codable, Equatable {
    /// The key; from another account, its key ARN. JSON `KeyId`.
    public var keyId: KMSKeyIdentifier
    /// JSON `GrantId`.
    public var grantId: String
    /// JSON `DryRun`.
    public var dryRun: Bool

    /// Creates a request.
    public init(keyId: KMSKeyIdentifier, grantId: String, dryRun: Bool = false) {
        self.keyId = keyId
        self.grantId = grantId
        self.dryRun = dryRun
    }

    /// The exact KMS JSON member names.
    enum CodingKeys: String, CodingKey { case keyId = "KeyId", grantId = "GrantId", dryRun = "DryRun" }

    /// Decodes the KMS JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyId = try c.decode(KMSKeyIdentifier.self, forKey: .keyId)
        grantId = try c.decode(String.self, forKey: .grantId)
        dryRun = try c.decodeDryRun(forKey: .dryRun)
    }

    /// Encodes the KMS JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(grantId, forKey: .grantId)
        try c.encodeDryRun(dryRun, forKey: .dryRun)
    }
}

/// `RevokeGrant` output (empty: `{}`).
public struct RevokeGrantResponse: Sendable, Codable, Equatable {
    /// Creates the empty response.
    public init() {}
}
