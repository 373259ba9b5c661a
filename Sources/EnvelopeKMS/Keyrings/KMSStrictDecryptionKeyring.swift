import EnvelopeCore

/// The decrypt side of a strict KMS keyring: tries only the encrypted data keys made under its
/// configured key ARN (or, when multi-Region aware, under a replica of it).
///
/// Spec: framework/aws-kms/aws-kms-keyring.md ("OnDecrypt"); multi-Region aware:
/// framework/aws-kms/aws-kms-mrk-keyring.md with aws-kms-mrk-match-for-decrypt.md.
///
/// Built from a key ARN, synchronously; built from an alias ARN (own or another account), a key
/// ID or alias name (own account) with ``resolving(_:transport:grantTokens:multiRegionAware:)``,
/// which asks KMS once (DescribeKey) and refuses, with the reason, what it cannot resolve. A
/// keyring therefore never silently skips every key because it was configured with an alias.
public struct KMSStrictDecryptionKeyring: DecryptionKeyring, CustomStringConvertible {
    /// The key ARN whose encrypted data keys this keyring decrypts.
    public let keyARN: KMSKeyARN
    /// How `keyARN` was found, when the keyring was configured with something else.
    public let resolution: KMSKeyResolution?
    /// Whether encrypted data keys of other-Region replicas of a multi-Region (`mrk-`) key match.
    public let multiRegionAware: Bool
    /// Grant tokens sent with every Decrypt.
    public let grantTokens: [String]
    /// After this many failed KMS Decrypt calls for one message, stop trying its remaining
    /// encrypted data keys (at least 1; default ``kmsDefaultMaxFailedDecryptAttempts``, 10).
    /// Identical encrypted data keys are always tried once only.
    public var maxFailedDecryptAttempts = kmsDefaultMaxFailedDecryptAttempts
    private let transport: any KMSTransport

    /// A keyring for `keyARN`; `transport` must call the key's Region.
    public init(keyARN: KMSKeyARN, transport: any KMSTransport, grantTokens: [String] = [], multiRegionAware: Bool = false) throws {
        try self.init(keyARN: keyARN, resolution: nil, transport: transport, grantTokens: grantTokens, multiRegionAware: multiRegionAware)
    }

    init(keyARN: KMSKeyARN, resolution: KMSKeyResolution?, transport: any KMSTransport, grantTokens: [String], multiRegionAware: Bool) throws {
        guard keyARN.region == transport.region else {
            throw EnvelopeKMSKeyringErrors.regionMismatch(.keyARN(keyARN), keyRegion: keyARN.region, transportRegion: transport.region, role: "decryption")
        }
        guard grantTokens.count <= 10 else {
            throw EnvelopeError(.invalidArgument, "KMS accepts at most 10 grant tokens per request; \(grantTokens.count) were given.")
        }
        self.keyARN = keyARN
        self.resolution = resolution
        self.transport = transport
        self.grantTokens = grantTokens
        self.multiRegionAware = multiRegionAware
    }

    /// Builds a keyring from any identifier: a key ARN is used as is; an alias ARN, alias name or
    /// key ID is resolved to its key ARN with one DescribeKey call (an alias ARN works across
    /// accounts; a key ID or alias name only in the caller's own account). Throws, with KMS's
    /// answer and what to do, when the identifier cannot be resolved.
    public static func resolving(_ identifier: KMSKeyIdentifier, transport: any KMSTransport, grantTokens: [String] = [],
                                 multiRegionAware: Bool = false) async throws -> KMSStrictDecryptionKeyring {
        let (arn, resolution) = try await KMSKeyResolution.resolve(identifier, transport: transport, grantTokens: grantTokens)
        return try KMSStrictDecryptionKeyring(keyARN: arn, resolution: resolution, transport: transport, grantTokens: grantTokens,
                                              multiRegionAware: multiRegionAware)
    }

    /// `strict KMS keyring(ARN)` (with `multi-Region aware` and the alias it came from).
    public var description: String {
        "strict KMS keyring(\(keyARN)\(multiRegionAware ? ", multi-Region aware" : "")\(resolution.map { ", from \($0.configured)" } ?? ""))"
    }

    /// Decrypts the first encrypted data key made under the configured key; reports every key otherwise.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try await onDecrypt(materials, encryptedDataKeys: encryptedDataKeys, label: description)
    }

    /// The same, reporting failures under `label` (the name of the keyring that owns this side).
    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey], label: String) async throws -> DecryptionMaterials {
        let configured = keyARN
        let aware = multiRegionAware
        return try await KMSDecryptAttempts.run(materials: materials, encryptedDataKeys: encryptedDataKeys, keyring: label,
                                                transport: transport, grantTokens: grantTokens,
                                                notes: resolution.map { [$0.description] } ?? [], multiRegionAware: aware, maxFailedAttempts: maxFailedDecryptAttempts) { stored in
            if aware {
                // Spec: aws-kms-mrk-keyring.md — filter with MRK Match for Decrypt; Decrypt with the configured key.
                return KMSMultiRegionKeys.matchForDecrypt(configured, stored) ? .attempt(configured)
                    : .skip("not the configured key \(configured) nor a multi-Region replica of it")
            }
            // Spec: aws-kms-keyring.md — the provider info MUST match the configured key.
            if stored == configured { return .attempt(configured) }
            if KMSMultiRegionKeys.matchForDecrypt(configured, stored) {
                return .skip("a replica in \(stored.region) of the configured multi-Region key \(configured); build the keyring with multiRegionAware: true to use it")
            }
            return .skip("not the configured key \(configured)")
        }
    }
}
