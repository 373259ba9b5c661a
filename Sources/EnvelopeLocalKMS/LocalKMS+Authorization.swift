import EnvelopeKMS
import EnvelopeKMSPolicy

extension LocalKMS {
    /// Finds the key an identifier names for `caller` (POLICY-FACTS 12, 13): bare key IDs and
    /// alias names resolve in the caller's own account and the request's Region; ARNs name their
    /// account, and must be in the request's Region.
    func resolve(_ identifier: KMSKeyIdentifier, for caller: LocalKMSCaller) throws -> StoredKey {
        let arn: KMSKeyARN
        switch identifier {
        case .keyID(let id):
            arn = KMSKeyARN(region: caller.region, account: caller.principal.account, keyID: id)
            guard let index = state.keyIndex(arn) else { throw LocalKMSErrors.bareKeyIDNotFound(id, caller: caller.principal, region: caller.region) }
            return state.keys[index]
        case .keyARN(let given):
            guard given.region == caller.region else { throw LocalKMSErrors.wrongRegion(given.region) }
            arn = given
        case .aliasName(let name):
            let aliasARN = KMSAliasARN(region: caller.region, account: caller.principal.account, aliasName: name)
            guard let alias = state.aliases.first(where: { $0.arn == aliasARN }) else {
                throw LocalKMSErrors.bareAliasNotFound(name, caller: caller.principal, region: caller.region)
            }
            arn = alias.target
        case .aliasARN(let aliasARN):
            guard aliasARN.region == caller.region else { throw LocalKMSErrors.wrongRegion(aliasARN.region) }
            guard let alias = state.aliases.first(where: { $0.arn == aliasARN }) else { throw LocalKMSErrors.aliasNotFound(aliasARN) }
            arn = alias.target
        }
        guard let index = state.keyIndex(arn) else { throw LocalKMSErrors.keyNotFound(arn) }
        return state.keys[index]
    }

    /// The grant operations take a key ID or key ARN only (POLICY-FACTS 12).
    func requireKeyIDOrARN(_ identifier: KMSKeyIdentifier, operation: String) throws {
        switch identifier {
        case .keyID, .keyARN: return
        case .aliasName, .aliasARN:
            throw LocalKMSErrors.validation("\(operation) takes a key ID or key ARN, not an alias (\(identifier)); for a key of another account use its key ARN")
        }
    }

    /// Every grant token must be one this KMS issued for a grant that still exists.
    func checkGrantTokens(_ tokens: [String]) throws {
        guard tokens.count <= 10 else { throw LocalKMSErrors.validation("GrantTokens has \(tokens.count) entries; at most 10 are allowed") }
        for token in tokens where !state.grants.contains(where: { $0.grantToken == token }) {
            throw LocalKMSErrors.invalidGrantToken()
        }
    }

