import EnvelopeCore
import EnvelopeKMSHTTP
import Foundation

/// The `--kms aws` credentials of this process: one credential chain per profile, shared by every
/// Region's transport (one cache, one refresh), remembered so that errors can name the source in use.
enum AWSCredentialsWiring {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var providers: [String: RefreshingCredentialsProvider] = [:]

    /// The shared chain for `profile` (nil: `AWS_PROFILE`, else the default chain).
    static func provider(profile: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                         http: AWSHTTPClient = AWSHTTPClient()) -> RefreshingCredentialsProvider {
        lock.withLock {
            let key = profile ?? ""
            if let existing = providers[key] { return existing }
            let made = RefreshingCredentialsProvider(AWSCredentialsProviderChain.standard(profile: profile, environment: environment, http: http))
            providers[key] = made
            return made
        }
    }

    /// The source of the credentials the process used last, if `--kms aws` obtained any.
    static func sourceInUse() async -> AWSCredentialSource? {
        let all = lock.withLock { Array(providers.values) }
        for provider in all {
            if let source = await provider.currentSource { return source }
        }
        return nil
    }

    /// `error` with the credential source in use added to its message (a `--kms aws` failure after
    /// credentials were found); unchanged otherwise.
    static func namingSource(_ error: CLIError) async -> CLIError {
        guard let source = await sourceInUse() else { return error }
        var named = error
        named.message += " (AWS credentials: \(source))"
        return named
    }
}

extension AWSCredentialsWiring {
    /// The hint for a credentials failure, chosen by its kind and source (the CLI error table gives
    /// every credentials failure exit 78; this says what to do about this one). `nil`: the table's
    /// general hint fits.
    static func hint(for error: AWSCredentialsError) -> String? {
        switch (error.kind, error.source) {
        case (.ssoLoginRequired, .sso(let profile)):
            "run `aws sso login --profile \(profile)`, then try again"
        case (.processFailed, .process(let profile)):
            "run the credential_process of profile '\(profile)' by hand to see why it fails"
        case (.hostNotAllowed, _):
            "point AWS_CONTAINER_CREDENTIALS_FULL_URI at a loopback address, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23], or use https"
        case (.tokenFileUnreadable, _):
            "check that the token file exists and is readable (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, web_identity_token_file)"
        case (.endpointUnreachable, .instanceMetadata):
            "off EC2, set AWS_EC2_METADATA_DISABLED=true and configure another credential source"
        case (.endpointUnreachable, _):
            "check that the credentials endpoint is up and reachable"
        case (.sourceProfileCycle, _), (.invalidConfiguration, _):
            "fix the profile in ~/.aws/config (AWS_CONFIG_FILE) or ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE)"
        default:
            nil
        }
    }

    /// The credentials failure anywhere in `error`'s tree of causes, if any.
    static func credentialsError(in error: any Error) -> AWSCredentialsError? {
        if let found = error as? AWSCredentialsError { return found }
        if let call = error as? AWSCallError, case .credentials(let found) = call.failure { return found }
        if let wrapper = error as? any ErrorWithCauses {
            for cause in wrapper.underlyingErrors {
                if let found = credentialsError(in: cause) { return found }
            }
        }
        return nil
    }
}
