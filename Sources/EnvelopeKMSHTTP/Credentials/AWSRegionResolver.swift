import Foundation
import Logging

/// The default Region, resolved as the AWS SDKs do
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html): `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, then the profile's `region`, then (on EC2) the instance metadata service.
/// A key ARN's own Region always wins for that key; this is the Region for everything else.
public enum AWSRegionResolver {
    /// Where a Region came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// Given in code or on the command line.
        case explicit
        /// `AWS_REGION`.
        case awsRegion
        /// `AWS_DEFAULT_REGION`.
        case awsDefaultRegion
        /// The profile's `region`.
        case profile(String)
        /// The instance metadata service (`placement/region`).
        case instanceMetadata

        /// A short name.
        public var description: String {
            switch self {
            case .explicit: "given explicitly"
            case .awsRegion: "AWS_REGION"
            case .awsDefaultRegion: "AWS_DEFAULT_REGION"
            case .profile(let name): "profile '\(name)'"
            case .instanceMetadata: "EC2 instance metadata"
            }
        }
    }

    /// The Region from the environment and the shared files only (no network), or `nil`.
    public static func configured(_ config: AWSSharedConfig) -> (region: String, source: Source)? {
        if let value = config.environmentValue("AWS_REGION") { return (value, .awsRegion) }
        if let value = config.environmentValue("AWS_DEFAULT_REGION") { return (value, .awsDefaultRegion) }
        if let value = config.value("region") { return (value, .profile(config.profileName)) }
        return nil
    }

    /// The configured Region, else the instance's (IMDSv2, short timeout; skipped when
    /// `AWS_EC2_METADATA_DISABLED=true`); `nil` when none is found.
    public static func resolve(_ config: AWSSharedConfig, http: AWSHTTPClient = AWSHTTPClient(), logger: Logger) async -> (region: String, source: Source)? {
        if let configured = configured(config) { return configured }
        let client = InstanceMetadataClient(config: config, http: http)
        guard !client.isDisabled else { return nil }
        do {
            let region = try await client.region()
            return region.isEmpty ? nil : (region, .instanceMetadata)
        } catch {
            logger.debug("no Region from instance metadata", metadata: ["reason": "\(error)"])
            return nil
        }
    }
}
