import EnvelopeCrypto
import EnvelopeSigV4
import Foundation

/// Temporary credentials a fake hands out (and the fake KMS / STS accept).
public struct FakeAWSCredentials: Sendable, Equatable {
    public let accessKeyId: String
    public let secret: String
    public let sessionToken: String?
    public let expiration: Date

    /// Distinct credentials per `tag` (e.g. "IMDS", "SSO").
    public init(tag: String, sessionToken: Bool = true, expiration: Date = Date().addingTimeInterval(3600)) {
        accessKeyId = "ASIA" + tag.uppercased().filter(\.isLetter).prefix(8) + "EXAMPLE"
        secret = "secret-of-\(tag)-\(UUID().uuidString.prefix(8))"
        self.sessionToken = sessionToken ? "token-of-\(tag)-\(UUID().uuidString.prefix(8))" : nil
        self.expiration = expiration
    }

    /// `Expiration` as the endpoints write it.
    public var expirationText: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: expiration)
    }

    /// The IMDS / container JSON.
    public var metadataJSON: [String: Any] {
        var json: [String: Any] = ["Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": accessKeyId, "SecretAccessKey": secret,
                                   "Expiration": expirationText]
        if let sessionToken { json["Token"] = sessionToken }
        return json
    }
}

/// Loopback fakes of the AWS endpoints the credential providers and KMS use. Each checks the
/// protocol details the real service requires and answers 4xx when they are missing, so a test
/// that gets credentials through a fake has proven the details.
public enum AWSEndpointFakes {
    /// Checks a SigV4 `Authorization` header for `service`, signed with exactly `signer`'s secret
    /// and session token; returns the AWS error code on failure.
    public static func signatureError(_ request: RecordedRequest, service: String, signer: FakeAWSCredentials) -> String? {
        var query: [(name: String, value: String)] = []
        for item in URLComponents(string: request.uri)?.queryItems ?? [] { query.append((item.name, item.value ?? "")) }
        let toVerify = SigV4Request(method: request.method, path: request.path.removingPercentEncoding ?? request.path, query: query,
                                    headers: request.headers, body: request.body)
        do {
            _ = try SigV4Verifier(service: service).verify(toVerify) { id in
                guard id == signer.accessKeyId, let secret = try? SecureBytes(copying: Array(signer.secret.utf8)) else { return nil }
                return (secret, signer.sessionToken)
            }
            if signer.sessionToken == nil && request.header("X-Amz-Security-Token") != nil { return "UnrecognizedClientException" }
            return nil
        } catch let error as SigV4VerificationError {
            return error.code
        } catch {
            return "InvalidSignatureException"
        }
    }

    static func xmlCredentials(_ operation: String, _ issued: FakeAWSCredentials) -> CannedResponse {
        .xml("""
            <\(operation)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><\(operation)Result><Credentials>\
            <AccessKeyId>\(issued.accessKeyId)</AccessKeyId><SecretAccessKey>\(issued.secret)</SecretAccessKey>\
            <SessionToken>\(issued.sessionToken ?? "")</SessionToken><Expiration>\(issued.expirationText)</Expiration>\
            </Credentials></\(operation)Result></\(operation)Response>
            """)
    }

    static func xmlError(_ code: String, _ message: String, status: Int = 403) -> CannedResponse {
        .xml("<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error></ErrorResponse>", status: status)
    }

    /// IMDSv2: `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds`; every `GET` needs
    /// `X-aws-ec2-metadata-token` with that token (401 otherwise, as with `HttpTokens=required`).
    public static func imds(role: String = "envelope-instance-role", issue: @escaping @Sendable () -> FakeAWSCredentials,
                            region: String = "eu-west-3") throws -> LoopbackHTTPServer {
        let token = "imds-session-\(UUID().uuidString)"
        return try LoopbackHTTPServer { request in
            if request.method == "PUT" && request.path == "/latest/api/token" {
                guard let ttl = request.header("X-aws-ec2-metadata-token-ttl-seconds"), Int(ttl) != nil else { return .text("missing TTL", status: 400) }
                return .text(token)
            }
            guard request.method == "GET", request.header("X-aws-ec2-metadata-token") == token else { return .text("Unauthorized", status: 401) }
            switch request.path {
            case "/latest/meta-data/iam/security-credentials/": return .text(role)
            case "/latest/meta-data/iam/security-credentials/\(role)": return .json(issue().metadataJSON)
            case "/latest/meta-data/placement/region": return .text(region)
            default: return .text("Not Found", status: 404)
            }
        }
    }

