import EnvelopeCore

/// A decrypt-only KMS keyring that decrypts with whatever key ARN an encrypted data key names,
/// provided the key passes its ``KMSDiscoveryFilter``; it has no encrypt side at all.
///
/// Spec: framework/aws-kms/aws-kms-discovery-keyring.md; multi-Region aware:
/// framework/aws-kms/aws-kms-mrk-discovery-keyring.md (a `mrk-` key of another Region is
/// decrypted by its replica in the transport's Region).
///
/// Keys outside the filter, and keys of another Region than the transport's (which KMS could not
/// reach through it), are skipped without calling KMS; each skip is recorded with its reason in
/// the error's `dataKeyFailures` if nothing could be decrypted.
public struct KMSDiscoveryKeyring: DecryptionKeyring, CustomStringConvertible {
    /// Which accounts' keys may be used.
    public let filter: KMSDiscoveryFilter
    /// Whether multi-Region keys of other Regions are decrypted with their replica in this Region.
    public let multiRegionAware: Bool
    /// Grant tokens sent with every Decrypt.
    public let grantTokens: [String]
    /// After this many failed KMS Decrypt calls for one message, stop trying its remaining
    /// encrypted data keys (at least 1; default ``kmsDefaultMaxFailedDecryptAttempts``, 10).
    /// Identical encrypted data keys are always tried once only.
    public var maxFailedDecryptAttempts = kmsDefaultMaxFailedDecryptAttempts
    private let transport: any KMSTransport

    /// Creates the keyring. The filter is required: `.accounts([…], partition:)` or, explicitly, `.anyAccount`.
    public init(transport: any KMSTransport, filter: KMSDiscoveryFilter, grantTokens: [String] = [], multiRegionAware: Bool = false) throws {
        guard grantTokens.count <= 10 else {
            throw EnvelopeError(.invalidArgument, "KMS accepts at most 10 grant tokens per request; \(grantTokens.count) were given.")
        }
        if let partition = filter.partition, partition != transport.region.partition {
            throw EnvelopeError(.invalidArgument, "The discovery filter allows partition \(partition), but the transport calls \(transport.region) in partition \(transport.region.partition); no key could ever pass. Use a transport of partition \(partition).")
        }
        self.transport = transport
        self.filter = filter
        self.grantTokens = grantTokens
        self.multiRegionAware = multiRegionAware
    }

    /// `KMS discovery keyring(REGION, filter)`.
    public var description: String {
        "KMS discovery keyring(\(transport.region), \(filter)\(multiRegionAware ? ", multi-Region aware" : ""))"
    }

    /// Decrypts the first encrypted data key that passes the filter and that KMS decrypts.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        let filter = filter
        let region = transport.region
        let aware = multiRegionAware
        return try await KMSDecryptAttempts.run(materials: materials, encryptedDataKeys: encryptedDataKeys, keyring: description,
                                                transport: transport, grantTokens: grantTokens, notes: [], maxFailedAttempts: maxFailedDecryptAttempts) { stored in
            // Spec: aws-kms-discovery-keyring.md — partition and account must pass the filter.
            if let rejection = filter.rejection(of: stored) { return .skip(rejection) }
            if stored.region == region { return .attempt(stored) }
            if aware && stored.isMultiRegion {
                // Spec: aws-kms-mrk-discovery-keyring.md — same ARN with the client's Region.
                return .attempt(KMSKeyARN(region: region, account: stored.account, keyID: stored.keyID))
            }
            return .skip("the key is in Region \(stored.region) but this keyring's transport calls \(region)\(stored.isMultiRegion ? " (it is a multi-Region key: use multiRegionAware: true to decrypt it with its replica here)" : ""); add a discovery keyring for \(stored.region)")
        }
    }
}
