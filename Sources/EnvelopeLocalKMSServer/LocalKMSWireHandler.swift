import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeSigV4
import EnvelopeLocalKMS
import Foundation
import Logging

/// An HTTP answer of the local KMS wire endpoint.
public struct LocalKMSWireResponse: Sendable {
    /// HTTP status.
    public let status: Int
    /// Response headers.
    public let headers: [(name: String, value: String)]
    /// JSON body.
    public let body: [UInt8]
}

/// The AWS KMS wire protocol (JSON 1.1, `X-Amz-Target: TrentService.<Operation>`) in front of a
/// `LocalKMS`: verifies SigV4 on every request, maps the access key to its principal and runs the
/// operation as that principal, so key policies, IAM policies and grants apply.
///
/// Independent of the HTTP server library, so it can be tested directly.
public struct LocalKMSWireHandler: Sendable {
    /// The local KMS served.
    public let kms: LocalKMS
    /// If set, requests must be signed for this region; otherwise the credential scope's region is the caller's.
    public let region: AWSRegion?
    /// Signature checks (`kms` service, 5 minutes clock skew as KMS allows).
    public let verifier: SigV4Verifier
    /// Whether requests may set `kms:ViaService` with the `X-Envelope-Via-Service` header (off by default).
    public let acceptsViaServiceHeader: Bool
    let logger: Logger

    /// The header (our own, not AWS's) that sets `kms:ViaService` for one request, e.g.
    /// `X-Envelope-Via-Service: ec2.us-east-1.amazonaws.com`, so rehearsals can exercise key policies
    /// that condition on it. Honoured only when the server was started with it enabled.
    public static let viaServiceHeader = "X-Envelope-Via-Service"

    /// Creates a handler.
    public init(kms: LocalKMS, region: AWSRegion? = nil, acceptsViaServiceHeader: Bool = false, logger: Logger = LocalKMS.silentLogger) {
        self.kms = kms
        self.region = region
        self.verifier = SigV4Verifier(service: "kms")
        self.acceptsViaServiceHeader = acceptsViaServiceHeader
        self.logger = logger
    }

