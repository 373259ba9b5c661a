import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

/// The administration operations as a principal calls them over the KMS API (what `kms serve`
/// answers and what `LocalKMSClient` forwards): each is authorized like a data-plane call — the
/// key policy, the caller's IAM policies (through the key policy's delegation to the owner
/// account), explicit denies — and the management actions never work cross-account
/// (`KMSAction.crossAccountActions`). Operations without a key (CreateKey, ListKeys, ListAliases)
/// are authorized by the caller's IAM policies alone (`Resource: "*"`), as in AWS.
///
/// The unauthorized administrator API (`createKey(account:…)`, `putKeyPolicy(_:key:)`, …) stays
/// for local-only tooling (IAM set-up, tests); these wrap it.
extension LocalKMS {
    /// The management actions these operations check, beyond `KMSAction`'s.
    enum AdministrationAction {
        static let createKey = KMSAction(rawValue: "kms:CreateKey")
        static let createAlias = KMSAction(rawValue: "kms:CreateAlias")
        static let listKeys = KMSAction(rawValue: "kms:ListKeys")
        static let listAliases = KMSAction(rawValue: "kms:ListAliases")
        static let enableKey = KMSAction(rawValue: "kms:EnableKey")
        static let cancelKeyDeletion = KMSAction(rawValue: "kms:CancelKeyDeletion")
        static let replicateKey = KMSAction(rawValue: "kms:ReplicateKey")
    }

