import EnvelopeKMS

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
        explain(request, keyPolicy: keyPolicy, identityPolicies: identityPolicies).decision
    }

    /// Evaluates a request like ``evaluate(_:keyPolicy:identityPolicies:)`` and says which
    /// statements decided it. `identityPolicies` are the caller's IAM policies in attachment order.
    public static func explain(_ request: KMSAccessRequest, keyPolicy: PolicyDocument, identityPolicies: [PolicyDocument]) -> KMSAccessExplanation {
        let context = request.policyContext
        let action = request.action.rawValue
        let resource = request.keyARN.description
        var keyDirect: KMSStatementReference?
        var keyAccount: KMSStatementReference?
        for (index, statement) in keyPolicy.statements.enumerated()
        where statement.covers(action: action) && statement.covers(resource: resource, context: context) {
            let match = statement.principalMatch(request.caller, principalARN: request.principalARN)
            guard match != .none, statement.conditions.allSatisfy({ $0.isSatisfied(by: context) }) else { continue }
            let reference = KMSStatementReference(source: .keyPolicy, statementIndex: index, sid: statement.sid, effect: statement.effect)
            switch statement.effect {
            case .deny: return KMSAccessExplanation(denial: .explicitDenyInKeyPolicy, statements: [reference])
            case .allow:
                if match == .direct { keyDirect = keyDirect ?? reference } else { keyAccount = keyAccount ?? reference }
            }
        }
        let identity = scanIdentityPolicies(request, resource: resource, context: context, identityPolicies: identityPolicies)
        if let deny = identity.deny { return KMSAccessExplanation(denial: .explicitDenyInIdentityPolicy, statements: [deny]) }
        let identityAllow = identity.allow
        let identityAllows = request.caller.isAccountRoot || identityAllow != nil
        let sameAccount = request.caller.account == request.keyARN.account
        if !sameAccount && !request.action.worksCrossAccount { return KMSAccessExplanation(denial: .noKeyPolicyAllows, statements: []) }
        if sameAccount, let keyDirect { return KMSAccessExplanation(denial: nil, statements: [keyDirect]) }
        if let keyStatement = keyDirect ?? keyAccount {
            return identityAllows ? KMSAccessExplanation(denial: nil, statements: [keyStatement] + [identityAllow].compactMap { $0 })
                : KMSAccessExplanation(denial: .noIdentityPolicyAllows, statements: [keyStatement])
        }
        return KMSAccessExplanation(denial: .noKeyPolicyAllows, statements: [])
    }

    /// Evaluates only the caller's IAM policies, for an action that is not authorized on a key
    /// (e.g. kms:ListRetirableGrants, Resource `*`): an account root is allowed, a Deny wins, else
    /// some Allow is needed.
    public static func explainIdentityOnly(_ request: KMSAccessRequest, resource: String, identityPolicies: [PolicyDocument]) -> KMSAccessExplanation {
        let identity = scanIdentityPolicies(request, resource: resource, context: request.policyContext, identityPolicies: identityPolicies)
        if let deny = identity.deny { return KMSAccessExplanation(denial: .explicitDenyInIdentityPolicy, statements: [deny]) }
        if let allow = identity.allow { return KMSAccessExplanation(denial: nil, statements: [allow]) }
        return KMSAccessExplanation(denial: request.caller.isAccountRoot ? nil : .noIdentityPolicyAllows, statements: [])
    }

    /// The first matching Deny and the first matching Allow of the caller's IAM policies.
    static func scanIdentityPolicies(_ request: KMSAccessRequest, resource: String, context: PolicyRequestContext,
                                     identityPolicies: [PolicyDocument]) -> (deny: KMSStatementReference?, allow: KMSStatementReference?) {
        var allow: KMSStatementReference?
        for (policyIndex, document) in identityPolicies.enumerated() {
            for (index, statement) in document.statements.enumerated()
            where statement.covers(action: request.action.rawValue) && statement.covers(resource: resource, context: context) {
                guard statement.conditions.allSatisfy({ $0.isSatisfied(by: context) }) else { continue }
                let reference = KMSStatementReference(source: .identityPolicy(principal: request.principalARN.description, index: policyIndex),
                                                      statementIndex: index, sid: statement.sid, effect: statement.effect)
                switch statement.effect {
                case .deny: return (reference, nil)
                case .allow: allow = allow ?? reference
                }
            }
        }
        return (nil, allow)
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
