import EnvelopeKMS
import EnvelopeSigV4
import EnvelopeLocalKMS
import Foundation

extension LocalKMSWireHandler {
    /// The administration operations, run as the signed caller (authorized by the key policy and
    /// the caller's IAM policies, as `LocalKMS` documents).
    func dispatchAdministration(_ operation: KMSOperationName, data: Data, caller: LocalKMSCaller) async throws -> [UInt8] {
        func run<Request: Decodable, Response: Encodable>(_: Request.Type, _ body: (Request) async throws -> Response) async throws -> [UInt8] {
            let request = try JSONDecoder().decode(Request.self, from: data)
            return Array(try JSONEncoder().encode(try await body(request)))
        }
        switch operation {
        case .createKey: return try await run(CreateKeyRequest.self) { try await kms.createKey($0, caller: caller) }
        case .createAlias: return try await run(CreateAliasRequest.self) { try await kms.createAlias($0, caller: caller) }
        case .listKeys: return try await run(ListKeysRequest.self) { try await kms.listKeys($0, caller: caller) }
        case .listAliases: return try await run(ListAliasesRequest.self) { try await kms.listAliases($0, caller: caller) }
        case .getKeyPolicy: return try await run(GetKeyPolicyRequest.self) { try await kms.getKeyPolicy($0, caller: caller) }
        case .putKeyPolicy: return try await run(PutKeyPolicyRequest.self) { try await kms.putKeyPolicy($0, caller: caller) }
        case .enableKey: return try await run(EnableKeyRequest.self) { try await kms.enableKey($0, caller: caller) }
        case .disableKey: return try await run(DisableKeyRequest.self) { try await kms.disableKey($0, caller: caller) }
        case .scheduleKeyDeletion: return try await run(ScheduleKeyDeletionRequest.self) { try await kms.scheduleKeyDeletion($0, caller: caller) }
        case .cancelKeyDeletion: return try await run(CancelKeyDeletionRequest.self) { try await kms.cancelKeyDeletion($0, caller: caller) }
        case .retireGrant: return try await run(RetireGrantRequest.self) { try await kms.retireGrant($0, caller: caller) }
        case .replicateKey: return try await run(ReplicateKeyRequest.self) { try await kms.replicateKey($0, caller: caller) }
        default:
            throw KMSError(code: "UnknownOperationException", message: "\(operation.rawValue) is not an administration operation")
        }
    }

    /// The `kms:ViaService` value a request asks for with `X-Envelope-Via-Service`; refused unless enabled.
    func viaService(of request: SigV4Request) throws -> String? {
        guard let value = request.headerValues(Self.viaServiceHeader).first else { return nil }
        guard acceptsViaServiceHeader else {
            throw KMSError(code: .validation, message: "\(Self.viaServiceHeader) is off on this server: start it with `envelope kms serve --allow-via-service-header` to let requests set kms:ViaService")
        }
        guard !value.isEmpty, value.hasSuffix(".amazonaws.com") else {
            throw KMSError(code: .validation, message: "\(Self.viaServiceHeader) must name an AWS service endpoint such as ec2.us-east-1.amazonaws.com, not '\(value.prefix(64))'")
        }
        return value
    }
}
