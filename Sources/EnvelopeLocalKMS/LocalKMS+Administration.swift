import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

/// The administration API (what `envelope kms …` calls). These act as the administrator of the
/// account that owns the key (or of the principal's account) and are not subject to key policies.
extension LocalKMS {
    /// Creates a symmetric encryption key with a fresh AES-256 backing key.
    ///
    /// Without `policy`, the key policy is the default statement for `account` plus, when
    /// `userPrincipals` or `externalAccounts` are given, the story's `AllowUseOfTheKey` and
    /// `AllowAttachmentOfPersistentResources` statements for those principals (external accounts
    /// by their root ARN); this convenience form creates those principals in the local IAM.
    /// A given `policy` is validated as CreateKey does: every principal must exist, the policy
    /// must let `caller` (default: the account root) call PutKeyPolicy later unless
    /// `bypassPolicyLockoutSafetyCheck`, and it must fit 32 KiB.
    @discardableResult
    public func createKey(account: AWSAccountID, region: AWSRegion = LocalKMS.defaultRegion, alias: KMSAliasName? = nil,
                          userPrincipals: [AWSPrincipalARN] = [], externalAccounts: [AWSAccountID] = [],
                          description: String = "", policy: String? = nil, multiRegion: Bool = false,
                          bypassPolicyLockoutSafetyCheck: Bool = false, caller: AWSPrincipalARN? = nil) throws -> KMSKeyMetadata {
        try refresh()
        let policyText: String
        let arn = KMSKeyARN(region: region, account: account, keyID: multiRegion ? .randomMultiRegion() : .random())
        let implicit: [AWSPrincipalARN]
        if let policy {
            var withOwner = state
            withOwner.register(account.rootPrincipal(partition: region.partition))
            try LocalKMS.validateKeyPolicy(policy, key: arn, in: withOwner, caller: caller ?? account.rootPrincipal(partition: region.partition),
                                           bypassLockoutCheck: bypassPolicyLockoutSafetyCheck)
            policyText = policy
            implicit = []
        } else {
            let principals = userPrincipals + externalAccounts.filter { $0 != account }.map { $0.rootPrincipal(partition: region.partition) }
            policyText = KMSPolicyTemplates.keyPolicy(owner: account, principals: principals, partition: region.partition).jsonText()
            implicit = principals
        }
        let material = try RandomBytes.secure(count: 32)
        let wrapped = try wrap(material, purpose: LocalKMS.materialPurpose(arn))
        let key = StoredKey(arn: arn, creationDate: Date(), keyDescription: description, state: .enabled, deletionDate: nil,
                            pendingWindowInDays: nil, policy: policyText, material: wrapped)
        try mutate { state in
            if let alias {
                let aliasARN = KMSAliasARN(region: region, account: account, aliasName: alias)
                guard !state.aliases.contains(where: { $0.arn == aliasARN }) else {
                    throw KMSError(code: .alreadyExists, message: "An alias with the name \(aliasARN) already exists")
                }
                try LocalKMS.checkAliasNameAllowed(alias)
                state.aliases.append(StoredAlias(arn: aliasARN, target: arn))
            }
            state.register(account.rootPrincipal(partition: region.partition))
            implicit.forEach { state.register($0) }
            state.keys.append(key)
        }
        logger.debug("local KMS: created \(arn)")
        return key.metadata
    }

    static func checkAliasNameAllowed(_ alias: KMSAliasName) throws {
        guard !alias.rawValue.hasPrefix("alias/aws/") else {
            throw LocalKMSErrors.validation("Alias names that begin with alias/aws/ are reserved for AWS managed keys")
        }
    }

    static func parseKeyPolicy(_ text: String) throws -> PolicyDocument {
        do { return try PolicyDocument(parsing: text, kind: .keyPolicy) } catch { throw LocalKMSErrors.malformedPolicy(error) }
    }

