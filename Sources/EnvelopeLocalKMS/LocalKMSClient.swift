import EnvelopeKMS

/// A `KMSTransport` backed by a `LocalKMS`, calling it as one principal in one Region.
public struct LocalKMSClient: KMSTransport {
    /// The local KMS.
    public let kms: LocalKMS
    /// Who calls, from where.
    public let caller: LocalKMSCaller

    /// Creates a client for `caller`.
    public init(kms: LocalKMS, caller: LocalKMSCaller) {
        self.kms = kms
        self.caller = caller
    }

    /// The Region requests go to.
    public var region: AWSRegion { caller.region }

    /// `GenerateDataKey`.
    public func generateDataKey(_ request: GenerateDataKeyRequest) async throws -> GenerateDataKeyResponse {
        try await kms.generateDataKey(request, caller: caller)
    }

    /// `GenerateDataKeyWithoutPlaintext`.
    public func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest) async throws -> GenerateDataKeyWithoutPlaintextResponse {
        try await kms.generateDataKeyWithoutPlaintext(request, caller: caller)
    }

    /// `Encrypt`.
    public func encrypt(_ request: EncryptRequest) async throws -> EncryptResponse {
        try await kms.encrypt(request, caller: caller)
    }

    /// `Decrypt`.
    public func decrypt(_ request: DecryptRequest) async throws -> DecryptResponse {
        try await kms.decrypt(request, caller: caller)
    }

    /// `ReEncrypt`.
    public func reEncrypt(_ request: ReEncryptRequest) async throws -> ReEncryptResponse {
        try await kms.reEncrypt(request, caller: caller)
    }

    /// `DescribeKey`.
    public func describeKey(_ request: DescribeKeyRequest) async throws -> DescribeKeyResponse {
        try await kms.describeKey(request, caller: caller)
    }

    /// `GetPublicKey`.
    public func getPublicKey(_ request: GetPublicKeyRequest) async throws -> GetPublicKeyResponse {
        try await kms.getPublicKey(request, caller: caller)
    }

    /// `CreateGrant`.
    public func createGrant(_ request: CreateGrantRequest) async throws -> CreateGrantResponse {
        try await kms.createGrant(request, caller: caller)
    }

    /// `ListGrants`.
    public func listGrants(_ request: ListGrantsRequest) async throws -> ListGrantsResponse {
        try await kms.listGrants(request, caller: caller)
    }

    /// `RevokeGrant`.
    public func revokeGrant(_ request: RevokeGrantRequest) async throws -> RevokeGrantResponse {
        try await kms.revokeGrant(request, caller: caller)
    }
}
