import EnvelopeCore

/// The multi-Region key rules of the ESDK.
public enum KMSMultiRegionKeys {
    /// Whether a configured key may decrypt an encrypted data key made under `stored`: identical
    /// ARNs, or two multi-Region keys that differ only in their Region (replicas of one key).
    ///
    /// Spec: framework/aws-kms/aws-kms-mrk-match-for-decrypt.md — partition, service, account,
    /// resource type and resource compared; the Region intentionally not.
    public static func matchForDecrypt(_ configured: KMSKeyARN, _ stored: KMSKeyARN) -> Bool {
        if configured == stored { return true }
        guard configured.isMultiRegion, stored.isMultiRegion else { return false }
        return configured.partition == stored.partition && configured.account == stored.account && configured.keyID == stored.keyID
    }

    /// Refuses a configuration that names the same multi-Region key twice (in any Regions): which
    /// replica to call would be ambiguous.
    ///
    /// Spec: framework/aws-kms/aws-kms-mrk-are-unique.md — the error lists every identifier with
    /// a duplicated resource ID, not only the first.
    public static func assertUnique(_ identifiers: [KMSKeyIdentifier]) throws {
        var byID: [KMSKeyID: [KMSKeyIdentifier]] = [:]
        for identifier in identifiers {
            switch identifier {
            case .keyARN(let arn) where arn.isMultiRegion: byID[arn.keyID, default: []].append(identifier)
            case .keyID(let id) where id.isMultiRegion: byID[id, default: []].append(identifier)
            default: continue
            }
        }
        let duplicates = byID.values.filter { $0.count > 1 }.flatMap { $0 }
        guard duplicates.isEmpty else {
            throw EnvelopeError(.invalidArgument, "The configuration names the same multi-Region key more than once: \(duplicates.map(\.description).sorted().joined(separator: ", ")). Keep one Region per multi-Region key; which replica to call would otherwise be ambiguous.")
        }
    }
}
