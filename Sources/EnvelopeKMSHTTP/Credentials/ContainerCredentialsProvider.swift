import Foundation
import Logging

/// Credentials from the ECS / EKS Pod Identity container endpoint
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html):
/// `GET http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, or
/// `GET $AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `Authorization` from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read again on every call) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
///
/// A full URI over plain `http` must name a loopback address, the ECS host 169.254.170.2 or the
/// EKS Pod Identity hosts 169.254.170.23 / fd00:ec2::23; any other host is refused with the reason.
public struct ContainerCredentialsProvider: AWSCredentialsProvider {
    /// The ECS task-role host that relative URIs are resolved against.
    public static let ecsHost = "169.254.170.2"
    /// Hosts allowed for a plain-http full URI besides loopback addresses.
    public static let allowedLinkLocalHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    let environment: [String: String]
    let client: CredentialsEndpointClient

    /// Reads the `AWS_CONTAINER_*` variables of `environment` when asked for credentials.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, http: AWSHTTPClient = AWSHTTPClient(),
                timeout: TimeInterval = 2, attempts: Int = 2) {
        self.environment = environment
        self.client = CredentialsEndpointClient(httpClient: http.httpClient, timeout: timeout, attempts: attempts)
    }

    func value(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether either URI variable is set.
    public var isConfigured: Bool {
        value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != nil || value("AWS_CONTAINER_CREDENTIALS_FULL_URI") != nil
    }

    /// The URL to ask, checked against the allowed hosts.
    public func endpoint() throws -> URL {
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            guard let url = URL(string: "http://\(Self.ecsHost)\(path)") else {
                throw AWSCredentialsError(.invalidConfiguration, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '\(relative)' is not a URL path", source: .container)
            }
            return url
        }
        guard let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
            throw AWSCredentialsError(.notConfigured, "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set", source: .container)
        }
        guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty else {
            throw AWSCredentialsError(.invalidConfiguration, "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' is not an http(s) URL with a host", source: .container)
        }
        if scheme == "https" { return url }
        guard scheme == "http" else {
            throw AWSCredentialsError(.invalidConfiguration, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be http or https, not \(scheme)", source: .container)
        }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        guard Self.isAllowedHost(host) else {
            throw AWSCredentialsError(
                .hostNotAllowed,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI host '\(host)' is not allowed: over http the host must be a loopback address, 169.254.170.2 (ECS) or 169.254.170.23 / fd00:ec2::23 (EKS Pod Identity); use one of those or https",
                source: .container)
        }
        return url
    }

    /// Loopback (127.0.0.0/8, ::1, localhost) or an ECS/EKS link-local host. Names other than
    /// `localhost` are not resolved: they are refused.
    public static func isAllowedHost(_ host: String) -> Bool {
        if allowedLinkLocalHosts.contains(host) || host == "::1" || host == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }

    /// `GET` the endpoint with the authorization token; parse `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        let url = try endpoint()
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let file = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            headers.append(("Authorization", try CredentialsParsing.readTokenFile(file, variable: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", source: .container)))
        } else if let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            headers.append(("Authorization", token))
        }
        let response = try await client.send(.GET, url, headers: headers, source: .container, what: "the container credentials endpoint")
        guard (200..<300).contains(response.status), let json = CredentialsParsing.jsonObject(response.body) else {
            let detail = CredentialsParsing.jsonObject(response.body).flatMap { ($0["message"] ?? $0["Message"]) as? String } ?? "no credentials in the answer"
            throw AWSCredentialsError(.endpointFailed, "the container credentials endpoint \(CredentialsEndpointClient.redacted(url)) answered HTTP \(response.status): \(detail)", source: .container)
        }
        let credentials = try CredentialsParsing.metadataCredentials(json, source: .container, what: "the container credentials endpoint")
        logger.debug("credentials from the container endpoint", metadata: ["accessKeyId": "\(credentials.accessKeyId)"])
        return credentials
    }
}
