import Foundation

/// Where the credential providers send their AWS calls: STS (`AssumeRole`,
/// `AssumeRoleWithWebIdentity`, `GetCallerIdentity`) and the IAM Identity Center portal
/// (`GetRoleCredentials`).
///
/// The default honours `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_SSO`, then `AWS_ENDPOINT_URL`,
/// then the Region's endpoint in its partition. Replace `resolve` to plug in another resolver
/// (the endpoint-resolution layer does this; tests point it at local fakes).
public struct AWSCredentialEndpoints: Sendable {
    /// The services the providers call.
    public enum Service: String, Sendable {
        /// AWS STS (`sts.{region}.{dnsSuffix}`).
        case sts
        /// The IAM Identity Center portal (`portal.sso.{region}.{dnsSuffix}`; SDK service ID `SSO`).
        case ssoPortal = "sso"
    }

    /// Returns the base URL of `service` in `region`.
    public var resolve: @Sendable (_ service: Service, _ region: String) throws -> URL

    /// A resolver.
    public init(resolve: @escaping @Sendable (_ service: Service, _ region: String) throws -> URL) {
        self.resolve = resolve
    }

    /// The environment's custom endpoints, else the partition's.
    public static func standard(config: AWSSharedConfig) -> AWSCredentialEndpoints {
        AWSCredentialEndpoints { service, region in
            if let custom = config.endpointURL(service: service.rawValue) {
                guard let url = URL(string: custom), url.host != nil else {
                    throw AWSCredentialsError(.invalidConfiguration, "the \(service.rawValue) endpoint '\(custom)' is not a URL with a host")
                }
                return url
            }
            let partition = AWSEndpointPartition.of(region: region)
            let host = service == .sts ? "sts.\(region).\(partition.dnsSuffix)" : "portal.sso.\(region).\(partition.dnsSuffix)"
            guard let url = URL(string: "https://\(host)") else {
                throw AWSCredentialsError(.invalidConfiguration, "region '\(region)' does not form a \(service.rawValue) host name")
            }
            return url
        }
    }
}