    /// The authorization question for `action` on `key` by `caller`, with the whole request
    /// context: the caller's IAM identity (a session's role with its path), its tags, its
    /// account's organization, the key's attributes and the request-specific `requestKeys`.
    func accessRequest(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]?,
                       requestKeys: [String: [String]] = [:]) -> KMSAccessRequest {
        let identity = state.identity(of: caller.principal)
        var keys: [String: [String]] = [
            // conditions-kms.html#conditions-kms-key-spec, -key-usage, -key-origin, -multi-region:
            // attributes of the key the operation uses.
            "kms:KeySpec": [key.keySpec], "kms:KeyUsage": ["ENCRYPT_DECRYPT"], "kms:KeyOrigin": ["AWS_KMS"],
            "kms:MultiRegion": [key.arn.isMultiRegion ? "true" : "false"],
        ]
        keys.merge(requestKeys) { _, new in new }
        return KMSAccessRequest(caller: caller.principal, action: action, keyARN: key.arn, encryptionContext: encryptionContext,
                                viaService: caller.viaService, principalARN: identity,
                                principalTags: state.principals[identity.description]?.tags ?? [:],
                                principalOrgID: state.accounts[caller.principal.account.rawValue]?.organizationID,
                                additionalKeys: keys)
    }

    /// The request keys of the identifier a request named the key with: `kms:RequestAlias`
    /// when it was an alias (conditions-kms.html#conditions-kms-request-alias).
    public static func requestKeys(naming identifier: KMSKeyIdentifier?) -> [String: [String]] {
        switch identifier {
        case .aliasName(let name)?: ["kms:RequestAlias": [name.rawValue]]
        case .aliasARN(let arn)?: ["kms:RequestAlias": [arn.aliasName.rawValue]]
        default: [:]
        }
    }

    /// The key policy and the caller's IAM policies (attachment order) as the evaluator takes them.
    func policies(for key: StoredKey, identity: AWSPrincipalARN) -> (key: PolicyDocument, identity: [PolicyDocument]) {
        let keyPolicy = parsedPolicy(key.policy, kind: .keyPolicy) ?? PolicyDocument(statements: [])
        let identityTexts = state.identityPolicies[identity.description] ?? []
        return (keyPolicy, identityTexts.compactMap { parsedPolicy($0, kind: .identityPolicy) })
    }

    /// Decides `action` on `key` for `caller` without acting: key policy and IAM policies by
    /// `KMSAccessEvaluator`, then grants (which add permissions but never override an explicit
    /// deny). `grantCovers` decides whether a grant of the caller allows the request.
    func decide(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]?,
                requestKeys: [String: [String]] = [:], grantCovers: ((StoredGrant) -> Bool)?) -> (KMSAccessRequest, KMSAccessExplanation) {
        let request = accessRequest(caller, action, on: key, encryptionContext: encryptionContext, requestKeys: requestKeys)
        let (keyPolicy, identityPolicies) = policies(for: key, identity: request.principalARN)
        let explanation = KMSAccessEvaluator.explain(request, keyPolicy: keyPolicy, identityPolicies: identityPolicies)
        guard let reason = explanation.denial, reason != .explicitDenyInKeyPolicy, reason != .explicitDenyInIdentityPolicy,
              let grantCovers, let grant = callerGrants(caller, on: key.arn).first(where: grantCovers) else {
            return (request, explanation)
        }
        return (request, KMSAccessExplanation(denial: nil, statements: [
            KMSStatementReference(source: .grant(grantId: grant.grantId), statementIndex: nil, sid: grant.name, effect: .allow),
        ]))
    }

    /// Authorizes `action` on `key` for `caller` (see ``decide(_:_:on:encryptionContext:requestKeys:grantCovers:)``),
    /// records the decision in the decision log, and throws AWS's AccessDeniedException on a denial.
    func authorize(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]? = nil,
                   requestKeys: [String: [String]] = [:], grantCovers: ((StoredGrant) -> Bool)? = nil) throws {
        let (request, explanation) = decide(caller, action, on: key, encryptionContext: encryptionContext, requestKeys: requestKeys,
                                            grantCovers: grantCovers)
        record(LocalKMSDecision(time: request.time, caller: caller.principal.description, principalArn: request.principalARN.description,
                                action: action.rawValue, resource: key.arn.description, region: caller.region.rawValue,
                                explanation: explanation))
        guard let reason = explanation.denial else {
            logger.debug("local KMS: \(action) on \(key.arn) for \(caller.principal): \(explanation)")
            return
        }
        logger.debug("local KMS: \(action) on \(key.arn) denied for \(caller.principal): \(explanation)")
        throw LocalKMSErrors.accessDenied(caller: caller.principal, action: action, key: key.arn, reason: reason)
    }

    /// Whether a grant allows `operation` for a request with `encryptionContext`. Encryption-context
    /// constraints do not apply to DescribeKey and RetireGrant, which take no encryption context
    /// (grants.html, "Grant constraints").
    static func grant(_ grant: StoredGrant, covers operation: KMSGrantOperation, encryptionContext: [String: String]?) -> Bool {
        guard grant.operations.contains(operation) else { return false }
        guard let constraints = grant.constraints, operation != .describeKey, operation != .retireGrant else { return true }
        return encryptionContext.map(constraints.isSatisfied(by:)) ?? false
    }

    /// Authorizes a cryptographic operation: policies, or a grant for `operation` whose
    /// encryption-context constraints the request satisfies (POLICY-FACTS 5).
    func authorize(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]? = nil,
                   requestKeys: [String: [String]] = [:], grantOperation: KMSGrantOperation) throws {
        try authorize(caller, action, on: key, encryptionContext: encryptionContext, requestKeys: requestKeys) { grant in
            LocalKMS.grant(grant, covers: grantOperation, encryptionContext: encryptionContext)
        }
    }

    /// The grants on `keyARN` whose grantee is the caller (or, for a session, its role, with or
    /// without the role's path).
    func callerGrants(_ caller: LocalKMSCaller, on keyARN: KMSKeyARN) -> [StoredGrant] {
        let names: Set<String> = [caller.principal.description, caller.principal.policyPrincipal.description,
                                  state.identity(of: caller.principal).description]
        return state.grants.filter { $0.keyARN == keyARN && names.contains($0.granteePrincipal) }
    }

    /// Cryptographic operations need an Enabled key.
    func checkUsable(_ key: StoredKey) throws {
        switch key.state {
        case .enabled: return
        case .disabled: throw LocalKMSErrors.disabled(key.arn)
        case .pendingDeletion: throw LocalKMSErrors.pendingDeletion(key.arn)
        default: throw KMSError(code: .invalidState, message: "\(key.arn) is \(key.state).")
        }
    }
}
