/// A KMS key an ``EncryptOnlyClient`` wraps data keys with, and what the caller may do with it.
public struct EncryptOnlyKey: Sendable, Hashable, CustomStringConvertible {
    /// The key: key ARN or alias ARN (any account), key ID or alias name (own account).
    public let identifier: KMSKeyIdentifier
    /// The caller's permissions on the key, as its key policy and IAM policies grant them.
    public let permissions: KMSPermissions

    /// A key with known permissions, e.g. ``KMSPermissions/encryptOnly``.
    public init(_ identifier: KMSKeyIdentifier, permissions: KMSPermissions) {
        self.identifier = identifier
        self.permissions = permissions
    }

    /// The key and its permissions.
    public var description: String { "\(identifier) [\(permissions)]" }
}
