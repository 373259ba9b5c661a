import EnvelopeCore
import Foundation

/// Why no credentials could be obtained: the failing (or skipped) source, the class of failure, a
/// one-line message that says what to do, and for the chain each source with why it was skipped.
/// Never contains a secret.
public struct AWSCredentialsError: Error, Sendable, CustomStringConvertible {
    /// The class of failure; callers choose by this, never by the message.
    public enum Kind: Sendable, Equatable {
        /// This source has nothing configured (a chain tries the next one).
        case notConfigured
        /// Configuration exists but is wrong (a chain stops here).
        case invalidConfiguration
        /// STS refused or failed to answer AssumeRole / AssumeRoleWithWebIdentity.
        case assumeRoleFailed
        /// A token file (web identity, container authorization) cannot be read.
        case tokenFileUnreadable
        /// A container credentials URI names a host the SDKs do not allow.
        case hostNotAllowed
        /// The credentials endpoint (IMDS, container, SSO portal) could not be reached in time.
        case endpointUnreachable
        /// The credentials endpoint answered, but not with credentials.
        case endpointFailed
        /// `credential_process` could not be run, exited non-zero, or printed bad JSON.
        case processFailed
        /// The IAM Identity Center token is missing or expired: run `aws sso login`.
        case ssoLoginRequired
        /// `source_profile`s form a cycle.
        case sourceProfileCycle
        /// No source of the chain had credentials (see `skipped`).
        case noSourceFound
    }

    /// The class of failure.
    public let kind: Kind
    /// The source that failed or was skipped.
    public let source: AWSCredentialSource
    /// What went wrong and what to do (one line).
    public let message: String
    /// For `.noSourceFound`: each source tried, in order, with why it was skipped.
    public let skipped: [AWSCredentialsError]
    /// The lower-level error, if any (an `AWSCallError` from STS, say).
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, source: AWSCredentialSource = .chain,
                skipped: [AWSCredentialsError] = [], cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.source = source
        self.message = message
        self.skipped = skipped
        self.cause = cause
    }

    /// `source: message`.
    public var description: String {
        source == .chain ? message : "\(source): \(message)"
    }
}

/// Found by type in an error tree (the CLI's error table): a credentials failure, and its causes
/// (the skipped sources of "nothing found", or the STS / endpoint error underneath).
extension AWSCredentialsError: CredentialsFailure, ErrorWithCauses {
    /// The source that failed, e.g. `profile 'dev' (IAM Identity Center)`.
    public var credentialsSource: String { source.description }

    /// `skipped` (for `.noSourceFound`), then `cause`.
    public var underlyingErrors: [any Error] { skipped + (cause.map { [$0] } ?? []) }
}
