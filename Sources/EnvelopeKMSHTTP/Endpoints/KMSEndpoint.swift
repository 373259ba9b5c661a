import Foundation

/// Where KMS requests go and how they are signed.
public struct KMSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Base URL, e.g. `https://kms.us-east-1.amazonaws.com` (requests are `POST` to its path, `/` by default).
    public let url: URL
    /// The region that goes into the SigV4 credential scope.
    public let signingRegion: String

    /// Creates an endpoint.
    public init(url: URL, signingRegion: String) {
        self.url = url
        self.signingRegion = signingRegion
    }

    /// The URL and signing region.
    public var description: String { "\(url.absoluteString) (signing region \(signingRegion))" }
}

/// Why no KMS endpoint could be resolved.
public struct KMSEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message of the endpoint rule set, e.g. `Invalid Configuration: Missing Region`, plus advice.
    public let message: String

    /// The message.
    public var description: String { message }
}

/// KMS endpoint resolution, following botocore's `kms/2014-11-01/endpoint-rule-set-1.json`.
public enum KMSEndpointResolver {
    /// Resolves the endpoint URL for the given parameters exactly as the rule set does.
    ///
    /// - custom `endpoint` wins (and cannot be combined with FIPS or dual-stack);
    /// - otherwise a region is required; `<region>-fips` / `fips-<region>` legacy pseudo-regions select FIPS;
    /// - `https://kms[-fips].{region}.{dnsSuffix | dualStackDnsSuffix}` of the region's partition.
    public static func resolve(
        region: String?,
        useFIPS: Bool = false,
        useDualStack: Bool = false,
        endpoint: String? = nil
    ) throws(KMSEndpointError) -> URL {
        try resolve(hostPrefix: "kms", region: region, useFIPS: useFIPS, useDualStack: useDualStack, endpoint: endpoint)
    }

    /// The same rules for any service whose regional host is `{hostPrefix}[-fips].{region}.{dnsSuffix}`
    /// (KMS, STS's regional endpoints, the SSO portal).
    static func resolve(
        hostPrefix: String,
        region: String?,
        useFIPS: Bool,
        useDualStack: Bool,
        endpoint: String?
    ) throws(KMSEndpointError) -> URL {
        if let endpoint, !endpoint.isEmpty {
            if useFIPS { throw KMSEndpointError(message: "Invalid Configuration: FIPS and custom endpoint are not supported") }
            if useDualStack { throw KMSEndpointError(message: "Invalid Configuration: Dualstack and custom endpoint are not supported") }
            guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil else {
                throw KMSEndpointError(message: "Invalid Configuration: custom endpoint '\(endpoint)' is not an http(s) URL with a host; pass e.g. https://kms.example.com or http://127.0.0.1:4566")
            }
            return url
        }
        guard let region, !region.isEmpty else {
            throw KMSEndpointError(message: "Invalid Configuration: Missing Region (set AWS_REGION, a profile region, or use a key ARN, which names its region)")
        }
        let (realRegion, legacyFIPS) = stripLegacyFIPS(region)
        guard isValidHostLabel(realRegion) else {
            throw KMSEndpointError(message: "Invalid Configuration: region '\(region)' is not a valid host label")
        }
        let partition = AWSEndpointPartition.of(region: realRegion)
        let fips = useFIPS || legacyFIPS
        let host = hostPrefix + (fips ? "-fips." : ".") + realRegion + "." + (useDualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix)
        return URL(string: "https://" + host)!
    }

    /// Resolves URL and signing region; the signing region of a custom endpoint is `region` (or `us-east-1`).
    public static func endpoint(
        region: String?,
        useFIPS: Bool = false,
        useDualStack: Bool = false,
        customEndpoint: String? = nil
    ) throws(KMSEndpointError) -> KMSEndpoint {
        let url = try resolve(region: region, useFIPS: useFIPS, useDualStack: useDualStack, endpoint: customEndpoint)
        let signingRegion = region.map { stripLegacyFIPS($0).region } ?? "us-east-1"
        return KMSEndpoint(url: url, signingRegion: signingRegion.isEmpty ? "us-east-1" : signingRegion)
    }

    /// `us-east-1-fips` and `fips-us-east-1` name the FIPS endpoint of `us-east-1` (botocore endpoints.json, deprecated).
    static func stripLegacyFIPS(_ region: String) -> (region: String, fips: Bool) {
        if region.hasSuffix("-fips") { return (String(region.dropLast(5)), true) }
        if region.hasPrefix("fips-") { return (String(region.dropFirst(5)), true) }
        return (region, false)
    }

    /// RFC 1123 host label (the rule set's `isValidHostLabel(Region, false)`).
    static func isValidHostLabel(_ label: String) -> Bool {
        label.range(of: #"^[A-Za-z0-9][A-Za-z0-9\-]{0,62}$"#, options: .regularExpression) != nil
    }
}