    /// Validates a key policy as PutKeyPolicy and CreateKey do (API_PutKeyPolicy.html, "Policy"):
    /// at most 32768 bytes (else LimitExceededException), valid grammar, every AWS principal
    /// existing (an account, or a user or role of the local IAM), and — unless bypassed — the
    /// policy lockout safety check: `caller` must be allowed kms:PutKeyPolicy under the new policy
    /// and its IAM policies (key-policy-default.html#prevent-unmanageable-key).
    static func validateKeyPolicy(_ text: String, key: KMSKeyARN, in state: LocalKMSState, caller: AWSPrincipalARN,
                                  bypassLockoutCheck: Bool) throws {
        let size = text.utf8.count
        guard size <= PolicyDocument.maximumKeyPolicySize else { throw LocalKMSErrors.policyTooLarge(size) }
        let document = try parseKeyPolicy(text)
        for statement in document.statements {
            for element in [statement.principal, statement.notPrincipal].compactMap({ $0 }) {
                for entry in element.aws?.values ?? [] where entry != "*" {
                    let principal = AWSAccountID(rawValue: entry).map { $0.rootPrincipal(partition: key.partition) } ?? AWSPrincipalARN(entry)
                    guard let principal, state.exists(principal) else { throw LocalKMSErrors.invalidPrincipals }
                }
            }
        }
        guard !bypassLockoutCheck else { return }
        let identity = state.identity(of: caller)
        let identityPolicies = (state.identityPolicies[identity.description] ?? []).compactMap {
            try? PolicyDocument(parsing: $0, kind: .identityPolicy)
        }
        let request = KMSAccessRequest(caller: caller, action: .putKeyPolicy, keyARN: key, principalARN: identity,
                                       principalTags: state.principals[identity.description]?.tags ?? [:],
                                       principalOrgID: state.accounts[caller.account.rawValue]?.organizationID)
        guard KMSAccessEvaluator.evaluate(request, keyPolicy: document, identityPolicies: identityPolicies).isAllowed else {
            throw LocalKMSErrors.lockout
        }
    }

    func keyIndexForAdmin(_ arn: KMSKeyARN, in state: LocalKMSState) throws -> Int {
        guard let index = state.keyIndex(arn) else { throw LocalKMSErrors.keyNotFound(arn) }
        return index
    }

    /// The key's metadata (DescribeKey without authorization).
    public func keyMetadata(_ arn: KMSKeyARN) throws -> KMSKeyMetadata {
        try refresh()
        return state.keys[try keyIndexForAdmin(arn, in: state)].metadata
    }

    /// The keys of an account, optionally of one Region.
    public func listKeys(account: AWSAccountID, region: AWSRegion? = nil) throws -> [KMSKeyMetadata] {
        try refresh()
        return state.keys.filter { $0.arn.account == account && (region == nil || $0.arn.region == region) }.map(\.metadata)
    }

