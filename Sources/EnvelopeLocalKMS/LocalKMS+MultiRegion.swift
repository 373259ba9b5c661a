import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

/// Multi-Region keys: `mrk-` keys whose replicas in other Regions share the key ID and the key
/// material, so each decrypts the others' ciphertexts (multi-region-keys-overview.html).
extension LocalKMS {
    /// Replicates a multi-Region primary key into `replicaRegion` (ReplicateKey, as the key's
    /// administrator): same key ID and key material, its own key policy — `policy` if given,
    /// otherwise the default key policy, as ReplicateKey does (API_ReplicateKey.html, "Policy").
    @discardableResult
    public func replicateKey(_ key: KMSKeyARN, replicaRegion: AWSRegion, policy: String? = nil, description: String? = nil,
                             bypassPolicyLockoutSafetyCheck: Bool = false) throws -> KMSKeyMetadata {
        try refresh()
        guard key.isMultiRegion else {
            throw KMSError(code: "UnsupportedOperationException", message: "\(key) is not a multi-Region key; only multi-Region keys (mrk-…) can be replicated.")
        }
        guard replicaRegion != key.region else {
            throw LocalKMSErrors.validation("The replica Region \(replicaRegion) is the Region of the key; choose another Region")
        }
        let replicaARN = KMSKeyARN(region: replicaRegion, account: key.account, keyID: key.keyID)
        let primary = state.keys[try keyIndexForAdmin(key, in: state)]
        guard state.keyIndex(replicaARN) == nil else {
            throw KMSError(code: .alreadyExists, message: "\(replicaARN) already exists")
        }
        let policyText: String
        if let policy {
            try LocalKMS.validateKeyPolicy(policy, key: replicaARN, in: state, caller: key.account.rootPrincipal(partition: key.partition),
                                           bypassLockoutCheck: bypassPolicyLockoutSafetyCheck)
            policyText = policy
        } else {
            policyText = KMSPolicyTemplates.defaultKeyPolicy(owner: key.account, partition: key.partition).jsonText()
        }
        let material = try unwrap(primary.material, purpose: LocalKMS.materialPurpose(primary.arn))
        let replica = StoredKey(arn: replicaARN, creationDate: Date(), keyDescription: description ?? primary.keyDescription,
                                state: .enabled, deletionDate: nil, pendingWindowInDays: nil, policy: policyText,
                                material: try wrap(material, purpose: LocalKMS.materialPurpose(replicaARN)),
                                rsaSpec: primary.rsaSpec, publicKey: primary.publicKey)
        try mutate { state in
            guard state.keyIndex(replicaARN) == nil else { throw KMSError(code: .alreadyExists, message: "\(replicaARN) already exists") }
            state.keys.append(replica)
        }
        return replica.metadata
    }

    /// The key in `region` that stands for `arn`: the key itself, or for a multi-Region key its
    /// replica in that Region (same account and key ID).
    func relatedKey(_ arn: KMSKeyARN, in region: AWSRegion) -> StoredKey? {
        let local = arn.region == region ? arn : (arn.isMultiRegion ? KMSKeyARN(region: region, account: arn.account, keyID: arn.keyID) : nil)
        return local.flatMap(state.keyIndex).map { state.keys[$0] }
    }
}
