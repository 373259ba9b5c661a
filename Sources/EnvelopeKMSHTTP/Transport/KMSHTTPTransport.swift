import EnvelopeCrypto
import EnvelopeKMS
import Foundation
import Logging

/// A `KMSTransport` that speaks the AWS KMS wire protocol (AWS JSON 1.1, `X-Amz-Target:
/// TrentService.<Operation>`, SigV4) over AsyncHTTPClient, with retries per `RetryPolicy`.
///
/// Service errors are thrown as `KMSError` (code decoded from `X-Amzn-ErrorType`, JSON `__type`/`code`
/// or XML `<Code>`, with HTTP status and request ID); failures below the service (could not connect,
/// timeout, TLS, malformed answer; after the retry policy gave up) as `AWSTransportError` with the
/// URL; missing credentials as `AWSCallError` (`.credentials`).
public struct KMSHTTPTransport: KMSTransport {
    /// The region requests go to (and bare key IDs / alias names resolve in).
    public let region: AWSRegion
    /// Endpoint URL and signing region.
    public let endpoint: KMSEndpoint
    /// The (cached, refreshed-before-expiry) credentials source.
    public let credentials: any AWSCredentialsProvider
    /// The HTTP client and its retry policy.
    public let http: AWSHTTPClient
    /// Receives one entry per attempt (debug) and per credential event; silent by default.
    public let logger: Logger

    /// Creates a transport. `credentials` is wrapped in a `RefreshingCredentialsProvider` unless it already is one.
    public init(
        region: AWSRegion,
        endpoint: KMSEndpoint,
        credentials: any AWSCredentialsProvider,
        http: AWSHTTPClient = AWSHTTPClient(),
        logger: Logger = Logger(label: "EnvelopeKMSHTTP", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = AWSStandardSetup.refreshing(credentials, http: http)
        self.http = http
        self.logger = logger
    }

    /// A transport configured the way the AWS CLI is:
    /// - Region: `region`, else the key ARN / alias ARN's Region, else `AWS_REGION` / `AWS_DEFAULT_REGION` / the profile's;
    /// - endpoint: `customEndpoint` (`--kms-endpoint`), else the configured one (``AWSEndpointResolver``:
    ///   `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`, the profile's `[services]` section, its `endpoint_url`;
    ///   none if `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), else the Region's, FIPS (`useFIPS`,
    ///   `AWS_USE_FIPS_ENDPOINT`, `use_fips_endpoint`) and dual-stack (`AWS_USE_DUALSTACK_ENDPOINT`,
    ///   `use_dualstack_endpoint`) as configured;
    /// - retries: `http` if given, else the standard mode with `AWS_MAX_ATTEMPTS` / `max_attempts`;
    /// - credentials: `credentials`, else the standard chain (profile `profile` / `AWS_PROFILE`).
    public static func standard(
        region: String? = nil,
        keyIdentifier: KMSKeyIdentifier? = nil,
        profile: String? = nil,
        customEndpoint: String? = nil,
        useFIPS: Bool? = nil,
        credentials: (any AWSCredentialsProvider)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: AWSHTTPClient? = nil,
        logger: Logger = Logger(label: "EnvelopeKMSHTTP", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> KMSHTTPTransport {
        let setup = try AWSStandardSetup.resolve(
            service: .kms, region: region ?? keyIdentifier.flatMap(Self.region(of:)), profile: profile, customEndpoint: customEndpoint,
            useFIPS: useFIPS, credentials: credentials, environment: environment, http: http)
        return KMSHTTPTransport(region: setup.region, endpoint: setup.endpoint.kmsEndpoint, credentials: setup.credentials, http: setup.http, logger: logger)
    }

    /// The region named by a key ARN or alias ARN; `nil` for bare key IDs and alias names.
    public static func region(of identifier: KMSKeyIdentifier) -> String? {
        switch identifier {
        case .keyARN(let arn): return arn.region.rawValue
        case .aliasARN(let arn): return arn.region.rawValue
        case .keyID, .aliasName: return nil
        }
    }

    /// Sends one operation: JSON body, `TrentService.<operation>` target, SigV4 (`kms`). Its span
    /// (`KMS.<operation>`) names the Region and `keyID` (attribute `aws.kms.key_id`), never data.
    public func call<Request: Encodable, Response: Decodable>(
        _ operation: KMSOperationName, _ request: Request, as: Response.Type, keyID: KMSKeyIdentifier? = nil
    ) async throws -> Response {
        // Encrypt requests carry plaintext in the body: wipe our copies once sent (best effort;
        // the HTTP stack keeps its own buffer until the request is written).
        var encoded = try JSONEncoder().encode(request)
        var body = Array(encoded)
        encoded.resetBytes(in: 0..<encoded.count)
        defer { body.withUnsafeMutableBytes { ConstantTime.zero($0) } }
        let target = "TrentService.\(operation.rawValue)"
        let response: AWSHTTPResponse
        do {
            response = try await http.send(
                operation: target,
                url: endpoint.url,
                headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target)],
                body: body,
                signer: SigV4Signer(region: endpoint.signingRegion, service: "kms"),
                credentials: credentials,
                logger: logger,
                call: AWSCallDescription(service: "KMS", method: operation.rawValue, region: region.rawValue,
                                         attributes: keyID.map { ["aws.kms.key_id": $0.description] } ?? [:]))
        } catch let error as AWSCallError {
            // Each layer's own typed error: KMS's answer, the transport's failure, the credentials'.
            switch error.failure {
            case .service:
                var kms = error.kmsError!
                kms.operation = operation.rawValue
                throw kms
            case .transport(let failure): throw failure
            case .credentials: throw error  // names the operation; the chain's message says what to set
            }
        }
        do {
            let data = Data(response.body.isEmpty ? Array("{}".utf8) : response.body)
            if Response.self == JSONObject.self {
                guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON object"))
                }
                return JSONObject(value: object) as! Response
            }
            return try JSONDecoder().decode(Response.self, from: data)
        } catch {
            throw AWSTransportError(
                operation: target, url: endpoint.url.absoluteString,
                detail: .malformedResponse(status: response.status, what: "is not the \(operation.rawValue) output JSON"))
        }
    }

