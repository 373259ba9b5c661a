import EnvelopeKMS
import Foundation

/// Everything the local KMS knows, as persisted in `state.json`. Secrets (backing keys, secret
/// access keys) appear only wrapped under the state key.
struct LocalKMSState: Codable, Sendable {
    static let currentFormat = 1

    var format: Int = LocalKMSState.currentFormat
    var keys: [StoredKey] = []
    var aliases: [StoredAlias] = []
    /// IAM identity policies per principal ARN (text as attached, in attachment order).
    var identityPolicies: [String: [String]] = [:]
    var grants: [StoredGrant] = []
    var accessKeys: [StoredAccessKey] = []

    func keyIndex(_ arn: KMSKeyARN) -> Int? { keys.firstIndex { $0.arn == arn } }
}

/// A KMS key: metadata, key policy text and the wrapped AES-256 backing key.
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

    var metadata: KMSKeyMetadata {
        KMSKeyMetadata(awsAccountId: arn.account, keyId: arn.keyID, arn: arn, creationDate: creationDate,
                       enabled: state == .enabled, keyDescription: keyDescription, keyState: state,
                       deletionDate: deletionDate, pendingDeletionWindowInDays: pendingWindowInDays,
                       multiRegion: arn.isMultiRegion)
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