    /// `ReplicateKey` as `caller` (kms:ReplicateKey on the primary key; the replica gets `policy`
    /// or KMS's default key policy, with the lockout safety check unless bypassed).
    public func replicateKey(_ request: ReplicateKeyRequest, caller: LocalKMSCaller) throws -> ReplicateKeyResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: AdministrationAction.replicateKey, operation: "ReplicateKey")
        let region: AWSRegion
        do { region = try AWSRegion(validating: request.replicaRegion) } catch {
            throw LocalKMSErrors.validation("ReplicaRegion \(request.replicaRegion) is not a Region name such as us-west-2")
        }
        let metadata = try replicateKey(key.arn, replicaRegion: region, policy: request.policy, description: request.description,
                                        bypassPolicyLockoutSafetyCheck: request.bypassPolicyLockoutSafetyCheck)
        return ReplicateKeyResponse(replicaKeyMetadata: metadata, replicaPolicy: try getKeyPolicy(key: metadata.arn))
    }

    /// `CreateKey` as `caller`: the key is created in the caller's account and Region.
    public func createKey(_ request: CreateKeyRequest, caller: LocalKMSCaller) throws -> CreateKeyResponse {
        try refresh()
        try authorizeWithoutKey(caller, AdministrationAction.createKey)
        let rsaSpec = try LocalKMS.createKeySpec(keySpec: request.keySpec, keyUsage: request.keyUsage)
        // Validation (principals exist, 32 KiB) and the lockout safety check for the caller are createKey's.
        let metadata = try createKey(account: caller.principal.account, region: caller.region, description: request.keyDescription ?? "",
                                     policy: request.policy, multiRegion: request.multiRegion,
                                     bypassPolicyLockoutSafetyCheck: request.bypassPolicyLockoutSafetyCheck, caller: caller.principal,
                                     keySpec: rsaSpec)
        return CreateKeyResponse(keyMetadata: metadata)
    }

    /// `PutKeyPolicy` as `caller` (kms:PutKeyPolicy; the lockout safety check unless bypassed).
    public func putKeyPolicy(_ request: PutKeyPolicyRequest, caller: LocalKMSCaller) throws -> PutKeyPolicyResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: .putKeyPolicy, operation: "PutKeyPolicy")
        try putKeyPolicy(request.policy, key: key.arn, bypassPolicyLockoutSafetyCheck: request.bypassPolicyLockoutSafetyCheck, caller: caller.principal)
        return PutKeyPolicyResponse()
    }

    /// `GetKeyPolicy` as `caller` (kms:GetKeyPolicy).
    public func getKeyPolicy(_ request: GetKeyPolicyRequest, caller: LocalKMSCaller) throws -> GetKeyPolicyResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: .getKeyPolicy, operation: "GetKeyPolicy")
        guard request.policyName == "default" else { throw KMSError(code: .notFound, message: "No such policy exists") }
        return GetKeyPolicyResponse(policy: key.policy)
    }

    /// `EnableKey` as `caller` (kms:EnableKey).
    public func enableKey(_ request: EnableKeyRequest, caller: LocalKMSCaller) throws -> EnableKeyResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: AdministrationAction.enableKey, operation: "EnableKey")
        try enableKey(key.arn)
        return EnableKeyResponse()
    }

    /// `DisableKey` as `caller` (kms:DisableKey).
    public func disableKey(_ request: DisableKeyRequest, caller: LocalKMSCaller) throws -> DisableKeyResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: .disableKey, operation: "DisableKey")
        try disableKey(key.arn)
        return DisableKeyResponse()
    }

    /// `ScheduleKeyDeletion` as `caller` (kms:ScheduleKeyDeletion; 30 days unless given).
    public func scheduleKeyDeletion(_ request: ScheduleKeyDeletionRequest, caller: LocalKMSCaller) throws -> ScheduleKeyDeletionResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: .scheduleKeyDeletion, operation: "ScheduleKeyDeletion")
        let days = request.pendingWindowInDays ?? 30
        let date = try scheduleKeyDeletion(key.arn, pendingWindowInDays: days)
        return ScheduleKeyDeletionResponse(keyId: key.arn.description, deletionDate: date, keyState: .pendingDeletion, pendingWindowInDays: days)
    }

    /// `CancelKeyDeletion` as `caller` (kms:CancelKeyDeletion); the key becomes Disabled.
    public func cancelKeyDeletion(_ request: CancelKeyDeletionRequest, caller: LocalKMSCaller) throws -> CancelKeyDeletionResponse {
        let key = try administeredKey(request.keyId, caller: caller, action: AdministrationAction.cancelKeyDeletion, operation: "CancelKeyDeletion")
        try cancelKeyDeletion(key.arn)
        return CancelKeyDeletionResponse(keyId: key.arn.description)
    }

    /// `CreateAlias` as `caller` (kms:CreateAlias on the key): the alias is in the caller's account
    /// and Region and must name a key of that account and Region.
    public func createAlias(_ request: CreateAliasRequest, caller: LocalKMSCaller) throws -> CreateAliasResponse {
        let key = try administeredKey(request.targetKeyId, caller: caller, action: AdministrationAction.createAlias, operation: "CreateAlias")
        try createAlias(request.aliasName, key: key.arn)
        return CreateAliasResponse()
    }

    /// `ListKeys` as `caller` (kms:ListKeys, IAM only): the keys of the caller's account in the request's Region.
    public func listKeys(_ request: ListKeysRequest, caller: LocalKMSCaller) throws -> ListKeysResponse {
        try refresh()
        try authorizeWithoutKey(caller, AdministrationAction.listKeys)
        let keys = try listKeys(account: caller.principal.account, region: caller.region)
            .map { KMSKeyListEntry(keyId: $0.keyId.rawValue, keyArn: $0.arn.description) }
        let page = try Self.page(keys, limit: request.limit, maxLimit: 1000, marker: request.marker)
        return ListKeysResponse(keys: page.items, nextMarker: page.nextMarker, truncated: page.nextMarker != nil)
    }

    /// `ListAliases` as `caller` (kms:ListAliases, IAM only), optionally of one key of the caller's account.
    public func listAliases(_ request: ListAliasesRequest, caller: LocalKMSCaller) throws -> ListAliasesResponse {
        try refresh()
        try authorizeWithoutKey(caller, AdministrationAction.listAliases)
        let target = try request.keyId.map { try resolve($0, for: caller).arn }
        let aliases = try listAliases(account: caller.principal.account, region: caller.region)
            .filter { target == nil || $0.target == target }
            .map { KMSAliasListEntry(aliasName: $0.alias.aliasName.rawValue, aliasArn: $0.alias.description, targetKeyId: $0.target.keyID.rawValue) }
        let page = try Self.page(aliases, limit: request.limit, maxLimit: 100, marker: request.marker)
        return ListAliasesResponse(aliases: page.items, nextMarker: page.nextMarker, truncated: page.nextMarker != nil)
    }

    // MARK: - Helpers

    /// Resolves a key named by key ID or key ARN and authorizes `action` on it for `caller`.
    func administeredKey(_ identifier: KMSKeyIdentifier, caller: LocalKMSCaller, action: KMSAction, operation: String) throws -> StoredKey {
        try refresh()
        try requireKeyIDOrARN(identifier, operation: operation)
        let key = try resolve(identifier, for: caller)
        try authorize(caller, action, on: key)
        return key
    }

    /// Authorizes an action that has no key resource (CreateKey, ListKeys, ListAliases): only the
    /// caller's IAM policies decide (an account root is allowed), as if under the default key policy
    /// of the caller's account; an explicit deny wins.
    func authorizeWithoutKey(_ caller: LocalKMSCaller, _ action: KMSAction) throws {
        let account = caller.principal.account
        let probe = StoredKey(arn: KMSKeyARN(region: caller.region, account: account, keyID: .random()), creationDate: Date(), keyDescription: "",
                              state: .enabled, deletionDate: nil, pendingWindowInDays: nil,
                              policy: KMSPolicyTemplates.defaultKeyPolicy(owner: account, partition: caller.region.partition).jsonText(),
                              material: WrappedSecret(iv: [], ciphertext: [], tag: []))
        guard let reason = decide(caller, action, on: probe, encryptionContext: nil, grantCovers: nil).1.denial else { return }
        let head = "User: \(caller.principal) is not authorized to perform: \(action) on resource: *"
        let tail = reason == .explicitDenyInIdentityPolicy || reason == .explicitDenyInKeyPolicy
            ? "with an explicit deny in an identity-based policy" : "because no identity-based policy allows the \(action) action"
        throw KMSError(code: .accessDenied, message: "\(head) \(tail)")
    }

    /// `RetireGrant` as `caller`, from the wire request.
    public func retireGrant(_ request: RetireGrantRequest, caller: LocalKMSCaller) throws -> RetireGrantResponse {
        try retireGrant(grantToken: request.grantToken, keyId: request.keyId, grantId: request.grantId, dryRun: request.dryRun, caller: caller)
        return RetireGrantResponse()
    }

    /// One page of `items` after `marker` (an offset this KMS issued).
    static func page<T>(_ items: [T], limit: Int?, maxLimit: Int, marker: String?) throws -> (items: [T], nextMarker: String?) {
        let limit = limit ?? 100
        guard (1...maxLimit).contains(limit) else { throw LocalKMSErrors.validation("Limit must be between 1 and \(maxLimit)") }
        var start = 0
        if let marker {
            guard let value = Int(marker), (0...items.count).contains(value) else {
                throw KMSError(code: "InvalidMarkerException", message: "The marker \(marker) is not valid; pass NextMarker of the previous page")
            }
            start = value
        }
        let end = min(items.count, start + limit)
        return (Array(items[start..<end]), end < items.count ? String(end) : nil)
    }
}

