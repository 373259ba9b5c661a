import EnvelopeKMS
import Foundation

/// How a service client is configured the way the AWS CLI is (shared by the KMS and DynamoDB
/// transports): Region, endpoint (explicit, configured or the Region's), retry mode and the
/// standard credentials chain, from the environment and the shared config files.
struct AWSStandardSetup {
    let endpoint: AWSEndpoint
    let region: AWSRegion
    let http: AWSHTTPClient
    let credentials: any AWSCredentialsProvider

    /// `region` if given, else the configured Region (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's).
    static func resolve(
        service: AWSServiceID, region: String?, profile: String?, customEndpoint: String?, useFIPS: Bool?,
        credentials: (any AWSCredentialsProvider)?, environment: [String: String], http: AWSHTTPClient?
    ) throws -> AWSStandardSetup {
        let config = AWSSharedConfig(profile: profile, environment: environment)
        let resolver = try AWSEndpointResolver(config: config)
        let endpoint = try resolver.endpoint(for: service, region: region ?? config.region, explicitURL: customEndpoint, useFIPS: useFIPS)
        let awsRegion = try AWSRegion(validating: endpoint.signingRegion)
        let client = try http ?? AWSHTTPClient(retryPolicy: RetryPolicy.configured(config))
        let provider = credentials ?? AWSCredentialsProviderChain.standard(profile: profile, environment: environment, http: client)
        return AWSStandardSetup(endpoint: endpoint, region: awsRegion, http: client, credentials: provider)
    }

    /// `credentials` wrapped in a `RefreshingCredentialsProvider` (reporting to `http`'s observability) unless it already is one.
    static func refreshing(_ credentials: any AWSCredentialsProvider, http: AWSHTTPClient) -> any AWSCredentialsProvider {
        credentials is RefreshingCredentialsProvider ? credentials : RefreshingCredentialsProvider(credentials, observability: http.observability)
    }
}
