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
    /// The CLI error of a credentials failure: `configuration` (78), with a hint chosen by its kind and source.
    static func cliError(_ error: AWSCredentialsError, doing action: String) -> CLIError {
        let code: CLIExitCode = .configuration
        let hint: String
        switch (error.kind, error.source) {
        case (.ssoLoginRequired, .sso(let profile)):
            hint = "run `aws sso login --profile \(profile)`, then try again"
        case (.processFailed, .process(let profile)):
            hint = "run the credential_process of profile '\(profile)' by hand to see why it fails"
        case (.hostNotAllowed, _):
            hint = "point AWS_CONTAINER_CREDENTIALS_FULL_URI at a loopback address, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23], or use https"
        case (.tokenFileUnreadable, _):
            hint = "check that the token file exists and is readable (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, web_identity_token_file)"
        case (.endpointUnreachable, .instanceMetadata):
            hint = "off EC2, set AWS_EC2_METADATA_DISABLED=true and configure another credential source"
        case (.endpointUnreachable, _):
            hint = "check that the credentials endpoint is up and reachable"
        case (.sourceProfileCycle, _), (.invalidConfiguration, _):
            hint = "fix the profile in ~/.aws/config (AWS_CONFIG_FILE) or ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE)"
        default:
            hint = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials (or aws configure sso); `envelope aws whoami` shows what is found"
        }
        return CLIError(code, "\(action) failed: \(CLIError.oneLine(error.description))", hint: hint)
    }
}

extension AWSCredentialsWiring {
    /// The credentials failure among `causes` (directly, or inside an `AWSCallError`), if any.
    static func credentialsError(in causes: [any Error]) -> AWSCredentialsError? {
        for cause in causes {
            if let error = cause as? AWSCredentialsError { return error }
            if let call = cause as? AWSCallError, case .credentials(let error) = call.failure { return error }
        }
        return nil
    }
}
