import Foundation
import Logging

/// The EC2 instance metadata service, IMDSv2 only
/// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html,
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html):
/// `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds`, then every `GET` with
/// `X-aws-ec2-metadata-token`. A request without a token (IMDSv1) is never sent, not even as a fallback.
///
/// Settings: `AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (`IPv4`/`IPv6`), `AWS_METADATA_SERVICE_TIMEOUT` (seconds,
/// default 1) and `AWS_METADATA_SERVICE_NUM_ATTEMPTS` (default 1), or the profile's
/// `ec2_metadata_service_endpoint` / `ec2_metadata_service_endpoint_mode` / `metadata_service_timeout` /
/// `metadata_service_num_attempts`.
public struct InstanceMetadataClient: Sendable {
    /// The base URL (default `http://169.254.169.254`).
    public let endpoint: URL
    /// Whether `AWS_EC2_METADATA_DISABLED=true`.
    public let isDisabled: Bool
    /// Session-token lifetime requested (seconds).
    public let tokenTTL: Int
    let client: CredentialsEndpointClient

    /// Settings from the environment and the selected profile.
    public init(config: AWSSharedConfig, http: AWSHTTPClient = AWSHTTPClient()) {
        isDisabled = config.environmentValue("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true"
        let mode = (config.environmentValue("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") ?? config.value("ec2_metadata_service_endpoint_mode"))?.lowercased()
        let text = config.environmentValue("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? config.value("ec2_metadata_service_endpoint")
            ?? (mode == "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254")
        endpoint = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text) ?? URL(string: "http://169.254.169.254")!
        let timeout = (config.environmentValue("AWS_METADATA_SERVICE_TIMEOUT") ?? config.value("metadata_service_timeout")).flatMap(Double.init) ?? 1
        let attempts = (config.environmentValue("AWS_METADATA_SERVICE_NUM_ATTEMPTS") ?? config.value("metadata_service_num_attempts")).flatMap(Int.init) ?? 1
        tokenTTL = 21_600
        client = CredentialsEndpointClient(httpClient: http.httpClient, timeout: max(0.1, timeout), attempts: attempts)
    }

    /// A fresh IMDSv2 session token.
    func token(source: AWSCredentialSource) async throws -> String {
        let url = endpoint.appendingPathComponent("latest/api/token")
        let response = try await client.send(.PUT, url, headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(tokenTTL))],
                                             source: source, what: "the EC2 instance metadata service")
        guard response.status == 200, let token = String(bytes: response.body, encoding: .utf8), !token.isEmpty else {
            throw AWSCredentialsError(
                .endpointFailed,
                "the EC2 instance metadata service refused a session token (HTTP \(response.status)); IMDSv1 (tokenless) requests are never made, so enable IMDSv2 or raise the PUT response hop limit",
                source: source)
        }
        return token
    }

    /// `GET /latest/<path>` with a session token.
    public func get(_ path: String, token: String, source: AWSCredentialSource) async throws -> [UInt8] {
        let url = endpoint.appendingPathComponent("latest/" + path)
        let response = try await client.send(.GET, url, headers: [("X-aws-ec2-metadata-token", token)],
                                             source: source, what: "the EC2 instance metadata service")
        guard response.status == 200 else {
            throw AWSCredentialsError(.endpointFailed, "the EC2 instance metadata service answered HTTP \(response.status) for /latest/\(path)", source: source)
        }
        return response.body
    }

    /// The instance's Region (`/latest/meta-data/placement/region`).
    public func region() async throws -> String {
        guard !isDisabled else {
            throw AWSCredentialsError(.notConfigured, "disabled by AWS_EC2_METADATA_DISABLED", source: .instanceMetadata)
        }
        let token = try await token(source: .instanceMetadata)
        let body = try await get("meta-data/placement/region", token: token, source: .instanceMetadata)
        return String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The instance profile role's credentials from IMDSv2: token, role name, then the role's credentials.
/// Wrap in `RefreshingCredentialsProvider` (the transport does) to refresh before `Expiration`.
public struct InstanceMetadataCredentialsProvider: AWSCredentialsProvider {
    /// The metadata client.
    public let client: InstanceMetadataClient

    /// Creates a provider.
    public init(client: InstanceMetadataClient) {
        self.client = client
    }

    /// The role's credentials; `.notConfigured` when disabled, `.endpointUnreachable` off EC2.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        guard !client.isDisabled else {
            throw AWSCredentialsError(.notConfigured, "disabled by AWS_EC2_METADATA_DISABLED", source: .instanceMetadata)
        }
        let token = try await client.token(source: .instanceMetadata)
        let names = try await client.get("meta-data/iam/security-credentials/", token: token, source: .instanceMetadata)
        guard let role = String(decoding: names, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw AWSCredentialsError(.endpointFailed, "the instance has no IAM role (instance profile); attach one", source: .instanceMetadata)
        }
        let body = try await client.get("meta-data/iam/security-credentials/\(role)", token: token, source: .instanceMetadata)
        guard let json = CredentialsParsing.jsonObject(body) else {
            throw AWSCredentialsError(.endpointFailed, "the instance metadata credentials of role \(role) are not JSON", source: .instanceMetadata)
        }
        if let code = json["Code"] as? String, code != "Success" {
            throw AWSCredentialsError(.endpointFailed, "the instance metadata service reports \(code) for role \(role)", source: .instanceMetadata)
        }
        let credentials = try CredentialsParsing.metadataCredentials(json, source: .instanceMetadata, what: "the instance metadata service")
        logger.debug("credentials from instance metadata", metadata: ["role": "\(role)", "accessKeyId": "\(credentials.accessKeyId)"])
        return credentials
    }
}
