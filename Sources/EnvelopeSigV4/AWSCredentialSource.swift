import Foundation

/// Where a set of AWS credentials came from (or, in an error, which source failed or was skipped).
///
/// The names follow the AWS SDKs' standardized credential providers
/// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html).
public enum AWSCredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// Credentials given in code.
    case explicit
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    case environment
    /// `sts:AssumeRoleWithWebIdentity` with a token file: from the environment (`profile == nil`) or a profile.
    case webIdentity(profile: String?)
    /// Access keys written in a profile of the shared files.
    case sharedProfile(String)
    /// A profile's `role_arn`, assumed through `sts:AssumeRole`.
    case assumeRole(profile: String)
    /// A profile's IAM Identity Center (SSO) settings and the cached `aws sso login` token.
    case sso(profile: String)
    /// A profile's `credential_process`.
    case process(profile: String)
    /// The ECS / EKS Pod Identity container credentials endpoint.
    case container
    /// The EC2 instance metadata service (IMDSv2).
    case instanceMetadata
    /// The credential chain as a whole (used by "no source found").
    case chain

    /// A short name for logs, errors and `envelope aws whoami`.
    public var description: String {
        switch self {
        case .explicit: "credentials given in code"
        case .environment: "environment (AWS_ACCESS_KEY_ID)"
        case .webIdentity(nil): "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)"
        case .webIdentity(let profile?): "profile '\(profile)' (web_identity_token_file)"
        case .sharedProfile(let profile): "profile '\(profile)' (access keys in the shared files)"
        case .assumeRole(let profile): "profile '\(profile)' (role_arn, sts:AssumeRole)"
        case .sso(let profile): "profile '\(profile)' (IAM Identity Center)"
        case .process(let profile): "profile '\(profile)' (credential_process)"
        case .container: "container credentials (AWS_CONTAINER_CREDENTIALS_*)"
        case .instanceMetadata: "EC2 instance metadata (IMDSv2)"
        case .chain: "credential chain"
        }
    }
}
