import Foundation

/// Where the credential providers send their AWS calls: STS (`AssumeRole`,
/// `AssumeRoleWithWebIdentity`, `GetCallerIdentity`) and the IAM Identity Center portal
/// (`GetRoleCredentials`).
///
/// The default resolves them as KMS's endpoint is resolved (``standard(config:)``); replace
/// `resolve` to plug in another resolver. Tests point these services at local fakes through
/// `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_SSO`.
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

    /// The configured endpoints (`AWS_ENDPOINT_URL_STS` / `_SSO`, `AWS_ENDPOINT_URL`, the config file's
    /// `[services]` section and `endpoint_url`, unless ignored), else the Region's endpoint in its
    /// partition, dual-stack or FIPS as configured: the same resolution as KMS (``AWSEndpointResolver``).
    public static func standard(config: AWSSharedConfig) -> AWSCredentialEndpoints {
        AWSCredentialEndpoints { service, region in
            do {
                return try AWSEndpointResolver(config: config)
                    .endpoint(for: service == .sts ? .sts : .sso, region: region).url
            } catch let error as AWSConfigurationError {
                throw AWSCredentialsError(.invalidConfiguration, error.description)
            } catch let error as KMSEndpointError {
                throw AWSCredentialsError(.invalidConfiguration, "the \(service.rawValue) endpoint: \(error.message)")
            }
        }
    }
}