    /// Replaces the key policy (PutKeyPolicy), validated as KMS does: ≤ 32 KiB
    /// (LimitExceededException), existing principals only and the policy lockout safety check
    /// for `caller` (default: the key's account root) unless `bypassPolicyLockoutSafetyCheck`
    /// (both MalformedPolicyDocumentException). The text is stored and returned by
    /// `getKeyPolicy` as given. Grants are not touched: they are independent of the key policy.
    public func putKeyPolicy(_ policy: String, key: KMSKeyARN, bypassPolicyLockoutSafetyCheck: Bool = false,
                             caller: AWSPrincipalARN? = nil) throws {
        try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            try LocalKMS.validateKeyPolicy(policy, key: key, in: state, caller: caller ?? key.account.rootPrincipal(partition: key.partition),
                                           bypassLockoutCheck: bypassPolicyLockoutSafetyCheck)
            state.keys[index].policy = policy
        }
    }

    /// The key policy text (GetKeyPolicy).
    public func getKeyPolicy(key: KMSKeyARN) throws -> String {
        try refresh()
        return state.keys[try keyIndexForAdmin(key, in: state)].policy
    }

    /// Gives an external account use of the key: adds its root ARN to the `AllowUseOfTheKey` and
    /// `AllowAttachmentOfPersistentResources` statements (adding those statements if missing).
    public func addExternalAccount(_ account: AWSAccountID, key: KMSKeyARN) throws {
        try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            guard account != key.account else {
                throw LocalKMSErrors.validation("\(account) owns the key; add external accounts only")
            }
            let root = account.rootPrincipal(partition: key.partition).description
            var document: PolicyDocument
            document = try LocalKMS.parseKeyPolicy(state.keys[index].policy)
            var found = Set<String>()
            for i in document.statements.indices {
                guard let sid = document.statements[i].sid, [KMSPolicyTemplates.allowUseSid, KMSPolicyTemplates.allowAttachmentSid].contains(sid),
                      document.statements[i].effect == .allow, var aws = document.statements[i].principal?.aws else { continue }
                found.insert(sid)
                if !aws.values.contains(root) {
                    aws.values.append(root)
                    aws.rendersAsScalar = false
                    document.statements[i].principal?.aws = aws
                }
            }
            let templates = KMSPolicyTemplates.keyPolicyStatements(principals: [account.rootPrincipal(partition: key.partition)])
            for template in templates where !found.contains(template.sid ?? "") {
                document.statements.append(template)
            }
            state.register(account.rootPrincipal(partition: key.partition))
            state.keys[index].policy = document.jsonText()
        }
    }

    /// Removes an external account from the key policy: removes its root ARN, account ID and
    /// every user or role of that account from the `Principal` of every Allow statement (dropping
    /// statements left without a principal). Grants held by that account's principals are NOT
    /// revoked — as in AWS, grants are independent of the key policy and keep working until
    /// retired or revoked (grants.html); ``grantsHeld(byAccount:key:)`` lists them.
    public func removeExternalAccount(_ account: AWSAccountID, key: KMSKeyARN) throws {
        try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            guard account != key.account else {
                throw LocalKMSErrors.validation("\(account) owns the key; it cannot be removed as an external account")
            }
            var document: PolicyDocument
            document = try LocalKMS.parseKeyPolicy(state.keys[index].policy)
            func belongs(_ entry: String) -> Bool {
                entry == account.rawValue || AWSPrincipalARN(entry)?.account == account
            }
            var kept: [PolicyStatement] = []
            for var statement in document.statements {
                if statement.effect == .allow, var aws = statement.principal?.aws {
                    aws.values.removeAll(where: belongs)
                    if aws.values.isEmpty && statement.principal?.service == nil { continue }
                    statement.principal?.aws = aws.values.isEmpty ? nil : aws
                }
                kept.append(statement)
            }
            document.statements = kept
            state.keys[index].policy = document.jsonText()
        }
    }

    /// Attaches an IAM identity policy to a user or role, in addition to those it already has (as IAM does).
    public func attachUserPolicy(_ policy: String, principal: AWSPrincipalARN) throws {
        guard !principal.isAccountRoot else {
            throw LocalKMSErrors.validation("IAM policies attach to users and roles, not to the account root \(principal)")
        }
        do { _ = try PolicyDocument(parsing: policy, kind: .identityPolicy) } catch { throw LocalKMSErrors.malformedPolicy(error) }
        try mutate { state in
            state.register(principal.policyPrincipal)
            state.identityPolicies[principal.policyPrincipal.description, default: []].append(policy)
        }
    }

    /// Removes every IAM identity policy of a user or role.
    public func detachAllUserPolicies(principal: AWSPrincipalARN) throws {
        try mutate { state in state.identityPolicies[principal.policyPrincipal.description] = nil }
    }

    /// The IAM identity policies attached to a user or role, in attachment order.
    public func userPolicies(principal: AWSPrincipalARN) throws -> [String] {
        try refresh()
        return state.identityPolicies[principal.policyPrincipal.description] ?? []
    }

    /// Creates an access key for a principal; the secret is stored wrapped under the state key.
    public func createAccessKey(principal: AWSPrincipalARN) throws -> LocalKMSAccessKey {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        let id = "AKIA" + String(RandomBytes.array(count: 16).map { alphabet[Int($0) % 32] })
        let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var secretBytes = Array(String(RandomBytes.array(count: 40).map { secretAlphabet[Int($0) % 64] }).utf8)
        let secret = try SecureBytes(consuming: &secretBytes)
        let wrapped = try wrap(secret, purpose: LocalKMS.accessKeyPurpose(id))
        try mutate { state in
            state.register(principal)
            state.accessKeys.append(StoredAccessKey(accessKeyId: id, principal: principal, creationDate: Date(), secret: wrapped))
        }
        let text = secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        return LocalKMSAccessKey(accessKeyId: id, secretAccessKey: text, principal: principal.description)
    }

    /// The principal and secret of an access key, for verifying SigV4 signatures; `nil` if unknown.
    public func accessKey(id: String) throws -> (principal: AWSPrincipalARN, secret: SecureBytes)? {
        try refresh()
        guard let stored = state.accessKeys.first(where: { $0.accessKeyId == id }) else { return nil }
        return (stored.principal, try unwrap(stored.secret, purpose: LocalKMS.accessKeyPurpose(id)))
    }

    /// Creates an alias of the key's account and Region.
    public func createAlias(_ alias: KMSAliasName, key: KMSKeyARN) throws {
        try LocalKMS.checkAliasNameAllowed(alias)
        try mutate { state in
            _ = try keyIndexForAdmin(key, in: state)
            let aliasARN = KMSAliasARN(region: key.region, account: key.account, aliasName: alias)
            guard !state.aliases.contains(where: { $0.arn == aliasARN }) else {
                throw KMSError(code: .alreadyExists, message: "An alias with the name \(aliasARN) already exists")
            }
            state.aliases.append(StoredAlias(arn: aliasARN, target: key))
        }
    }

    /// Points an existing alias at another key of the same account and Region.
    public func updateAlias(_ alias: KMSAliasARN, key: KMSKeyARN) throws {
        try mutate { state in
            _ = try keyIndexForAdmin(key, in: state)
            guard key.account == alias.account, key.region == alias.region else {
                throw LocalKMSErrors.validation("an alias can only point at a key of its own account and Region")
            }
            guard let index = state.aliases.firstIndex(where: { $0.arn == alias }) else { throw LocalKMSErrors.aliasNotFound(alias) }
            state.aliases[index].target = key
        }
    }

    /// Deletes an alias.
    public func deleteAlias(_ alias: KMSAliasARN) throws {
        try mutate { state in
            guard state.aliases.contains(where: { $0.arn == alias }) else { throw LocalKMSErrors.aliasNotFound(alias) }
            state.aliases.removeAll { $0.arn == alias }
        }
    }

    /// The aliases of an account in a Region, with their target keys.
    public func listAliases(account: AWSAccountID, region: AWSRegion) throws -> [(alias: KMSAliasARN, target: KMSKeyARN)] {
        try refresh()
        return state.aliases.filter { $0.arn.account == account && $0.arn.region == region }.map { ($0.arn, $0.target) }
    }

    /// Enables a key (state Enabled). A key pending deletion must first be cancelled.
    public func enableKey(_ key: KMSKeyARN) throws {
        try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            guard state.keys[index].state != .pendingDeletion else { throw LocalKMSErrors.pendingDeletion(key) }
            state.keys[index].state = .enabled
        }
    }

    /// Disables a key: cryptographic operations then fail with `DisabledException`.
    public func disableKey(_ key: KMSKeyARN) throws {
        try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            guard state.keys[index].state != .pendingDeletion else { throw LocalKMSErrors.pendingDeletion(key) }
            state.keys[index].state = .disabled
        }
    }

    /// Schedules deletion after 7…30 days: the key goes to PendingDeletion and cryptographic
    /// operations fail with `KMSInvalidStateException`. Returns the deletion date.
    @discardableResult
    public func scheduleKeyDeletion(_ key: KMSKeyARN, pendingWindowInDays: Int = 30) throws -> Date {
        guard (7...30).contains(pendingWindowInDays) else {
            throw LocalKMSErrors.validation("PendingWindowInDays must be between 7 and 30")
        }
        return try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            // API_ScheduleKeyDeletion.html: a key already pending deletion is in an invalid state for it.
            guard state.keys[index].state != .pendingDeletion else {
                throw KMSError(code: .invalidState, message: "\(key) is pending deletion.")
            }
            let date = Date().addingTimeInterval(Double(pendingWindowInDays) * 86_400)
            state.keys[index].state = .pendingDeletion
            state.keys[index].deletionDate = date
            state.keys[index].pendingWindowInDays = pendingWindowInDays
            return date
        }
    }

    /// Cancels a scheduled deletion; the key becomes Disabled, as in AWS KMS.
    public func cancelKeyDeletion(_ key: KMSKeyARN) throws {
        try mutate { state in
            let index = try keyIndexForAdmin(key, in: state)
            guard state.keys[index].state == .pendingDeletion else {
                throw KMSError(code: .invalidState, message: "\(key) is not pending deletion.")
            }
            state.keys[index].state = .disabled
            state.keys[index].deletionDate = nil
            state.keys[index].pendingWindowInDays = nil
        }
    }
}
