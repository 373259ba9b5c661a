import Foundation
import Logging

/// Temporary credentials from `sts:AssumeRoleWithWebIdentity` with an OIDC token file (EKS IRSA,
/// GitHub Actions OIDC): `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` [+ `AWS_ROLE_SESSION_NAME`],
/// or a profile's `web_identity_token_file` + `role_arn`.
///
/// The call is unsigned (the token is the proof). The token file is read again on every call,
/// because the orchestrator rotates it.
public struct WebIdentityCredentialsProvider: AWSCredentialsProvider {
    /// The file holding the OIDC token.
    public let tokenFile: String
    /// The role to assume.
    public let roleArn: String
    /// `RoleSessionName`.
    public let sessionName: String
    /// STS Region (regional endpoint).
    public let region: String
    /// Where STS is.
    public let endpoints: AWSCredentialEndpoints
    /// How the credentials are reported (environment or a profile).
    public let source: AWSCredentialSource
    let client: CredentialsEndpointClient

    /// Creates a provider.
    public init(tokenFile: String, roleArn: String, sessionName: String? = nil, region: String,
                endpoints: AWSCredentialEndpoints, source: AWSCredentialSource = .webIdentity(profile: nil),
                http: AWSHTTPClient = AWSHTTPClient(), timeout: TimeInterval = 10) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName ?? "envelopekit-\(Int(Date().timeIntervalSince1970))"
        self.region = region
        self.endpoints = endpoints
        self.source = source
        self.client = CredentialsEndpointClient(httpClient: http.httpClient, timeout: timeout, attempts: 2)
    }

    /// The web-identity settings of the environment, or `nil` when `AWS_WEB_IDENTITY_TOKEN_FILE` is unset.
    /// Throws `.invalidConfiguration` when the token file is set without `AWS_ROLE_ARN`.
    public static func fromEnvironment(config: AWSSharedConfig, region: String, endpoints: AWSCredentialEndpoints,
                                       http: AWSHTTPClient) throws -> WebIdentityCredentialsProvider? {
        guard let file = config.environmentValue("AWS_WEB_IDENTITY_TOKEN_FILE") else { return nil }
        guard let role = config.environmentValue("AWS_ROLE_ARN") else {
            throw AWSCredentialsError(.invalidConfiguration, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set both",
                                      source: .webIdentity(profile: nil))
        }
        return WebIdentityCredentialsProvider(tokenFile: file, roleArn: role, sessionName: config.environmentValue("AWS_ROLE_SESSION_NAME"),
                                              region: region, endpoints: endpoints, http: http)
    }

    /// Reads the token file and calls AssumeRoleWithWebIdentity.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        let variable = source == .webIdentity(profile: nil) ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "web_identity_token_file"
        let token = try CredentialsParsing.readTokenFile(tokenFile, variable: variable, source: source)
        let body = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
                    ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
            .map { "\(SigV4Encoding.percentEncode($0.0))=\(SigV4Encoding.percentEncode($0.1))" }
            .joined(separator: "&")
        let url = try endpoints.resolve(.sts, region)
        let response = try await client.send(
            .POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(body.utf8), source: source, what: "STS")
        guard (200..<300).contains(response.status) else {
            let error = AWSErrorResponse.decode(status: response.status, headers: response.headers, body: response.body)
            throw AWSCredentialsError(.assumeRoleFailed, "AssumeRoleWithWebIdentity of \(roleArn) failed: \(error)", source: source, cause: error)
        }
        let credentials = try STSAssumeRoleCredentialsProvider.parseAssumeRoleResponse(
            response.body, operation: "AssumeRoleWithWebIdentity", source: source)
        logger.debug("assumed role with web identity", metadata: ["roleArn": "\(roleArn)", "accessKeyId": "\(credentials.accessKeyId)"])
        return credentials
    }
}