    /// The container endpoint: `GET` with `Authorization` equal to `authorization()` (when non-nil).
    public static func container(authorization: @escaping @Sendable () -> String?, issue: @escaping @Sendable () -> FakeAWSCredentials) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            guard request.method == "GET" else { return .json(["code": "InvalidMethod", "message": "GET only"], status: 405) }
            if let expected = authorization(), request.header("Authorization") != expected {
                return .json(["code": "AccessDenied", "message": "bad or missing Authorization"], status: 401)
            }
            return .json(issue().metadataJSON)
        }
    }

    /// STS: `AssumeRoleWithWebIdentity` must be unsigned with a `WebIdentityToken`; `AssumeRole` and
    /// `GetCallerIdentity` must be signed (`sts`) by one of `signers`. Issues `issue()` for both assume calls.
    public static func sts(signers: @escaping @Sendable () -> [FakeAWSCredentials], issue: @escaping @Sendable () -> FakeAWSCredentials,
                           account: String = "111122223333") throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            let form = request.form
            switch form["Action"] {
            case "AssumeRoleWithWebIdentity":
                guard request.header("Authorization") == nil else { return xmlError("InvalidRequest", "AssumeRoleWithWebIdentity is not signed", status: 400) }
                guard let token = form["WebIdentityToken"], !token.isEmpty, form["RoleArn"] != nil else {
                    return xmlError("InvalidIdentityToken", "no WebIdentityToken", status: 400)
                }
                return xmlCredentials("AssumeRoleWithWebIdentity", issue())
            case "AssumeRole", "GetCallerIdentity":
                let candidates = signers()
                let id = request.header("Authorization").flatMap { try? SigV4Authorization(parsing: $0).accessKeyId }
                guard let signer = candidates.first(where: { $0.accessKeyId == id }) else { return xmlError("InvalidClientTokenId", "unknown access key") }
                if let code = signatureError(request, service: "sts", signer: signer) { return xmlError(code, "signature check failed") }
                if form["Action"] == "AssumeRole" { return xmlCredentials("AssumeRole", issue()) }
                return .xml("""
                    <GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::\(account):assumed-role/Fake/\(signer.accessKeyId)</Arn>\
                    <UserId>AROAFAKE:\(signer.accessKeyId)</UserId><Account>\(account)</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
                    """)
            default:
                return xmlError("InvalidAction", "unknown action", status: 400)
            }
        }
    }

    /// The IAM Identity Center portal: `GET /federation/credentials?account_id=&role_name=` with
    /// `x-amz-sso_bearer_token` equal to `accessToken`.
    public static func ssoPortal(accessToken: String, accountId: String, roleName: String,
                                 issue: @escaping @Sendable () -> FakeAWSCredentials) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            guard request.method == "GET", request.path == "/federation/credentials" else { return .json(["message": "not found"], status: 404) }
            guard request.header("x-amz-sso_bearer_token") == accessToken else {
                return CannedResponse.json(["message": "Session token not found or invalid"], status: 401)
            }
            guard request.query["account_id"] == accountId, request.query["role_name"] == roleName else {
                return .json(["message": "No access"], status: 403)
            }
            let issued = issue()
            return .json(["roleCredentials": ["accessKeyId": issued.accessKeyId, "secretAccessKey": issued.secret,
                                              "sessionToken": issued.sessionToken ?? "",
                                              "expiration": Int64(issued.expiration.timeIntervalSince1970 * 1000)]])
        }
    }
}

extension AWSEndpointFakes {
    /// A KMS stand-in for end-to-end tests: every request must carry a SigV4 signature (`kms`) made
    /// with exactly `signer`'s secret and session token (else `InvalidSignatureException` /
    /// `UnrecognizedClientException`). GenerateDataKey, Encrypt and Decrypt work for `keyARN`; the
    /// "ciphertext" is the data key behind a marker (a test double, not encryption).
    public static func kms(keyARN: String, signer: @escaping @Sendable () -> FakeAWSCredentials) throws -> LoopbackHTTPServer {
        let marker = Array("fake-kms-wrapped:".utf8)
        return try LoopbackHTTPServer { request in
            func error(_ code: String, _ status: Int = 400) -> CannedResponse {
                .json(["__type": code, "message": "fake KMS refused the request: \(code)"], status: status, contentType: "application/x-amz-json-1.1")
            }
            if let code = signatureError(request, service: "kms", signer: signer()) { return error(code) }
            guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else { return error("SerializationException") }
            func ok(_ object: [String: Any]) -> CannedResponse { .json(object, contentType: "application/x-amz-json-1.1") }
            switch request.header("X-Amz-Target") {
            case "TrentService.GenerateDataKey":
                var key = [UInt8](repeating: 0, count: (body["NumberOfBytes"] as? Int) ?? 32)
                for index in key.indices { key[index] = UInt8.random(in: 0...255) }
                return ok(["KeyId": keyARN, "Plaintext": Data(key).base64EncodedString(), "CiphertextBlob": Data(marker + key).base64EncodedString()])
            case "TrentService.Encrypt":
                guard let plain = (body["Plaintext"] as? String).flatMap({ Data(base64Encoded: $0) }) else { return error("ValidationException") }
                return ok(["KeyId": keyARN, "CiphertextBlob": Data(marker + Array(plain)).base64EncodedString()])
            case "TrentService.Decrypt":
                guard let blob = (body["CiphertextBlob"] as? String).flatMap({ Data(base64Encoded: $0) }).map(Array.init),
                      blob.starts(with: marker) else { return error("InvalidCiphertextException") }
                return ok(["KeyId": keyARN, "Plaintext": Data(blob.dropFirst(marker.count)).base64EncodedString()])
            default:
                return error("UnknownOperationException")
            }
        }
    }
}
