import EnvelopeCore

/// Which accounts' keys a discovery keyring may use: a partition and a list of accounts, or,
/// explicitly, any account.
///
/// Spec: framework/aws-kms/aws-kms-discovery-keyring.md ("discovery filter"). EnvelopeKit requires
/// the choice to be made: a discovery keyring without a filter would call KMS for whatever key
/// ARN a message names.
public struct KMSDiscoveryFilter: Sendable, Hashable, CustomStringConvertible {
    /// The partition keys must be in (nil: any).
    public let partition: AWSPartition?
    /// The accounts keys must belong to (nil: any).
    public let accounts: Set<AWSAccountID>?

    /// Only keys of these accounts in this partition; throws when `accounts` is empty (use
    /// ``anyAccount`` to allow every account).
    public static func accounts(_ accounts: [AWSAccountID], partition: AWSPartition = .aws) throws -> KMSDiscoveryFilter {
        guard !accounts.isEmpty else {
            throw EnvelopeError(.invalidArgument, "A discovery filter needs at least one account. List the accounts whose keys may decrypt, or use KMSDiscoveryFilter.anyAccount to allow every account explicitly.")
        }
        return KMSDiscoveryFilter(partition: partition, accounts: Set(accounts))
    }

    /// Keys of any account in any partition: the keyring asks KMS to decrypt every `aws-kms`
    /// encrypted data key it is given. Use only when the messages come from a trusted source.
    public static let anyAccount = KMSDiscoveryFilter(partition: nil, accounts: nil)

    /// Keys of any account in one partition.
    public static func anyAccount(in partition: AWSPartition) -> KMSDiscoveryFilter {
        KMSDiscoveryFilter(partition: partition, accounts: nil)
    }

    private init(partition: AWSPartition?, accounts: Set<AWSAccountID>?) {
        self.partition = partition
        self.accounts = accounts
    }

    /// nil if `key` passes the filter, else why not.
    /// Spec: framework/aws-kms/aws-kms-discovery-keyring.md ("OnDecrypt") — partition and account must match.
    public func rejection(of key: KMSKeyARN) -> String? {
        if let partition, key.partition != partition {
            return "the key is in partition \(key.partition), outside the discovery filter (partition \(partition))"
        }
        if let accounts, !accounts.contains(key.account) {
            return "account \(key.account) is not in the discovery filter (\(accounts.sorted().map(\.rawValue).joined(separator: ", ")))"
        }
        return nil
    }

    /// The filter, e.g. `partition aws, accounts 111122223333`.
    public var description: String {
        "partition \(partition?.rawValue ?? "any"), accounts \(accounts.map { $0.sorted().map(\.rawValue).joined(separator: ", ") } ?? "any")"
    }
}
