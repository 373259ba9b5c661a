/// One authorization question: may `caller` perform `action` on `keyARN`?
public struct KMSAccessRequest: Sendable, Equatable {
    /// The calling principal.
    public var caller: AWSPrincipalARN
    /// The action.
    public var action: KMSAction
    /// The key, always by ARN (policies' `Resource` names key ARNs).
    public var keyARN: KMSKeyARN
    /// The request's encryption context, for actions that take one.
    public var encryptionContext: [String: String]?
    /// The AWS service calling on the caller's behalf, if any (`kms:ViaService`, `kms:GrantIsForAWSResource`).
    public var viaService: String?

    /// Creates a request.
    public init(caller: AWSPrincipalARN, action: KMSAction, keyARN: KMSKeyARN, encryptionContext: [String: String]? = nil, viaService: String? = nil) {
        self.caller = caller
        self.action = action
        self.keyARN = keyARN
        self.encryptionContext = encryptionContext
        self.viaService = viaService
    }

    /// The condition-key context of this request.
    public var policyContext: PolicyRequestContext {
        PolicyRequestContext(caller: caller, action: action.rawValue, encryptionContext: encryptionContext, viaService: viaService)
    }
}

/// Why a request was denied, in the terms AWS uses in its AccessDenied messages.
public enum KMSDenialReason: Sendable, Equatable {
    /// A `Deny` statement of the key policy matched.
    case explicitDenyInKeyPolicy
    /// A `Deny` statement of the caller's IAM policies matched.
    case explicitDenyInIdentityPolicy
    /// The key policy neither names the caller nor delegates to the caller's account.
    case noKeyPolicyAllows
    /// The key policy delegates to the caller's account, but no IAM policy of the caller allows the action.
    case noIdentityPolicyAllows
}

/// The outcome of an authorization question.
public enum KMSAccessDecision: Sendable, Equatable {
    /// Allowed by the policies.
    case allowed
    /// Denied, with the reason.
    case denied(KMSDenialReason)

    /// Whether the request is allowed.
    public var isAllowed: Bool { self == .allowed }
}

/// The KMS authorization rules of POLICY-FACTS.md (sections A and C), for key policies and IAM
/// identity policies. Grants only add permissions and are applied by the KMS on top of a denial
/// that is not an explicit deny.
public enum KMSAccessEvaluator {
    /// Evaluates a request against the key policy and the caller's IAM policies.
    ///
    /// - Default deny; an explicit `Deny` in either policy wins (facts 2, 3).
    /// - The key policy naming the caller (or `*`) allows in the key's own account; naming the
    ///   caller's account root delegates to the caller's IAM policies (facts 6, 7). IAM allows
    ///   are ignored without such a statement (fact 3).
    /// - A caller of another account needs both the key policy and its own IAM policy (facts 9,
    ///   10), and only the cross-account actions ever work (fact 11). An account root caller has
    ///   no IAM policies and counts as allowed by its account.
    public static func evaluate(_ request: KMSAccessRequest, keyPolicy: PolicyDocument, identityPolicies: [PolicyDocument]) -> KMSAccessDecision {
        let context = request.policyContext
        let action = request.action.rawValue
        let resource = request.keyARN.description
        var keyDirect = false
        var keyAccount = false
        for statement in keyPolicy.statements where statement.covers(action: action) && statement.covers(resource: resource) {
            guard let principal = statement.principal else { continue }
            let match = principal.match(request.caller)
            guard match != .none, statement.conditions.allSatisfy({ $0.isSatisfied(by: context) }) else { continue }
            switch statement.effect {
            case .deny: return .denied(.explicitDenyInKeyPolicy)
            case .allow: if match == .direct { keyDirect = true } else { keyAccount = true }
            }
        }
        var identityAllows = request.caller.isAccountRoot
        for document in identityPolicies {
            for statement in document.statements where statement.covers(action: action) && statement.covers(resource: resource) {
                guard statement.conditions.allSatisfy({ $0.isSatisfied(by: context) }) else { continue }
                switch statement.effect {
                case .deny: return .denied(.explicitDenyInIdentityPolicy)
                case .allow: identityAllows = true
                }
            }
        }
        let sameAccount = request.caller.account == request.keyARN.account
        if !sameAccount && !request.action.worksCrossAccount { return .denied(.noKeyPolicyAllows) }
        if sameAccount && keyDirect { return .allowed }
        if keyDirect || keyAccount { return identityAllows ? .allowed : .denied(.noIdentityPolicyAllows) }
        return .denied(.noKeyPolicyAllows)
    }

    /// The AccessDeniedException message AWS gives for a denial, e.g.
    /// `User: arn:aws:iam::111122223333:user/X is not authorized to perform: kms:Decrypt on resource:
    /// arn:aws:kms:us-west-2:111122223333:key/… because no resource-based policy allows the kms:Decrypt action`.
    public static func accessDeniedMessage(caller: AWSPrincipalARN, action: KMSAction, keyARN: KMSKeyARN, reason: KMSDenialReason) -> String {
        let head = "User: \(caller) is not authorized to perform: \(action) on resource: \(keyARN)"
        switch reason {
        case .explicitDenyInKeyPolicy: return "\(head) with an explicit deny in a resource-based policy"
        case .explicitDenyInIdentityPolicy: return "\(head) with an explicit deny in an identity-based policy"
        case .noKeyPolicyAllows: return "\(head) because no resource-based policy allows the \(action) action"
        case .noIdentityPolicyAllows: return "\(head) because no identity-based policy allows the \(action) action"
        }
    }
}
