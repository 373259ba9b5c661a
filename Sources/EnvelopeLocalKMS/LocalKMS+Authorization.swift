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

    /// Authorizes `action` on `key` for `caller`: key policy and IAM policies by
    /// `KMSAccessEvaluator`, then grants (which add permissions but never override an explicit deny).
    func authorize(_ caller: LocalKMSCaller, _ action: KMSAction, on key: StoredKey, encryptionContext: [String: String]? = nil,
                   grantOperation: KMSGrantOperation? = nil) throws {
        let keyPolicy = parsedPolicy(key.policy, kind: .keyPolicy) ?? PolicyDocument(statements: [])
        let identityTexts = state.identityPolicies[caller.principal.policyPrincipal.description] ?? []
        let identity = identityTexts.compactMap { parsedPolicy($0, kind: .identityPolicy) }
        let request = KMSAccessRequest(caller: caller.principal, action: action, keyARN: key.arn,
                                       encryptionContext: encryptionContext, viaService: caller.viaService)
        let decision = KMSAccessEvaluator.evaluate(request, keyPolicy: keyPolicy, identityPolicies: identity)
        switch decision {
        case .allowed:
            return
        case .denied(let reason):
            let explicit = reason == .explicitDenyInKeyPolicy || reason == .explicitDenyInIdentityPolicy
            if !explicit, let grantOperation, grantAllows(caller, grantOperation, on: key.arn, encryptionContext: encryptionContext) {
                logger.debug("local KMS: \(action) on \(key.arn) allowed by a grant for \(caller.principal)")
                return
            }
            logger.debug("local KMS: \(action) on \(key.arn) denied for \(caller.principal)")
            throw LocalKMSErrors.accessDenied(caller: caller.principal, action: action, key: key.arn, reason: reason)
        }
    }

    /// Whether a grant on `keyARN` lets `caller` perform `operation` with `encryptionContext` (POLICY-FACTS 5).
    func grantAllows(_ caller: LocalKMSCaller, _ operation: KMSGrantOperation, on keyARN: KMSKeyARN, encryptionContext: [String: String]?) -> Bool {
        let names: Set<String> = [caller.principal.description, caller.principal.policyPrincipal.description]
        return matchingGrants(names: names, operation: operation, keyARN: keyARN, encryptionContext: encryptionContext).first != nil
    }

    func matchingGrants(names: Set<String>, operation: KMSGrantOperation, keyARN: KMSKeyARN, encryptionContext: [String: String]?) -> [StoredGrant] {
        state.grants.filter { grant in
            grant.keyARN == keyARN && names.contains(grant.granteePrincipal) && grant.operations.contains(operation)
                && (grant.constraints.map { constraints in encryptionContext.map(constraints.isSatisfied(by:)) ?? false } ?? true)
        }
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
