import EnvelopeKMS

/// Which policy a statement belongs to.
public enum KMSPolicySource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The key policy.
    case keyPolicy
    /// The `index`-th IAM identity policy attached to `principal` (attachment order).
    case identityPolicy(principal: String, index: Int)
    /// A grant on the key (grants only allow).
    case grant(grantId: String)

    /// `key policy`, `IAM policy #1 of arn:…`, `grant 0a1b…`.
    public var description: String {
        switch self {
        case .keyPolicy: "key policy"
        case .identityPolicy(let principal, let index): "IAM policy #\(index + 1) of \(principal)"
        case .grant(let id): "grant \(id)"
        }
    }
}

/// One statement that took part in a decision: its policy, its position and its `Sid`.
public struct KMSStatementReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The policy.
    public var source: KMSPolicySource
    /// The statement's position in the policy (0-based); `nil` for a grant.
    public var statementIndex: Int?
    /// The statement's `Sid`, if it has one.
    public var sid: String?
    /// Allow or Deny.
    public var effect: PolicyStatement.Effect

    /// Creates a reference.
    public init(source: KMSPolicySource, statementIndex: Int?, sid: String?, effect: PolicyStatement.Effect) {
        self.source = source
        self.statementIndex = statementIndex
        self.sid = sid
        self.effect = effect
    }

    /// `key policy statement 1 "AllowUseOfTheKey" (Allow)`.
    public var description: String {
        var text = source.description
        if let statementIndex { text += " statement \(statementIndex)" }
        if let sid { text += " \"\(sid)\"" }
        return text + " (\(effect.rawValue))"
    }
}

/// A decision with its reasons: the outcome, and the statements that decided it.
public struct KMSAccessExplanation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Allowed, or denied with the reason (which side is missing or denied).
    public var denial: KMSDenialReason?
    /// The statements that allowed the request (key policy and, when needed, IAM or a grant),
    /// or the one explicit Deny that denied it. Empty when denied because no statement allows.
    public var statements: [KMSStatementReference]

    /// Creates an explanation.
    public init(denial: KMSDenialReason?, statements: [KMSStatementReference]) {
        self.denial = denial
        self.statements = statements
    }

    /// Whether the request is allowed.
    public var isAllowed: Bool { denial == nil }

    /// The decision without its reasons.
    public var decision: KMSAccessDecision { denial.map(KMSAccessDecision.denied) ?? .allowed }

    /// `allowed by key policy statement 0 "Enable IAM User Permissions" (Allow); IAM policy #1 of … statement 0 (Allow)`,
    /// `denied by key policy statement 2 "DenyDecrypt" (Deny)`, or `denied: no statement allows (missing: …)`.
    public var description: String {
        let list = statements.map(\.description).joined(separator: "; ")
        switch denial {
        case nil: return "allowed by \(list)"
        case .explicitDenyInKeyPolicy?, .explicitDenyInIdentityPolicy?: return "denied by \(list)"
        case let reason?:
            return statements.isEmpty ? "denied: no statement allows (\(reason.missingSide))"
                : "denied: \(reason.missingSide); allowing so far: \(list)"
        }
    }
}
