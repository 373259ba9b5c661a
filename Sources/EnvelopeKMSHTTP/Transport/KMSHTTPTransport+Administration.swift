import EnvelopeKMS

/// The administration operations over the KMS wire protocol (real KMS, moto, `kms serve`).
extension KMSHTTPTransport: KMSAdministrationTransport {
    /// `CreateKey`.
    public func createKey(_ request: CreateKeyRequest) async throws -> CreateKeyResponse {
        try await call(.createKey, request, as: CreateKeyResponse.self)
    }

    /// `CreateAlias`.
    public func createAlias(_ request: CreateAliasRequest) async throws -> CreateAliasResponse {
        try await call(.createAlias, request, as: CreateAliasResponse.self)
    }

    /// `ListKeys`.
    public func listKeys(_ request: ListKeysRequest) async throws -> ListKeysResponse {
        try await call(.listKeys, request, as: ListKeysResponse.self)
    }

    /// `ListAliases`.
    public func listAliases(_ request: ListAliasesRequest) async throws -> ListAliasesResponse {
        try await call(.listAliases, request, as: ListAliasesResponse.self)
    }

    /// `GetKeyPolicy`.
    public func getKeyPolicy(_ request: GetKeyPolicyRequest) async throws -> GetKeyPolicyResponse {
        try await call(.getKeyPolicy, request, as: GetKeyPolicyResponse.self)
    }

    /// `PutKeyPolicy`.
    public func putKeyPolicy(_ request: PutKeyPolicyRequest) async throws -> PutKeyPolicyResponse {
        try await call(.putKeyPolicy, request, as: PutKeyPolicyResponse.self)
    }

    /// `EnableKey`.
    public func replicateKey(_ request: ReplicateKeyRequest) async throws -> ReplicateKeyResponse {
        try await call(.replicateKey, request, as: ReplicateKeyResponse.self)
    }

    public func enableKey(_ request: EnableKeyRequest) async throws -> EnableKeyResponse {
        try await call(.enableKey, request, as: EnableKeyResponse.self)
    }

    /// `DisableKey`.
    public func disableKey(_ request: DisableKeyRequest) async throws -> DisableKeyResponse {
        try await call(.disableKey, request, as: DisableKeyResponse.self)
    }

    /// `ScheduleKeyDeletion`.
    public func scheduleKeyDeletion(_ request: ScheduleKeyDeletionRequest) async throws -> ScheduleKeyDeletionResponse {
        try await call(.scheduleKeyDeletion, request, as: ScheduleKeyDeletionResponse.self)
    }

    /// `CancelKeyDeletion`.
    public func cancelKeyDeletion(_ request: CancelKeyDeletionRequest) async throws -> CancelKeyDeletionResponse {
        try await call(.cancelKeyDeletion, request, as: CancelKeyDeletionResponse.self)
    }

    /// `RetireGrant`.
    public func retireGrant(_ request: RetireGrantRequest) async throws -> RetireGrantResponse {
        try await call(.retireGrant, request, as: RetireGrantResponse.self)
    }
}
