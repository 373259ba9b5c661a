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
        try await allPages { try await listGrants(ListGrantsRequest(keyId: keyId, marker: $0, granteePrincipal: granteePrincipal)) }
    }

    /// Every page of `ListKeys`.
    public func allKeys() async throws -> [KMSKeyListEntry] {
        try await allPages { try await listKeys(ListKeysRequest(marker: $0)) }
    }

    /// Every page of `ListAliases` (of one key when `keyId` is given).
    public func allAliases(keyId: KMSKeyIdentifier? = nil) async throws -> [KMSAliasListEntry] {
        try await allPages { try await listAliases(ListAliasesRequest(keyId: keyId, marker: $0)) }
    }
}

/// One page of a KMS `List…` operation: its entries, and the `NextMarker` of the next page while
/// `Truncated` is true.
public protocol KMSListPage: Sendable {
    associatedtype Entry: Sendable
    /// The page's entries.
    var entries: [Entry] { get }
    /// JSON `NextMarker`.
    var nextMarker: String? { get }
    /// JSON `Truncated`.
    var truncated: Bool { get }
}

extension ListGrantsResponse: KMSListPage {
    /// `grants`.
    public var entries: [KMSGrantListEntry] { grants }
}

extension ListKeysResponse: KMSListPage {
    /// `keys`.
    public var entries: [KMSKeyListEntry] { keys }
}

extension ListAliasesResponse: KMSListPage {
    /// `aliases`.
    public var entries: [KMSAliasListEntry] { aliases }
}

/// The entries of every page of a KMS `List…` operation: `page` is called with nil, then with each
/// `NextMarker`, while the response says it is truncated.
func allPages<Page: KMSListPage>(_ page: (_ marker: String?) async throws -> Page) async throws -> [Page.Entry] {
    var entries: [Page.Entry] = []
    var marker: String?
    repeat {
        let response = try await page(marker)
        entries += response.entries
        marker = response.truncated ? response.nextMarker : nil
    } while marker != nil
    return entries
}
