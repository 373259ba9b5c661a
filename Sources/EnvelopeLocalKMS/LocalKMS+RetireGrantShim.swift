import EnvelopeKMS

// TEMPORARY until branch `kmslocal` lands its RetireGrant: the smallest RetireGrant the
// administration transport needs. Delete this file when merging kmslocal.
extension LocalKMS {
    /// `RetireGrant` as `caller`: by grant token, or by key ARN and grant ID. The retiring
    /// principal, the grantee of a grant that includes RetireGrant, or the key's account may retire.
    public func retireGrant(_ request: RetireGrantRequest, caller: LocalKMSCaller) throws -> RetireGrantResponse {
        try refresh()
        let index: Int?
        if let token = request.grantToken {
            index = state.grants.firstIndex { $0.grantToken == token }
        } else if let keyId = request.keyId, let grantId = request.grantId {
            guard case .keyARN(let arn) = keyId else { throw LocalKMSErrors.validation("RetireGrant takes a key ARN with GrantId") }
            index = state.grants.firstIndex { $0.keyARN == arn && $0.grantId == grantId }
        } else {
            throw LocalKMSErrors.validation("RetireGrant needs GrantToken, or KeyId and GrantId")
        }
        guard let index else { throw KMSError(code: .notFound, message: "Grant not found") }
        let grant = state.grants[index]
        let names: Set<String> = [caller.principal.description, caller.principal.policyPrincipal.description]
        let allowed = grant.retiringPrincipal.map(names.contains) == true
            || (names.contains(grant.granteePrincipal) && grant.operations.contains(.retireGrant))
            || (caller.principal.isAccountRoot && caller.principal.account == grant.keyARN.account)
        guard allowed else {
            throw LocalKMSErrors.accessDenied(caller: caller.principal, action: .retireGrant, key: grant.keyARN, reason: .noKeyPolicyAllows)
        }
        if request.dryRun { throw LocalKMSErrors.dryRun }
        try mutate { state in state.grants.removeAll { $0.grantId == grant.grantId && $0.keyARN == grant.keyARN } }
        return RetireGrantResponse()
    }
}
