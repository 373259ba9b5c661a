/// Which KMS key(s) a branch key store wraps and unwraps its keys with.
///
/// Spec: framework/branch-key-store.md ("AWS KMS Configuration", "AWS Key ARN Compatibility").
public enum BranchKeyStoreKMSConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// One KMS key: items must name exactly this key ARN. Creates and versions keys with it.
    case keyARN(KMSKeyARN)
    /// One KMS key, multi-Region compatible: items may name the same multi-Region key in another Region.
    case multiRegionKeyARN(KMSKeyARN)
    /// Any key the items name (reads only: creating and versioning are refused).
    case discovery
    /// Any key the items name, multi-Region keys used through their replica in `region` (reads only).
    case multiRegionDiscovery(region: AWSRegion)

    /// The configured key, `nil` for the discovery configurations.
    public var keyARN: KMSKeyARN? {
        switch self {
        case .keyARN(let arn), .multiRegionKeyARN(let arn): arn
        case .discovery, .multiRegionDiscovery: nil
        }
    }

    /// Whether an item naming `stored` may be used: exact match for ``keyARN(_:)``, equal except
    /// for the Region for ``multiRegionKeyARN(_:)``, always for the discovery configurations.
    ///
    /// - Parameter stored: The `kms-arn` of an item.
    public func isCompatible(with stored: KMSKeyARN) -> Bool {
        switch self {
        case .keyARN(let arn): arn == stored
        case .multiRegionKeyARN(let arn): KMSMultiRegionKeys.matchForDecrypt(arn, stored)
        case .discovery, .multiRegionDiscovery: true
        }
    }

    /// The key to name in a KMS call for an item that names `stored`.
    func keyForCall(stored: KMSKeyARN) -> KMSKeyARN {
        switch self {
        case .keyARN(let arn), .multiRegionKeyARN(let arn): arn
        case .discovery: stored
        case .multiRegionDiscovery(let region):
            stored.isMultiRegion ? KMSKeyARN(region: region, account: stored.account, keyID: stored.keyID) : stored
        }
    }

    /// `key ARN`, `MRK key ARN`, `discovery` or `MRK discovery in REGION`, with the ARN.
    public var description: String {
        switch self {
        case .keyARN(let arn): "key \(arn)"
        case .multiRegionKeyARN(let arn): "multi-Region compatible key \(arn)"
        case .discovery: "discovery"
        case .multiRegionDiscovery(let region): "multi-Region discovery in \(region.rawValue)"
        }
    }
}