extension LocalKMSClient: KMSAdministrationTransport {
    /// `CreateKey`.
    public func createKey(_ request: CreateKeyRequest) async throws -> CreateKeyResponse { try await kms.createKey(request, caller: caller) }
    /// `CreateAlias`.
    public func createAlias(_ request: CreateAliasRequest) async throws -> CreateAliasResponse { try await kms.createAlias(request, caller: caller) }
    /// `ListKeys`.
    public func listKeys(_ request: ListKeysRequest) async throws -> ListKeysResponse { try await kms.listKeys(request, caller: caller) }
    /// `ListAliases`.
    public func listAliases(_ request: ListAliasesRequest) async throws -> ListAliasesResponse { try await kms.listAliases(request, caller: caller) }
    /// `GetKeyPolicy`.
    public func getKeyPolicy(_ request: GetKeyPolicyRequest) async throws -> GetKeyPolicyResponse { try await kms.getKeyPolicy(request, caller: caller) }
    /// `PutKeyPolicy`.
    public func putKeyPolicy(_ request: PutKeyPolicyRequest) async throws -> PutKeyPolicyResponse { try await kms.putKeyPolicy(request, caller: caller) }
    /// `EnableKey`.
    public func enableKey(_ request: EnableKeyRequest) async throws -> EnableKeyResponse { try await kms.enableKey(request, caller: caller) }
    /// `DisableKey`.
    public func disableKey(_ request: DisableKeyRequest) async throws -> DisableKeyResponse { try await kms.disableKey(request, caller: caller) }
    /// `ScheduleKeyDeletion`.
    public func scheduleKeyDeletion(_ request: ScheduleKeyDeletionRequest) async throws -> ScheduleKeyDeletionResponse {
        try await kms.scheduleKeyDeletion(request, caller: caller)
    }
    /// `CancelKeyDeletion`.
    public func cancelKeyDeletion(_ request: CancelKeyDeletionRequest) async throws -> CancelKeyDeletionResponse {
        try await kms.cancelKeyDeletion(request, caller: caller)
    }
    /// `RetireGrant`.
    public func retireGrant(_ request: RetireGrantRequest) async throws -> RetireGrantResponse { try await kms.retireGrant(request, caller: caller) }
    /// `ReplicateKey` as this client's principal.
    public func replicateKey(_ request: ReplicateKeyRequest) async throws -> ReplicateKeyResponse { try await kms.replicateKey(request, caller: caller) }
}
