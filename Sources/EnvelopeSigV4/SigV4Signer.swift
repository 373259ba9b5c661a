import EnvelopeCrypto
import Foundation

/// The outcome of signing: every intermediate SigV4 value, for tests and debugging.
public struct SigV4Signature: Sendable {
    /// The canonical request (task 1 of SigV4).
    public let canonicalRequest: String
    /// The string to sign (task 2).
    public let stringToSign: String
    /// The signature, lower-case hex (task 3).
    public let signature: String
    /// Lower-case names of the signed headers, sorted.
    public let signedHeaders: [String]
    /// The `Authorization` header value that was set on the request.
    public let authorization: String
}

/// AWS Signature Version 4 (header form) for one region and service.
///
/// Signs every header present on the request except `Authorization`, `User-Agent`, `Expect` and
/// `X-Amzn-Trace-Id` (which proxies may change). Sets `X-Amz-Date`, and `X-Amz-Security-Token`
/// when the credentials carry a session token.
public struct SigV4Signer: Sendable {
    /// The signing region, e.g. `us-east-1`.
    public var region: String
    /// The signing service name, e.g. `kms` or `sts`.
    public var service: String
    /// Whether `.`/`..` segments and repeated slashes are removed from the path before signing (all services but S3).
    public var normalizesPath: Bool
    /// Whether an `X-Amz-Content-SHA256` header carrying the payload hash is added and signed.
    public var addsPayloadHashHeader: Bool
    /// Whether the session token header is part of the signature (`true` for KMS and STS); when
    /// `false` it is added after signing.
    public var signsSessionToken: Bool

    /// Header names (lower case) never signed.
    public static let unsignedHeaderNames: Set<String> = ["authorization", "user-agent", "expect", "x-amzn-trace-id"]

    /// Creates a signer.
    public init(
        region: String,
        service: String,
        normalizesPath: Bool = true,
        addsPayloadHashHeader: Bool = false,
        signsSessionToken: Bool = true
    ) {
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
        self.addsPayloadHashHeader = addsPayloadHashHeader
        self.signsSessionToken = signsSessionToken
    }

    /// Signs `request` in place (adds `X-Amz-Date`, the token header and `Authorization`).
    public func sign(_ request: inout SigV4Request, credentials: AWSCredentials, date: Date) throws -> SigV4Signature {
        let when = SigV4Date(date)
        request.removeHeader("Authorization")
        request.setHeader("X-Amz-Date", when.timestamp)
        request.removeHeader("X-Amz-Security-Token")
        if let token = credentials.sessionToken, signsSessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        }
        let payloadHash = SigV4Encoding.hex(try HashFunction.sha256.digest(request.body))
        if addsPayloadHashHeader {
            request.setHeader("X-Amz-Content-SHA256", payloadHash)
        }
        let signedNames = Set(request.headers.map { $0.name.lowercased() })
            .subtracting(Self.unsignedHeaderNames)
        let result = try compute(
            request: request, signedHeaderNames: signedNames, payloadHash: payloadHash,
            accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey, date: when)
        request.setHeader("Authorization", result.authorization)
        if let token = credentials.sessionToken, !signsSessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        }
        return result
    }

    /// Computes the signature of `request` over exactly `signedHeaderNames` (lower case).
    func compute(
        request: SigV4Request,
        signedHeaderNames: Set<String>,
        payloadHash: String,
        accessKeyId: String,
        secret: SecureBytes,
        date: SigV4Date
    ) throws -> SigV4Signature {
        let signedHeaders = signedHeaderNames.sorted()
        let canonical = canonicalRequest(request, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let scope = "\(date.day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            date.timestamp,
            scope,
            SigV4Encoding.hex(try HashFunction.sha256.digest(Array(canonical.utf8))),
        ].joined(separator: "\n")
        let key = try signingKey(secret: secret, day: date.day)
        let signature = SigV4Encoding.hex(try HashFunction.sha256.hmac(key: key, data: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        return SigV4Signature(
            canonicalRequest: canonical, stringToSign: stringToSign, signature: signature,
            signedHeaders: signedHeaders, authorization: authorization)
    }

    /// The canonical request: method, URI, query, headers, signed header list, payload hash.
    func canonicalRequest(_ request: SigV4Request, signedHeaders: [String], payloadHash: String) -> String {
        let path = normalizesPath ? SigV4Encoding.normalizePath(request.path) : request.path
        let canonicalURI = SigV4Encoding.percentEncode(path.isEmpty ? "/" : path, keepSlash: true)
        var encodedQuery: [(name: String, value: String)] = []
        for item in request.query {
            encodedQuery.append((SigV4Encoding.percentEncode(item.name), SigV4Encoding.percentEncode(item.value)))
        }
        encodedQuery.sort { (left: (name: String, value: String), right: (name: String, value: String)) -> Bool in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        let canonicalQuery = encodedQuery.map { $0.name + "=" + $0.value }.joined(separator: "&")
        var grouped: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            guard signedHeaders.contains(name) else { continue }
            grouped[name, default: []].append(Self.canonicalHeaderValue(header.value))
        }
        var lines = [request.method.uppercased(), canonicalURI, canonicalQuery]
        for name in signedHeaders {
            lines.append("\(name):\((grouped[name] ?? []).joined(separator: ","))")
        }
        lines.append("")
        lines.append(signedHeaders.joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    /// Trims a header value and collapses runs of whitespace (including folded lines) into one space.
    static func canonicalHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// HMAC chain `AWS4`+secret → day → region → service → `aws4_request`.
    func signingKey(secret: SecureBytes, day: String) throws -> [UInt8] {
        let prefix = Array("AWS4".utf8)
        let initial = try SecureBytes(count: prefix.count + secret.count) { buffer in
            buffer.copyBytes(from: prefix)
            secret.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: buffer[prefix.count...]).copyMemory(from: source)
            }
        }
        var key = try initial.withUnsafeBytes { keyBytes in
            try Array(day.utf8).withUnsafeBytes { try HashFunction.sha256.hmac(key: keyBytes, data: $0) }
        }
        for component in [region, service, "aws4_request"] {
            let next = try HashFunction.sha256.hmac(key: key, data: Array(component.utf8))
            key.withUnsafeMutableBytes { ConstantTime.zero($0) }
            key = next
        }
        return key
    }
}
