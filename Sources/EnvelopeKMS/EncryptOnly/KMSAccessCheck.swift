/// The outcome of one start-up permission check (a KMS `DryRun` request).
public struct KMSAccessCheck: Sendable, CustomStringConvertible {
    /// The key checked.
    public let key: KMSKeyIdentifier
    /// The action checked (kms:GenerateDataKey or kms:Encrypt).
    public let action: KMSAction
    /// nil when KMS answered `DryRunOperationException` (the call would succeed), else KMS's error.
    public let failure: KMSDataKeyError?

    /// Whether the real call would succeed.
    public var isAllowed: Bool { failure == nil }

    /// `kms:Encrypt on KEY: allowed` or the error.
    public var description: String { failure.map(\.description) ?? "\(action.rawValue) on \(key): allowed (DryRun)" }
}
