import EnvelopeKMS
import Foundation

/// Everything the local KMS knows, as persisted in `state.json`. Secrets (backing keys, secret
/// access keys) appear only wrapped under the state key.
struct LocalKMSState: Codable, Sendable {
    enum CodingKeys: String, CodingKey { case format, keys, aliases, identityPolicies, grants, accessKeys, principals, accounts }

    static let currentFormat = 1

    var format: Int = LocalKMSState.currentFormat
    var keys: [StoredKey] = []
    var aliases: [StoredAlias] = []
    /// IAM identity policies per principal ARN (text as attached, in attachment order).
    var identityPolicies: [String: [String]] = [:]
    var grants: [StoredGrant] = []
    var accessKeys: [StoredAccessKey] = []
    /// The local IAM's users and roles (ARN with path → tags).
    var principals: [String: StoredPrincipal] = [:]
    /// The accounts that exist (account ID → organization).
    var accounts: [String: StoredAccount] = [:]

    init() {}

    /// Decodes a state file; members added after format 1 (principals, accounts) may be absent.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(Int.self, forKey: .format)
        keys = try c.decode([StoredKey].self, forKey: .keys)
        aliases = try c.decode([StoredAlias].self, forKey: .aliases)
        identityPolicies = try c.decode([String: [String]].self, forKey: .identityPolicies)
        grants = try c.decode([StoredGrant].self, forKey: .grants)
        accessKeys = try c.decode([StoredAccessKey].self, forKey: .accessKeys)
        principals = try c.decodeIfPresent([String: StoredPrincipal].self, forKey: .principals) ?? [:]
        accounts = try c.decodeIfPresent([String: StoredAccount].self, forKey: .accounts) ?? [:]
    }

    func keyIndex(_ arn: KMSKeyARN) -> Int? { keys.firstIndex { $0.arn == arn } }

    /// Registers an account (and, for a user or role, the principal) as existing.
    mutating func register(_ principal: AWSPrincipalARN) {
        if accounts[principal.account.rawValue] == nil { accounts[principal.account.rawValue] = StoredAccount() }
        switch principal.kind {
        case .user, .role:
            if principals[principal.description] == nil { principals[principal.description] = StoredPrincipal() }
        case .root, .assumedRole: break
        }
    }

    /// The IAM identity of a caller: itself, or for a role session the role **with its path**,
    /// found among the local IAM's roles of that account by name (a session ARN carries no path).
    func identity(of caller: AWSPrincipalARN) -> AWSPrincipalARN {
        guard case .assumedRole(let name, _) = caller.kind else { return caller }
        let known = Array(principals.keys) + Array(identityPolicies.keys)
        for text in known.sorted() {
            guard let arn = AWSPrincipalARN(text), arn.account == caller.account, arn.partition == caller.partition,
                  case .role(let path) = arn.kind, path.split(separator: "/").last.map(String.init) == name else { continue }
            return arn
        }
        return caller.policyPrincipal
    }

    /// Whether a principal named in a policy exists: an account that exists, or a user or role
    /// of the local IAM (sessions cannot be named as existing principals of a key policy).
    func exists(_ principal: AWSPrincipalARN) -> Bool {
        switch principal.kind {
        case .root: accounts[principal.account.rawValue] != nil
        case .user, .role: principals[principal.description] != nil || identityPolicies[principal.description] != nil
        case .assumedRole: accounts[principal.account.rawValue] != nil
        }
    }
}

/// A user or role of the local IAM.
struct StoredPrincipal: Codable, Sendable, Equatable {
    /// `aws:PrincipalTag/<key>` values.
    var tags: [String: String] = [:]
}

/// An account of the local IAM.
struct StoredAccount: Codable, Sendable, Equatable {
    /// The organization the account belongs to (`aws:PrincipalOrgID`), if any.
    var organizationID: String?
}

