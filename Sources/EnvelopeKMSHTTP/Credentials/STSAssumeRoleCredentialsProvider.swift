import Foundation
import Logging

/// Temporary credentials from STS `AssumeRole` (query protocol: form-encoded POST, XML answer),
/// sent through the same `AWSHTTPClient` as KMS calls and signed with the source credentials.
///
/// Each call assumes the role again; wrap it in `RefreshingCredentialsProvider` to reuse the
/// credentials until shortly before they expire (the KMS transport does this).
public struct STSAssumeRoleCredentialsProvider: AWSCredentialsProvider {
    /// The role to assume.
    public let roleArn: String
    /// `RoleSessionName` (2–64 characters of `[\w+=,.@-]`).
    public let sessionName: String
    /// Optional `ExternalId`.
    public let externalId: String?
    /// Requested lifetime in seconds (900–43200).
    public let durationSeconds: Int
    /// Credentials that sign the AssumeRole call.
    public let source: any AWSCredentialsProvider
    /// STS region (signing region and regional endpoint).
    public let region: String
    /// Custom STS endpoint URL (e.g. a moto server), else `https://sts.{region}.{dnsSuffix}`.
    public let endpoint: String?
    /// The source the assumed-role credentials are reported as.
    public var reportedSource: AWSCredentialSource = .assumeRole(profile: "")
    let http: AWSHTTPClient

    /// Creates a provider.
    public init(
        roleArn: String,
        sessionName: String,
        externalId: String? = nil,
        durationSeconds: Int = 3600,
        source: any AWSCredentialsProvider,
        region: String,
        endpoint: String? = nil,
        http: AWSHTTPClient
    ) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
        self.source = source
        self.region = region
        self.endpoint = endpoint
        self.http = http
    }

    /// The STS endpoint URL used.
    public var endpointURL: URL {
        get throws {
            if let endpoint, !endpoint.isEmpty {
                guard let url = URL(string: endpoint), url.host != nil else {
                    throw AWSCredentialsError(.invalidConfiguration, "STS endpoint '\(endpoint)' is not a URL with a host")
                }
                return url
            }
            let partition = AWSEndpointPartition.of(region: region)
            guard let url = URL(string: "https://sts.\(region).\(partition.dnsSuffix)") else {
                throw AWSCredentialsError(.invalidConfiguration, "region '\(region)' does not form an STS host name")
            }
            return url
        }
    }

    /// Calls AssumeRole and returns the temporary credentials with their expiry.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        var parameters: [(String, String)] = [
            ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
            ("RoleSessionName", sessionName), ("DurationSeconds", String(durationSeconds)),
        ]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        let body = parameters
            .map { "\(SigV4Encoding.percentEncode($0.0))=\(SigV4Encoding.percentEncode($0.1))" }
            .joined(separator: "&")
        let response: AWSHTTPResponse
        do {
            response = try await http.send(
                operation: "STS.AssumeRole",
                url: try endpointURL,
                headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: Array(body.utf8),
                signer: SigV4Signer(region: region, service: "sts"),
                credentials: source,
                logger: logger)
        } catch let error as AWSCallError {
            if case .credentials(let sourceError) = error.failure { throw sourceError }
            throw AWSCredentialsError(.assumeRoleFailed, "AssumeRole of \(roleArn) failed: \(error.description)",
                                      source: reportedSource, cause: error)
        }
        let credentials = try Self.parseAssumeRoleResponse(response.body, operation: "AssumeRole", source: reportedSource)
        logger.debug("assumed role", metadata: ["roleArn": "\(roleArn)", "accessKeyId": "\(credentials.accessKeyId)"])
        return credentials
    }

    /// Parses `<…Response>…<Credentials><AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/>`
    /// (AssumeRole and AssumeRoleWithWebIdentity answer alike).
    static func parseAssumeRoleResponse(_ body: [UInt8], operation: String = "AssumeRole",
                                        source: AWSCredentialSource = .assumeRole(profile: "")) throws -> AWSCredentials {
        let text = String(decoding: body, as: UTF8.self)
        guard let block = AWSErrorResponse.xmlElement("Credentials", in: text) else {
            throw AWSCredentialsError(.assumeRoleFailed, "the \(operation) answer has no <Credentials> element", source: source)
        }
        guard let id = AWSErrorResponse.xmlElement("AccessKeyId", in: block),
              let secret = AWSErrorResponse.xmlElement("SecretAccessKey", in: block),
              let token = AWSErrorResponse.xmlElement("SessionToken", in: block) else {
            throw AWSCredentialsError(.assumeRoleFailed, "the \(operation) answer lacks AccessKeyId, SecretAccessKey or SessionToken", source: source)
        }
        let expiration = AWSErrorResponse.xmlElement("Expiration", in: block).flatMap(parseISO8601)
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: expiration).from(source)
    }

    /// `2011-07-15T23:28:33.359Z` or without fractional seconds.
    static func parseISO8601(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }
}