    /// Handles one request. `request.path` and `request.query` are decoded; headers must include `Host`.
    public func handle(_ request: SigV4Request, now: Date = Date()) async -> LocalKMSWireResponse {
        let requestId = UUID().uuidString.lowercased()
        do {
            let caller = try await authenticate(request, now: now)
            guard request.method.uppercased() == "POST" else {
                throw KMSError(code: "UnknownOperationException", message: "KMS accepts only POST requests")
            }
            guard let target = request.headerValues("X-Amz-Target").first, target.hasPrefix("TrentService."),
                  let operation = KMSOperationName(rawValue: String(target.dropFirst("TrentService.".count))) else {
                throw KMSError(code: "UnknownOperationException", message: "X-Amz-Target must name a supported operation: \(KMSOperationName.allCases.map { "TrentService.\($0.rawValue)" }.joined(separator: ", "))")
            }
            logger.debug("local KMS request", metadata: [
                "operation": "\(operation.rawValue)", "principal": "\(caller.principal)", "requestId": "\(requestId)",
            ])
            let body = try await dispatch(operation, body: request.body, caller: caller)
            return LocalKMSWireResponse(
                status: 200,
                headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestId)],
                body: body)
        } catch let error as KMSError {
            logger.debug("local KMS error", metadata: ["code": "\(error.code)", "requestId": "\(requestId)"])
            return Self.errorResponse(code: error.code.rawValue, message: error.message, status: Self.status(of: error), requestId: requestId)
        } catch let error as SigV4VerificationError {
            logger.debug("local KMS refused signature", metadata: ["code": "\(error.code)", "requestId": "\(requestId)"])
            return Self.errorResponse(code: error.code, message: error.message, status: 400, requestId: requestId)
        } catch let error as DecodingError {
            return Self.errorResponse(code: "ValidationException", message: Self.describe(error), status: 400, requestId: requestId)
        } catch {
            logger.error("local KMS internal error", metadata: ["error": "\(error)", "requestId": "\(requestId)"])
            return Self.errorResponse(code: "KMSInternalException", message: "internal error of the local KMS", status: 500, requestId: requestId)
        }
    }

    /// Verifies the signature and returns the caller (principal of the access key, region of the scope).
    func authenticate(_ request: SigV4Request, now: Date) async throws -> LocalKMSCaller {
        guard let header = request.headerValues("Authorization").first else {
            throw SigV4VerificationError.missingAuthentication("Missing Authentication Token: sign the request with AWS Signature Version 4")
        }
        let authorization = try SigV4Authorization(parsing: header)
        let known = try await kms.accessKey(id: authorization.accessKeyId)
        _ = try verifier.verify(request, now: now) { id in
            guard let known, id == authorization.accessKeyId else { return nil }
            return (known.secret, nil)
        }
        guard let principal = known?.principal else {
            throw SigV4VerificationError.unrecognizedClient("The security token included in the request is invalid.")
        }
        let callerRegion: AWSRegion
        if let region {
            guard authorization.region == region.rawValue else {
                throw SigV4VerificationError.invalidSignature("Credential should be scoped to a valid region, not '\(authorization.region)'; this endpoint serves \(region)")
            }
            callerRegion = region
        } else {
            guard let scoped = AWSRegion(rawValue: authorization.region) else {
                throw SigV4VerificationError.invalidSignature("Credential should be scoped to a valid region, not '\(authorization.region)'")
            }
            callerRegion = scoped
        }
        return LocalKMSCaller(principal: principal, region: callerRegion, viaService: try viaService(of: request))
    }

    func dispatch(_ operation: KMSOperationName, body: [UInt8], caller: LocalKMSCaller) async throws -> [UInt8] {
        let data = Data(body.isEmpty ? Array("{}".utf8) : body)
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw KMSError(code: "SerializationException", message: "the request body is not a JSON object")
        }
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        switch operation {
        case .generateDataKey:
            let response = try await kms.generateDataKey(try decoder.decode(GenerateDataKeyRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .generateDataKeyWithoutPlaintext:
            let response = try await kms.generateDataKeyWithoutPlaintext(
                try decoder.decode(GenerateDataKeyWithoutPlaintextRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .encrypt:
            let response = try await kms.encrypt(try decoder.decode(EncryptRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .decrypt:
            let response = try await kms.decrypt(try decoder.decode(DecryptRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .reEncrypt:
            let response = try await kms.reEncrypt(try decoder.decode(ReEncryptRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .describeKey:
            let response = try await kms.describeKey(try decoder.decode(DescribeKeyRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .getPublicKey:
            let response = try await kms.getPublicKey(try decoder.decode(GetPublicKeyRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .createGrant:
            let response = try await kms.createGrant(try decoder.decode(CreateGrantRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .listGrants:
            let response = try await kms.listGrants(try decoder.decode(ListGrantsRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .revokeGrant:
            let response = try await kms.revokeGrant(try decoder.decode(RevokeGrantRequest.self, from: data), caller: caller)
            return Array(try encoder.encode(response))
        case .createKey, .createAlias, .listKeys, .listAliases, .getKeyPolicy, .putKeyPolicy, .enableKey, .disableKey,
             .scheduleKeyDeletion, .cancelKeyDeletion, .retireGrant, .replicateKey:
            return try await dispatchAdministration(operation, data: data, caller: caller)
        }
    }

    /// KMS answers client errors with 400 and its faults (`KMSInternalException`, …) with 500.
    static func status(of error: KMSError) -> Int {
        if let status = error.httpStatus { return status }
        switch error.code {
        case .internalError, .dependencyTimeout, .keyUnavailable: return 500
        default: return 400
        }
    }

    /// `{"__type": code, "message": message}` with `X-Amzn-ErrorType`, as AWS JSON 1.1 services answer.
    static func errorResponse(code: String, message: String, status: Int, requestId: String) -> LocalKMSWireResponse {
        let object: [String: String] = ["__type": code, "message": message]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return LocalKMSWireResponse(
            status: status,
            headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestId), ("X-Amzn-ErrorType", code)],
            body: Array(body))
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "1 validation error detected: Value null at '\(key.stringValue)' failed to satisfy constraint: Member must not be null"
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "1 validation error detected: value at '\(path)' is not valid: \(context.debugDescription)"
        @unknown default: return "the request does not match the operation's input shape"
        }
    }
}
