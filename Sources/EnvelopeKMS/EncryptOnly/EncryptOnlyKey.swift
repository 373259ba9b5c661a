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

    /// A key whose permissions are derived from its key policy and the caller's IAM policies with
    /// the same rules the local KMS enforces (``KMSAccessEvaluator``; grants are not counted).
    public static func derived(keyARN: KMSKeyARN, keyPolicy: PolicyDocument, identityPolicies: [PolicyDocument], principal: AWSPrincipalARN,
                               encryptionContext: [String: String] = [:]) -> EncryptOnlyKey {
        EncryptOnlyKey(.keyARN(keyARN), permissions: KMSPermissions.derive(keyPolicy: keyPolicy, identityPolicies: identityPolicies,
                                                                          principal: principal, keyARN: keyARN, encryptionContext: encryptionContext))
    }

    /// The key and its permissions.
    public var description: String { "\(identifier) [\(permissions)]" }
}
