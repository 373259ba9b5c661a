/// Why KMS denied a request, in the terms AWS uses in its AccessDenied messages: which side is
/// missing (the key policy or the caller's IAM policy), or which side denied explicitly.
public enum KMSDenialReason: String, Sendable, Equatable, Hashable, Codable {
    /// A `Deny` statement of the key policy matched.
    case explicitDenyInKeyPolicy
    /// A `Deny` statement of the caller's IAM policies matched.
    case explicitDenyInIdentityPolicy
    /// The key policy neither names the caller nor delegates to the caller's account.
    case noKeyPolicyAllows
    /// The key policy delegates to the caller's account, but no IAM policy of the caller allows the action.
    case noIdentityPolicyAllows

    /// One short line saying which side is missing, e.g. for a command-line error.
    public var missingSide: String {
        switch self {
        case .explicitDenyInKeyPolicy: "denied by an explicit Deny statement in the key policy"
        case .explicitDenyInIdentityPolicy: "denied by an explicit Deny statement in the caller's IAM policy"
        case .noKeyPolicyAllows: "missing: the key policy allows neither the caller nor its account"
        case .noIdentityPolicyAllows: "missing: an IAM policy of the caller allowing the action (the key policy delegates to its account)"
        }
    }
}
