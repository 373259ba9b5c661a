import EnvelopeKMS

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
            guard given.region == caller.region else { throw LocalKMSErrors.wrongRegion(given.description, requestRegion: caller.region) }
            arn = given
        case .aliasName(let name):
            let aliasARN = KMSAliasARN(region: caller.region, account: caller.principal.account, aliasName: name)
            guard let alias = state.aliases.first(where: { $0.arn == aliasARN }) else {
                throw LocalKMSErrors.bareAliasNotFound(name, caller: caller.principal, region: caller.region)
            }
            arn = alias.target
        case .aliasARN(let aliasARN):
            guard aliasARN.region == caller.region else { throw LocalKMSErrors.wrongRegion(aliasARN.description, requestRegion: caller.region) }
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

    /// The key-policy and IAM decision for `action` on `key` by `caller` (grants not included).
    func policyDecision(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]?) -> KMSAccessDecision {
        let keyPolicy = parsedPolicy(key.policy, kind: .keyPolicy) ?? PolicyDocument(statements: [])
        let identityTexts = state.identityPolicies[caller.principal.policyPrincipal.description] ?? []
        let identity = identityTexts.compactMap { parsedPolicy($0, kind: .identityPolicy) }
        let request = KMSAccessRequest(caller: caller.principal, action: action, keyARN: key.arn,
                                       encryptionContext: encryptionContext, viaService: caller.viaService)
        return KMSAccessEvaluator.evaluate(request, keyPolicy: keyPolicy, identityPolicies: identity)
    }

    /// Authorizes `action` on `key` for `caller`: key policy and IAM policies by
    /// `KMSAccessEvaluator`, then grants (which add permissions but never override an explicit
    /// deny). `grantCovers` decides whether a grant of the caller allows the request.
    func authorize(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]? = nil,
                   grantCovers: ((StoredGrant) -> Bool)? = nil) throws {
        switch policyDecision(caller, action, on: key, encryptionContext: encryptionContext) {
        case .allowed:
            return
        case .denied(let reason):
            let explicit = reason == .explicitDenyInKeyPolicy || reason == .explicitDenyInIdentityPolicy
            if !explicit, let grantCovers, callerGrants(caller, on: key.arn).contains(where: grantCovers) {
                logger.debug("local KMS: \(action) on \(key.arn) allowed by a grant for \(caller.principal)")
                return
            }
            logger.debug("local KMS: \(action) on \(key.arn) denied for \(caller.principal)")
            throw LocalKMSErrors.accessDenied(caller: caller.principal, action: action, key: key.arn, reason: reason)
        }
    }

    /// Authorizes a cryptographic operation: policies, or a grant for `operation` whose
    /// encryption-context constraints the request satisfies (POLICY-FACTS 5).
    func authorize(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]? = nil,
                   grantOperation: KMSGrantOperation) throws {
        try authorize(caller, action, on: key, encryptionContext: encryptionContext) { grant in
            grant.operations.contains(grantOperation)
                && (grant.constraints.map { constraints in encryptionContext.map(constraints.isSatisfied(by:)) ?? false } ?? true)
        }
    }

    /// The grants on `keyARN` whose grantee is the caller (or the role of its session).
    func callerGrants(_ caller: LocalKMSCaller, on keyARN: KMSKeyARN) -> [StoredGrant] {
        let names: Set<String> = [caller.principal.description, caller.principal.policyPrincipal.description]
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