/// A KMS key: metadata, key policy text and the wrapped backing key (AES-256, or for an RSA key
/// pair the DER private key, with the public key beside it in clear).
struct StoredKey: Codable, Sendable {
    var arn: KMSKeyARN
    var creationDate: Date
    var keyDescription: String
    var state: KMSKeyState
    var deletionDate: Date?
    var pendingWindowInDays: Int?
    /// The key policy as the administrator gave it (returned verbatim by GetKeyPolicy).
    var policy: String
    var material: WrappedSecret
    /// The RSA key spec of a key pair for encryption; nil for a symmetric encryption key (and in
    /// state files written before RSA key pairs existed).
    var rsaSpec: KMSRSAKeySpec?
    /// The DER SubjectPublicKeyInfo of an RSA key pair (not secret).
    var publicKey: [UInt8]?

    /// `KeySpec` as KMS names it.
    var keySpec: String { rsaSpec?.rawValue ?? "SYMMETRIC_DEFAULT" }

    /// The encryption algorithms the key supports.
    var encryptionAlgorithms: [KMSEncryptionAlgorithm] { rsaSpec == nil ? [.symmetricDefault] : KMSEncryptionAlgorithm.rsaAlgorithms }

    var metadata: KMSKeyMetadata {
        KMSKeyMetadata(awsAccountId: arn.account, keyId: arn.keyID, arn: arn, creationDate: creationDate,
                       enabled: state == .enabled, keyDescription: keyDescription, keyState: state,
                       deletionDate: deletionDate, pendingDeletionWindowInDays: pendingWindowInDays,
                       keySpec: keySpec, encryptionAlgorithms: encryptionAlgorithms, multiRegion: arn.isMultiRegion)
    }
}

/// An alias of one account and Region pointing at a key of the same account and Region.
struct StoredAlias: Codable, Sendable {
    var arn: KMSAliasARN
    var target: KMSKeyARN
}

/// A grant on one key for one grantee principal.
struct StoredGrant: Codable, Sendable {
    var grantId: String
    var grantToken: String
    var keyARN: KMSKeyARN
    var name: String?
    var creationDate: Date
    var granteePrincipal: String
    var retiringPrincipal: String?
    var issuingAccount: String
    var operations: [KMSGrantOperation]
    var constraints: KMSGrantConstraints?

    var listEntry: KMSGrantListEntry {
        KMSGrantListEntry(keyId: keyARN, grantId: grantId, name: name, creationDate: creationDate, granteePrincipal: granteePrincipal,
                          retiringPrincipal: retiringPrincipal, issuingAccount: issuingAccount, operations: operations, constraints: constraints)
    }
}

/// An access key of a principal, for the SigV4 server; the secret is wrapped.
struct StoredAccessKey: Codable, Sendable {
    var accessKeyId: String
    var principal: AWSPrincipalARN
    var creationDate: Date
    var secret: WrappedSecret
}

/// A secret sealed with AES-256-GCM under the state key; `purpose` is bound as associated data.
struct WrappedSecret: Codable, Sendable, Equatable {
    var iv: [UInt8]
    var ciphertext: [UInt8]
    var tag: [UInt8]

    enum CodingKeys: String, CodingKey { case iv = "IV", ciphertext = "Ciphertext", tag = "Tag" }

    init(iv: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.iv = iv
        self.ciphertext = ciphertext
        self.tag = tag
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func blob(_ key: CodingKeys) throws -> [UInt8] {
            guard let data = Data(base64Encoded: try c.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not base64")
            }
            return [UInt8](data)
        }
        iv = try blob(.iv)
        ciphertext = try blob(.ciphertext)
        tag = try blob(.tag)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Data(iv).base64EncodedString(), forKey: .iv)
        try c.encode(Data(ciphertext).base64EncodedString(), forKey: .ciphertext)
        try c.encode(Data(tag).base64EncodedString(), forKey: .tag)
    }
}
