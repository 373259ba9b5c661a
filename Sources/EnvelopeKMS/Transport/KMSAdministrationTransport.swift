/// The key owner's side of KMS: the administration operations the cross-account story needs
/// (create a key with a policy, read and replace the key policy, aliases, key states, grants).
///
/// A refinement of `KMSTransport`, so that data-plane-only transports (test fakes, wrappers) need
/// not implement it. Implementations: the local KMS (`LocalKMSClient`, authorizing each call as its
/// principal) and the AWS wire protocol (`KMSHTTPTransport`: real KMS, moto, `kms serve`).
/// Errors follow `KMSTransport`: service answers as `KMSError`.
public protocol KMSAdministrationTransport: KMSTransport {
    /// `CreateKey`: a new KMS key in the caller's account and this transport's Region.
    func createKey(_ request: CreateKeyRequest) async throws -> CreateKeyResponse
    /// `CreateAlias`: an alias of the caller's account and Region for one of its keys.
    func createAlias(_ request: CreateAliasRequest) async throws -> CreateAliasResponse
    /// `ListKeys`: the keys of the caller's account in this Region, one page.
    func listKeys(_ request: ListKeysRequest) async throws -> ListKeysResponse
    /// `ListAliases`: the aliases of the caller's account in this Region, one page.
    func listAliases(_ request: ListAliasesRequest) async throws -> ListAliasesResponse
    /// `GetKeyPolicy`: the key policy document (never cross-account).
    func getKeyPolicy(_ request: GetKeyPolicyRequest) async throws -> GetKeyPolicyResponse
    /// `PutKeyPolicy`: replaces the key policy (never cross-account; lockout safety check unless bypassed).
    func putKeyPolicy(_ request: PutKeyPolicyRequest) async throws -> PutKeyPolicyResponse
    /// `EnableKey`.
    func enableKey(_ request: EnableKeyRequest) async throws -> EnableKeyResponse
    /// `DisableKey`.
    func disableKey(_ request: DisableKeyRequest) async throws -> DisableKeyResponse
    /// `ScheduleKeyDeletion`.
    func scheduleKeyDeletion(_ request: ScheduleKeyDeletionRequest) async throws -> ScheduleKeyDeletionResponse
    /// `CancelKeyDeletion`: the key becomes Disabled.
    func cancelKeyDeletion(_ request: CancelKeyDeletionRequest) async throws -> CancelKeyDeletionResponse
    /// `RetireGrant`: deletes a grant, by token or by key and grant ID (for the retiring or grantee principal).
    func retireGrant(_ request: RetireGrantRequest) async throws -> RetireGrantResponse
    /// `ReplicateKey`: a replica of a multi-Region primary key in another Region.
    func replicateKey(_ request: ReplicateKeyRequest) async throws -> ReplicateKeyResponse
}

extension KMSAdministrationTransport {
    /// Every page of `ListGrants` for a key.
    public func allGrants(keyId: KMSKeyIdentifier, granteePrincipal: String? = nil) async throws -> [KMSGrantListEntry] {
        var grants: [KMSGrantListEntry] = []
        var marker: String?
        repeat {
            let page = try await listGrants(ListGrantsRequest(keyId: keyId, marker: marker, granteePrincipal: granteePrincipal))
            grants += page.grants
            marker = page.truncated ? page.nextMarker : nil
        } while marker != nil
        return grants
    }

    /// Every page of `ListKeys`.
    public func allKeys() async throws -> [KMSKeyListEntry] {
        var keys: [KMSKeyListEntry] = []
        var marker: String?
        repeat {
            let page = try await listKeys(ListKeysRequest(marker: marker))
            keys += page.keys
            marker = page.truncated ? page.nextMarker : nil
        } while marker != nil
        return keys
    }

    /// Every page of `ListAliases` (of one key when `keyId` is given).
    public func allAliases(keyId: KMSKeyIdentifier? = nil) async throws -> [KMSAliasListEntry] {
        var aliases: [KMSAliasListEntry] = []
        var marker: String?
        repeat {
            let page = try await listAliases(ListAliasesRequest(keyId: keyId, marker: marker))
            aliases += page.aliases
            marker = page.truncated ? page.nextMarker : nil
        } while marker != nil
        return aliases
    }
}
