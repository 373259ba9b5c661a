import Foundation

/// A `KMSTransport` that forwards every call to another one and counts the calls per operation
/// (successful or not). For tests and benchmarks that report how many KMS calls a workload made,
/// e.g. that a caching materials manager turned N messages into one GenerateDataKey.
public final class CountingKMSTransport: KMSTransport, @unchecked Sendable {
    /// The transport calls go to.
    public let base: any KMSTransport
    private let lock = NSLock()
    private var calls: [KMSOperationName: Int] = [:]

    /// Wraps `base`.
    public init(_ base: any KMSTransport) { self.base = base }

    /// The Region of `base`.
    public var region: AWSRegion { base.region }

    /// How many times `operation` was called.
    public func count(_ operation: KMSOperationName) -> Int { lock.withLock { calls[operation] ?? 0 } }

    /// Every operation's count (operations never called are absent).
    public var counts: [KMSOperationName: Int] { lock.withLock { calls } }

    /// All calls together.
    public var totalCount: Int { lock.withLock { calls.values.reduce(0, +) } }

    /// Sets every count back to zero.
    public func reset() { lock.withLock { calls.removeAll() } }

    private func record(_ operation: KMSOperationName) { lock.withLock { calls[operation, default: 0] += 1 } }

    /// Counts, then forwards.
    public func generateDataKey(_ request: GenerateDataKeyRequest) async throws -> GenerateDataKeyResponse {
        record(.generateDataKey); return try await base.generateDataKey(request)
    }
    /// Counts, then forwards.
    public func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest) async throws -> GenerateDataKeyWithoutPlaintextResponse {
        record(.generateDataKeyWithoutPlaintext); return try await base.generateDataKeyWithoutPlaintext(request)
    }
    /// Counts, then forwards.
    public func encrypt(_ request: EncryptRequest) async throws -> EncryptResponse {
        record(.encrypt); return try await base.encrypt(request)
    }
    /// Counts, then forwards.
    public func decrypt(_ request: DecryptRequest) async throws -> DecryptResponse {
        record(.decrypt); return try await base.decrypt(request)
    }
    /// Counts, then forwards.
    public func reEncrypt(_ request: ReEncryptRequest) async throws -> ReEncryptResponse {
        record(.reEncrypt); return try await base.reEncrypt(request)
    }
    /// Counts, then forwards.
    public func describeKey(_ request: DescribeKeyRequest) async throws -> DescribeKeyResponse {
        record(.describeKey); return try await base.describeKey(request)
    }
    /// Counts, then forwards.
    public func getPublicKey(_ request: GetPublicKeyRequest) async throws -> GetPublicKeyResponse {
        record(.getPublicKey); return try await base.getPublicKey(request)
    }
    /// Counts, then forwards.
    public func createGrant(_ request: CreateGrantRequest) async throws -> CreateGrantResponse {
        record(.createGrant); return try await base.createGrant(request)
    }
    /// Counts, then forwards.
    public func listGrants(_ request: ListGrantsRequest) async throws -> ListGrantsResponse {
        record(.listGrants); return try await base.listGrants(request)
    }
    /// Counts, then forwards.
    public func revokeGrant(_ request: RevokeGrantRequest) async throws -> RevokeGrantResponse {
        record(.revokeGrant); return try await base.revokeGrant(request)
    }
}