    /// `GenerateDataKey`.
    public func generateDataKey(_ request: GenerateDataKeyRequest) async throws -> GenerateDataKeyResponse {
        try await call(.generateDataKey, request, as: GenerateDataKeyResponse.self, keyID: request.keyId)
    }

    /// `GenerateDataKeyWithoutPlaintext`.
    public func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest) async throws -> GenerateDataKeyWithoutPlaintextResponse {
        try await call(.generateDataKeyWithoutPlaintext, request, as: GenerateDataKeyWithoutPlaintextResponse.self, keyID: request.keyId)
    }

    /// `Encrypt`.
    public func encrypt(_ request: EncryptRequest) async throws -> EncryptResponse {
        try await call(.encrypt, request, as: EncryptResponse.self, keyID: request.keyId)
    }

    /// `Decrypt`.
    public func decrypt(_ request: DecryptRequest) async throws -> DecryptResponse {
        try await call(.decrypt, request, as: DecryptResponse.self, keyID: request.keyId)
    }

    /// `ReEncrypt`.
    public func reEncrypt(_ request: ReEncryptRequest) async throws -> ReEncryptResponse {
        try await call(.reEncrypt, request, as: ReEncryptResponse.self, keyID: request.destinationKeyId)
    }

    /// `DescribeKey`.
    public func describeKey(_ request: DescribeKeyRequest) async throws -> DescribeKeyResponse {
        try await call(.describeKey, request, as: DescribeKeyResponse.self, keyID: request.keyId)
    }

    /// `GetPublicKey`.
    public func getPublicKey(_ request: GetPublicKeyRequest) async throws -> GetPublicKeyResponse {
        try await call(.getPublicKey, request, as: GetPublicKeyResponse.self, keyID: request.keyId)
    }

    /// `CreateGrant`.
    public func createGrant(_ request: CreateGrantRequest) async throws -> CreateGrantResponse {
        try await call(.createGrant, request, as: CreateGrantResponse.self, keyID: request.keyId)
    }

    /// `ListGrants`.
    ///
    /// AWS answers each grant's `KeyId` as a key ARN. Some emulators (moto) answer the bare key ID;
    /// when the request named the key by key ARN and the bare ID is that key's, the ARN is put back.
    public func listGrants(_ request: ListGrantsRequest) async throws -> ListGrantsResponse {
        guard case .keyARN(let arn) = request.keyId else {
            return try await call(.listGrants, request, as: ListGrantsResponse.self, keyID: request.keyId)
        }
        let raw = try await call(.listGrants, request, as: JSONObject.self, keyID: request.keyId)
        var object = raw.value
        if var grants = object["Grants"] as? [[String: Any]] {
            for index in grants.indices where (grants[index]["KeyId"] as? String) == arn.keyID.rawValue {
                grants[index]["KeyId"] = arn.description
            }
            object["Grants"] = grants
        }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONDecoder().decode(ListGrantsResponse.self, from: data)
    }

    /// `RevokeGrant`.
    public func revokeGrant(_ request: RevokeGrantRequest) async throws -> RevokeGrantResponse {
        try await call(.revokeGrant, request, as: RevokeGrantResponse.self, keyID: request.keyId)
    }
}

/// A JSON object decoded without a schema (used to repair emulator answers before typed decoding).
struct JSONObject: Decodable, @unchecked Sendable {
    let value: [String: Any]

    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "decoded by KMSHTTPTransport.call"))
    }

    init(value: [String: Any]) { self.value = value }
}
