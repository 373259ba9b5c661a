import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

extension LocalKMS {
    /// `CreateGrant` as `caller`. Authorized by kms:CreateGrant (whose policy context carries
    /// `kms:GrantIsForAWSResource`, true only when `caller.viaService` is set), or by a grant that
    /// includes CreateGrant and covers every requested operation.
    public func createGrant(_ request: CreateGrantRequest, caller: LocalKMSCaller) throws -> CreateGrantResponse {
        try refresh()
        try requireKeyIDOrARN(request.keyId, operation: "CreateGrant")
        guard !request.operations.isEmpty else { throw LocalKMSErrors.validation("Operations must name at least one grant operation") }
        let allowed = Set(KMSGrantOperation.symmetricKeyOperations + KMSGrantOperation.rsaEncryptionKeyOperations)
        for operation in request.operations where !allowed.contains(operation) {
            throw LocalKMSErrors.validation("\(operation) is not a grant operation of a symmetric encryption key or an RSA key pair for encryption")
        }
        let grantee: AWSPrincipalARN
        do { grantee = try AWSPrincipalARN(parsing: request.granteePrincipal) } catch {
            throw LocalKMSErrors.validation("GranteePrincipal is not a principal ARN: \(error.message)")
        }
        if let retiring = request.retiringPrincipal, AWSPrincipalARN(retiring) == nil {
            throw LocalKMSErrors.validation("RetiringPrincipal is not a principal ARN")
        }
        if let name = request.name, name.isEmpty || name.count > 256 || !name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ":/_-".unicodeScalars.contains($0)) }) {
            throw LocalKMSErrors.validation("Name must be 1 to 256 of the characters a-zA-Z0-9:/_-")
        }
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        let constraintContext = (request.constraints?.encryptionContextEquals ?? [:])
            .merging(request.constraints?.encryptionContextSubset ?? [:]) { a, _ in a }
        // A grant that includes CreateGrant lets its grantee create grants for a subset of its
        // operations, at least as constrained as itself (grants.html, "Grant operations": CreateGrant).
        try authorize(caller, .createGrant, on: key, encryptionContext: constraintContext,
                      requestKeys: LocalKMS.grantRequestKeys(request)) { parent in
            parent.operations.contains(.createGrant) && request.operations.allSatisfy(parent.operations.contains)
                && LocalKMS.isAtLeastAsConstrained(request.constraints, as: parent.constraints)
        }
        try checkUsable(key)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        return try mutate { state in
            if let name = request.name, let existing = state.grants.first(where: {
                $0.keyARN == key.arn && $0.name == name && $0.granteePrincipal == grantee.description
                    && $0.operations == request.operations && $0.constraints == request.constraints
            }) {
                return CreateGrantResponse(grantToken: existing.grantToken, grantId: existing.grantId)
            }
            let grantId = RandomBytes.array(count: 32).map { String($0, radix: 16).leftPadded(2) }.joined()
            let grantToken = Data(RandomBytes.array(count: 96)).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            state.grants.append(StoredGrant(grantId: grantId, grantToken: grantToken, keyARN: key.arn, name: request.name,
                                            creationDate: Date(), granteePrincipal: grantee.description,
                                            retiringPrincipal: request.retiringPrincipal,
                                            issuingAccount: key.arn.account.rootPrincipal(partition: key.arn.partition).description,
                                            operations: request.operations, constraints: request.constraints))
            return CreateGrantResponse(grantToken: grantToken, grantId: grantId)
        }
    }

    /// The grant condition keys of a CreateGrant request (conditions-kms.html): `kms:GrantOperations`
    /// (multi-valued), `kms:GranteePrincipal`, `kms:RetiringPrincipal`, `kms:GrantConstraintType`.
    public static func grantRequestKeys(_ request: CreateGrantRequest) -> [String: [String]] {
        var keys: [String: [String]] = [
            "kms:GrantOperations": request.operations.map(\.rawValue),
            "kms:GranteePrincipal": [request.granteePrincipal],
        ]
        if let retiring = request.retiringPrincipal { keys["kms:RetiringPrincipal"] = [retiring] }
        var types: [String] = []
        if request.constraints?.encryptionContextEquals != nil { types.append("EncryptionContextEquals") }
        if request.constraints?.encryptionContextSubset != nil { types.append("EncryptionContextSubset") }
        if !types.isEmpty { keys["kms:GrantConstraintType"] = types }
        return keys
    }

    /// Whether `child` constraints allow no request that `parent` constraints refuse: no parent
    /// constraint → anything; parent EncryptionContextEquals → the child must require the same exact
    /// context; parent EncryptionContextSubset → the child must require at least those pairs.
    static func isAtLeastAsConstrained(_ child: KMSGrantConstraints?, as parent: KMSGrantConstraints?) -> Bool {
        guard let parent, parent.encryptionContextEquals != nil || parent.encryptionContextSubset != nil else { return true }
        guard let child else { return false }
        if let equals = child.encryptionContextEquals { return parent.isSatisfied(by: equals) }
        guard parent.encryptionContextEquals == nil, let subset = child.encryptionContextSubset else { return false }
        return parent.isSatisfied(by: subset)
    }

    /// `RetireGrant` as `caller`: identified by its grant token, or by key ARN and grant ID.
    /// Who may retire a grant is set by the grant, not by policies: its retiring principal, its
    /// grantee when the grant includes RetireGrant, or the account that owns the key
    /// (grant-manage.html#grant-delete). Encryption-context constraints do not apply.
    public func retireGrant(grantToken: String? = nil, keyId: KMSKeyIdentifier? = nil, grantId: String? = nil, dryRun: Bool = false,
                            caller: LocalKMSCaller) throws {
        try refresh()
        let grant: StoredGrant
        if let grantToken {
            guard let found = state.grants.first(where: { $0.grantToken == grantToken }) else { throw LocalKMSErrors.invalidGrantToken() }
            grant = found
        } else {
            guard let keyId, let grantId else {
                throw LocalKMSErrors.validation("RetireGrant needs either GrantToken, or KeyId (a key ARN) and GrantId")
            }
            try requireKeyIDOrARN(keyId, operation: "RetireGrant")
            let arn: KMSKeyARN
            if case .keyARN(let given) = keyId { arn = given } else { arn = try resolve(keyId, for: caller).arn }
            guard let found = state.grants.first(where: { $0.keyARN == arn && $0.grantId == grantId }) else {
                throw KMSError(code: .notFound, message: "Grant ID \(grantId) not found for key \(arn)")
            }
            grant = found
        }
        let identity = state.identity(of: caller.principal)
        let names: Set<String> = [caller.principal.description, identity.description]
        let allowed: KMSStatementReference?
        let reference = KMSStatementReference(source: .grant(grantId: grant.grantId), statementIndex: nil, sid: grant.name, effect: .allow)
        if let retiring = grant.retiringPrincipal, names.contains(retiring) || retiring == caller.principal.account.rawValue {
            allowed = reference
        } else if names.contains(grant.granteePrincipal) && LocalKMS.grant(grant, covers: .retireGrant, encryptionContext: nil) {
            allowed = reference
        } else if caller.principal.isAccountRoot && caller.principal.account == grant.keyARN.account {
            allowed = reference
        } else {
            allowed = nil
        }
        let explanation = KMSAccessExplanation(denial: allowed == nil ? .noKeyPolicyAllows : nil, statements: allowed.map { [$0] } ?? [])
        record(LocalKMSDecision(time: Date(), caller: caller.principal.description, principalArn: identity.description,
                                action: KMSAction.retireGrant.rawValue, resource: grant.keyARN.description, region: caller.region.rawValue,
                                explanation: explanation))
        guard allowed != nil else {
            throw KMSError(code: .accessDenied, message: "User: \(caller.principal) is not authorized to perform: kms:RetireGrant on resource: \(grant.keyARN) because the grant names neither it as retiring principal nor gives it RetireGrant")
        }
        if dryRun { throw LocalKMSErrors.dryRun }
        try mutate { state in state.grants.removeAll { $0.grantId == grant.grantId && $0.keyARN == grant.keyARN } }
    }

    /// `ListRetirableGrants` as `caller`: the grants (on any key) whose retiring principal is
    /// `retiringPrincipal`. Authorized by the caller's IAM policy (kms:ListRetirableGrants, Resource
    /// `*`; not a key resource operation), in the caller's own account.
    public func listRetirableGrants(retiringPrincipal: AWSPrincipalARN, caller: LocalKMSCaller, limit: Int? = nil,
                                    marker: String? = nil) throws -> ListGrantsResponse {
        try refresh()
        let action = KMSAction(rawValue: "kms:ListRetirableGrants")
        let identity = state.identity(of: caller.principal)
        // Not a key resource operation: the key ARN only fills the request; Resource is "*".
        let request = KMSAccessRequest(caller: caller.principal, action: action,
                                       keyARN: KMSKeyARN(region: caller.region, account: caller.principal.account, keyID: .random()),
                                       principalARN: identity, principalTags: state.principals[identity.description]?.tags ?? [:],
                                       principalOrgID: state.accounts[caller.principal.account.rawValue]?.organizationID)
        let identityPolicies = (state.identityPolicies[identity.description] ?? []).compactMap { parsedPolicy($0, kind: .identityPolicy) }
        let explanation = KMSAccessEvaluator.explainIdentityOnly(request, resource: "*", identityPolicies: identityPolicies)
        record(LocalKMSDecision(time: request.time, caller: caller.principal.description, principalArn: identity.description,
                                action: action.rawValue, resource: "*", region: caller.region.rawValue, explanation: explanation))
        guard explanation.isAllowed, retiringPrincipal.account == caller.principal.account else {
            throw KMSError(code: .accessDenied, message: "User: \(caller.principal) is not authorized to perform: kms:ListRetirableGrants on resource: * because no identity-based policy allows the kms:ListRetirableGrants action")
        }
        let all = state.grants.filter { $0.retiringPrincipal == retiringPrincipal.description }
        let pageSize = limit ?? 50
        guard (1...100).contains(pageSize) else { throw LocalKMSErrors.validation("Limit must be between 1 and 100") }
        let start = try marker.map { text -> Int in
            guard let value = Int(text), (0...all.count).contains(value) else {
                throw KMSError(code: "InvalidMarkerException", message: "The marker \(text) is not valid; pass NextMarker of the previous page")
            }
            return value
        } ?? 0
        let end = min(all.count, start + pageSize)
        return ListGrantsResponse(grants: all[start..<end].map(\.listEntry), nextMarker: end < all.count ? String(end) : nil,
                                  truncated: end < all.count)
    }

    /// The grants on `key` whose grantee is in `account`: what still works after the account is
    /// removed from the key policy (grants are independent of the key policy; grants.html).
    public func grantsHeld(byAccount account: AWSAccountID, key: KMSKeyARN) throws -> [KMSGrantListEntry] {
        try refresh()
        return state.grants.filter { $0.keyARN == key && AWSPrincipalARN($0.granteePrincipal)?.account == account }.map(\.listEntry)
    }

    /// Revokes a grant as the key's administrator (no authorization, like the other administration calls).
    public func adminRevokeGrant(grantId: String, key: KMSKeyARN) throws {
        try mutate { state in
            guard state.grants.contains(where: { $0.keyARN == key && $0.grantId == grantId }) else {
                throw KMSError(code: .notFound, message: "Grant ID \(grantId) not found for key \(key)")
            }
            state.grants.removeAll { $0.keyARN == key && $0.grantId == grantId }
        }
    }

    /// `ListGrants` as `caller` (kms:ListGrants; pages of `Limit`, default 50, at most 100).
    public func listGrants(_ request: ListGrantsRequest, caller: LocalKMSCaller) throws -> ListGrantsResponse {
        try refresh()
        try requireKeyIDOrARN(request.keyId, operation: "ListGrants")
        let limit = request.limit ?? 50
        guard (1...100).contains(limit) else { throw LocalKMSErrors.validation("Limit must be between 1 and 100") }
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .listGrants, on: key)
        let all = state.grants.filter { grant in
            grant.keyARN == key.arn && (request.grantId.map { $0 == grant.grantId } ?? true)
                && (request.granteePrincipal.map { $0 == grant.granteePrincipal } ?? true)
        }
        let start: Int
        if let marker = request.marker {
            guard let value = Int(marker), (0...all.count).contains(value) else {
                throw KMSError(code: "InvalidMarkerException", message: "The marker \(marker) is not valid; pass NextMarker of the previous page")
            }
            start = value
        } else {
            start = 0
        }
        let end = min(all.count, start + limit)
        let page = all[start..<end].map(\.listEntry)
        return ListGrantsResponse(grants: Array(page), nextMarker: end < all.count ? String(end) : nil, truncated: end < all.count)
    }

    /// `RevokeGrant` as `caller` (kms:RevokeGrant).
    public func revokeGrant(_ request: RevokeGrantRequest, caller: LocalKMSCaller) throws -> RevokeGrantResponse {
        try refresh()
        try requireKeyIDOrARN(request.keyId, operation: "RevokeGrant")
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .revokeGrant, on: key)
        guard state.grants.contains(where: { $0.keyARN == key.arn && $0.grantId == request.grantId }) else {
            throw KMSError(code: .notFound, message: "Grant ID \(request.grantId) not found for key \(key.arn)")
        }
        if request.dryRun { throw LocalKMSErrors.dryRun }
        try mutate { state in state.grants.removeAll { $0.keyARN == key.arn && $0.grantId == request.grantId } }
        return RevokeGrantResponse()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
