import EnvelopeKMS
import EnvelopeKMSPolicy

/// The local IAM (local-only administration, no KMS equivalent): which accounts, users and roles
/// exist, their tags (`aws:PrincipalTag/…`) and their accounts' organization (`aws:PrincipalOrgID`).
/// Key policies may only name principals that exist, as in AWS.
extension LocalKMS {
    /// Creates an account (idempotent), optionally in an organization.
    public func createAccount(_ account: AWSAccountID, organizationID: String? = nil, partition: AWSPartition = .aws) throws {
        try mutate { state in
            state.register(account.rootPrincipal(partition: partition))
            if let organizationID { state.accounts[account.rawValue]?.organizationID = organizationID }
        }
    }

    /// Puts an account into an organization (`o-…`), or takes it out with `nil`.
    public func setOrganization(_ organizationID: String?, account: AWSAccountID) throws {
        if let organizationID, !organizationID.hasPrefix("o-") {
            throw LocalKMSErrors.validation("an organization ID looks like o-exampleorgid, found \(organizationID)")
        }
        try mutate { state in
            state.register(account.rootPrincipal())
            state.accounts[account.rawValue]?.organizationID = organizationID
        }
    }

    /// Creates an IAM user or role (with its path, e.g. `arn:aws:iam::A:role/team/Admin`) and its
    /// account if needed; idempotent. `tags` are added to its tags.
    public func createPrincipal(_ principal: AWSPrincipalARN, tags: [String: String] = [:]) throws {
        switch principal.kind {
        case .user, .role: break
        case .root, .assumedRole:
            throw LocalKMSErrors.validation("only users and roles are created in IAM; \(principal) is not one (accounts: createAccount; sessions come from their role)")
        }
        try mutate { state in
            // IAM user and role names are unique in their account whatever their path, which is
            // what lets a session ARN (which carries no path) name its role.
            if let clash = state.principals.keys.compactMap(AWSPrincipalARN.init).first(where: { LocalKMS.sameName($0, principal) && $0 != principal }) {
                throw KMSError(code: "EntityAlreadyExistsException", message: "\(clash) already exists with the same name; IAM names are unique in an account regardless of the path")
            }
            state.register(principal)
            state.principals[principal.description]?.tags.merge(tags) { _, new in new }
        }
    }

    static func sameName(_ a: AWSPrincipalARN, _ b: AWSPrincipalARN) -> Bool {
        guard a.account == b.account else { return false }
        switch (a.kind, b.kind) {
        case (.user(let p), .user(let q)), (.role(let p), .role(let q)):
            return p.split(separator: "/").last == q.split(separator: "/").last
        default:
            return false
        }
    }

    /// Tags a user or role (creating it if needed): `aws:PrincipalTag/<key>` in its requests.
    public func tagPrincipal(_ principal: AWSPrincipalARN, tags: [String: String]) throws {
        try createPrincipal(principal, tags: tags)
    }

    /// The tags of a user or role.
    public func principalTags(_ principal: AWSPrincipalARN) throws -> [String: String] {
        try refresh()
        return state.principals[state.identity(of: principal).description]?.tags ?? [:]
    }

    /// Answers whether `principal` may perform `action` on `key` and why — the same decision, by
    /// the same code, as a real request (key policy, IAM policies and grants), without making the
    /// call and without logging it. `encryptionContext` and `requestKeys` stand for the request's.
    public func simulate(principal: AWSPrincipalARN, action: KMSAction, key: KMSKeyARN, region: AWSRegion? = nil,
                         encryptionContext: [String: String]? = nil, requestKeys: [String: [String]] = [:],
                         viaService: String? = nil) throws -> KMSAccessExplanation {
        try refresh()
        guard let index = state.keyIndex(key) else { throw LocalKMSErrors.keyNotFound(key) }
        let caller = LocalKMSCaller(principal: principal, region: region ?? key.region, viaService: viaService)
        let operation = KMSGrantOperation(rawValue: action.operationName)
        let grantCovers: ((StoredGrant) -> Bool)? = KMSGrantOperation.symmetricKeyOperations.contains(operation) && operation != .createGrant
            ? { LocalKMS.grant($0, covers: operation, encryptionContext: encryptionContext) } : nil
        return decide(caller, action, on: state.keys[index], encryptionContext: encryptionContext, requestKeys: requestKeys,
                      grantCovers: grantCovers).1
    }
}
