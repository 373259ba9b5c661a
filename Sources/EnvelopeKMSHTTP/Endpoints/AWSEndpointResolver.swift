import Foundation

/// Where requests to one AWS service go and how they are signed, and which setting chose the URL.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Base URL (requests go to its path, `/` by default).
    public let url: URL
    /// The region in the SigV4 credential scope.
    public let signingRegion: String
    /// The setting that configured the URL, or nil for the Region's standard endpoint.
    public let source: AWSEndpointSettings.Source?

    /// Creates an endpoint.
    public init(url: URL, signingRegion: String, source: AWSEndpointSettings.Source? = nil) {
        self.url = url
        self.signingRegion = signingRegion
        self.source = source
    }

    /// The URL, signing region and source.
    public var description: String {
        "\(url.absoluteString) (signing region \(signingRegion)\(source.map { ", from \($0)" } ?? ""))"
    }

    /// As a ``KMSEndpoint``.
    public var kmsEndpoint: KMSEndpoint { KMSEndpoint(url: url, signingRegion: signingRegion) }
}

/// Resolves a service's endpoint as the AWS SDKs do: service ID + Region + settings → URL.
///
/// An explicit URL wins; else a configured one (``AWSEndpointSettings``: `AWS_ENDPOINT_URL_<SERVICE>`,
/// `AWS_ENDPOINT_URL`, `[services]`, profile `endpoint_url`, unless ignored); else the Region's
/// endpoint in its partition, FIPS and dual-stack as configured, by the rules of the KMS endpoint
/// rule set (`https://{prefix}[-fips].{region}.{dnsSuffix | dualStackDnsSuffix}`). As in the rule
/// set, FIPS or dual-stack together with a custom URL is a configuration error.
///
/// Used for KMS, and by the credential providers for STS and the SSO portal (so tests point those
/// at local fakes with `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_SSO` or a `[services]` section).
public struct AWSEndpointResolver: Sendable, Equatable {
    /// The settings applied.
    public let settings: AWSEndpointSettings

    /// A resolver over `settings`.
    public init(settings: AWSEndpointSettings) {
        self.settings = settings
    }

    /// A resolver over the settings of `config` (environment and selected profile).
    public init(config: AWSSharedConfig) throws(AWSConfigurationError) {
        settings = try AWSEndpointSettings(config)
    }

    /// The endpoint of `service` in `region`. `explicitURL` (e.g. `--kms-endpoint`) wins over any
    /// configured URL; `useFIPS` / `useDualStack` override the settings' switches when given.
    public func endpoint(
        for service: AWSServiceID,
        region: String?,
        explicitURL: String? = nil,
        useFIPS: Bool? = nil,
        useDualStack: Bool? = nil
    ) throws(KMSEndpointError) -> AWSEndpoint {
        let chosen: (url: String, source: AWSEndpointSettings.Source)? =
            explicitURL.flatMap { $0.isEmpty ? nil : ($0, .explicit) } ?? settings.configuredURL(for: service)
        let fips = useFIPS ?? settings.useFIPS
        let dualStack = useDualStack ?? settings.useDualStack
        let url: URL
        do {
            url = try KMSEndpointResolver.resolve(
                hostPrefix: service.hostPrefix, region: region, useFIPS: fips, useDualStack: dualStack, endpoint: chosen?.url)
        } catch {
            guard let chosen else { throw error }
            throw KMSEndpointError(message: "\(error.message) (the \(service) endpoint \(chosen.url) comes from \(chosen.source))")
        }
        let signingRegion = region.map { KMSEndpointResolver.stripLegacyFIPS($0).region } ?? ""
        return AWSEndpoint(url: url, signingRegion: signingRegion.isEmpty ? "us-east-1" : signingRegion, source: chosen?.source)
    }
}
