import EnvelopeCore
import Foundation
import Logging

/// A source of AWS credentials (static, environment, shared files, STS, a chain of these).
public protocol AWSCredentialsProvider: Sendable {
    /// Returns current credentials, or throws `AWSCredentialsError` (`.notConfigured` lets a chain move on).
    func credentials(logger: Logger) async throws -> AWSCredentials
}

/// Always the same credentials.
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    let value: AWSCredentials

    /// Wraps fixed credentials.
    public init(_ credentials: AWSCredentials) {
        value = credentials
    }

    /// Returns the fixed credentials.
    public func credentials(logger: Logger) async throws -> AWSCredentials { value.source == nil ? value.from(.explicit) : value }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialsProvider: AWSCredentialsProvider {
    let environment: [String: String]

    /// Reads from `environment` (default: the process environment).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The credentials in the environment, or `.notConfigured` when `AWS_ACCESS_KEY_ID` is unset.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty else {
            throw AWSCredentialsError(.notConfigured, "AWS_ACCESS_KEY_ID is not set", source: .environment)
        }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw AWSCredentialsError(.invalidConfiguration, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither", source: .environment)
        }
        logger.trace("credentials from environment", metadata: ["accessKeyId": "\(id)"])
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"]).from(.environment)
    }
}

/// Tries providers in order; a provider that is `.notConfigured` (or, for instance metadata, not
/// reachable) passes to the next, any other error stops. When none has credentials, the error
/// (`.noSourceFound`) lists each source with why it was skipped.
public struct AWSCredentialsProviderChain: AWSCredentialsProvider {
    /// The providers, in order.
    public let providers: [any AWSCredentialsProvider]

    /// Creates a chain.
    public init(_ providers: [any AWSCredentialsProvider]) {
        self.providers = providers
    }

    /// The AWS SDKs' default chain
    /// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html): static (if given),
    /// environment keys, web identity from the environment, the shared-files profile (access keys,
    /// assume-role, web identity, IAM Identity Center, `credential_process`), the container endpoint
    /// (ECS, EKS Pod Identity), then EC2 instance metadata (IMDSv2).
    ///
    /// An explicit profile (`profile`, or `AWS_PROFILE`) means that profile only.
    public static func standard(
        staticCredentials: AWSCredentials? = nil,
        profile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: AWSHTTPClient,
        endpoints: AWSCredentialEndpoints? = nil
    ) -> AWSCredentialsProviderChain {
        var providers: [any AWSCredentialsProvider] = []
        if let staticCredentials { providers.append(StaticCredentialsProvider(staticCredentials)) }
        let config = AWSSharedConfig(profile: profile, environment: environment)
        let profileProvider = ProfileCredentialsProvider(profile: profile, environment: environment, http: http, endpoints: endpoints)
        if config.profileIsExplicit {
            providers.append(profileProvider)
            return AWSCredentialsProviderChain(providers)
        }
        providers.append(EnvironmentCredentialsProvider(environment: environment))
        providers.append(EnvironmentWebIdentityProvider(config: config, http: http, endpoints: endpoints ?? .standard(config: config)))
        providers.append(profileProvider)
        providers.append(ContainerCredentialsProvider(environment: environment, http: http))
        providers.append(InstanceMetadataCredentialsProvider(client: InstanceMetadataClient(config: config, http: http)))
        return AWSCredentialsProviderChain(providers)
    }

    /// Whether the chain moves past this failure of `provider`.
    static func isSkippable(_ error: AWSCredentialsError, from provider: any AWSCredentialsProvider) -> Bool {
        switch error.kind {
        case .notConfigured: true
        // Off EC2 the chain's own metadata step gets no answer: that is "not here", not a failure.
        // (A profile's credential_source = Ec2InstanceMetadata that cannot reach IMDS is a failure.)
        case .endpointUnreachable: provider is InstanceMetadataCredentialsProvider
        default: false
        }
    }

    /// The first configured provider's credentials.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        var skipped: [AWSCredentialsError] = []
        for provider in providers {
            do {
                return try await provider.credentials(logger: logger)
            } catch let error as AWSCredentialsError where Self.isSkippable(error, from: provider) {
                logger.trace("credential source skipped", metadata: ["source": "\(error.source)", "reason": "\(error.message)"])
                skipped.append(error)
            }
        }
        let reasons = skipped.map { "\($0.source): \($0.message)" }.joined(separator: "; ")
        throw AWSCredentialsError(
            .noSourceFound,
            "no AWS credentials found (\(reasons)); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, configure a profile (aws configure, aws configure sso), or run where a role is provided (ECS, EKS, EC2)",
            source: .chain, skipped: skipped)
    }
}

/// The chain's web-identity step: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, `.notConfigured` without them.
struct EnvironmentWebIdentityProvider: AWSCredentialsProvider {
    let config: AWSSharedConfig
    let http: AWSHTTPClient
    let endpoints: AWSCredentialEndpoints

    func credentials(logger: Logger) async throws -> AWSCredentials {
        let region = config.region ?? "us-east-1"
        guard let provider = try WebIdentityCredentialsProvider.fromEnvironment(config: config, region: region, endpoints: endpoints, http: http) else {
            throw AWSCredentialsError(.notConfigured, "AWS_WEB_IDENTITY_TOKEN_FILE is not set", source: .webIdentity(profile: nil))
        }
        return try await provider.credentials(logger: logger)
    }
}

/// Caches another provider's credentials and refreshes them `refreshMargin` seconds before they expire.
public actor RefreshingCredentialsProvider: AWSCredentialsProvider {
    let base: any AWSCredentialsProvider
    let refreshMargin: TimeInterval
    let clock: @Sendable () -> Date
    var cached: AWSCredentials?
    var inFlight: Task<AWSCredentials, any Error>?
    let telemetry: EnvelopeTelemetry?

    /// Wraps `base`; long-term credentials (no expiry) are fetched once. Each fetch counts in
    /// `credential_refreshes_total` (`source`, `outcome`) of `observability`.
    public init(_ base: any AWSCredentialsProvider, refreshMargin: TimeInterval = 300, clock: @escaping @Sendable () -> Date = { Date() },
                observability: EnvelopeObservability = .default) {
        self.base = base
        self.refreshMargin = refreshMargin
        self.clock = clock
        self.telemetry = EnvelopeTelemetry(observability)
    }

    /// Where the cached credentials came from (`nil` before the first success).
    public var currentSource: AWSCredentialSource? { cached?.source }

    /// Cached credentials while they are fresh, otherwise one shared refresh.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        if let cached, !cached.expires(within: refreshMargin, of: clock()) { return cached }
        if let inFlight { return try await inFlight.value }
        let base = self.base
        let task = Task { try await base.credentials(logger: logger) }
        inFlight = task
        defer { inFlight = nil }
        let fresh: AWSCredentials
        do {
            fresh = try await task.value
            telemetry?.count(AWSCallMetrics.credentialRefreshes, [("source", fresh.source?.metricName ?? "unknown"), ("outcome", "success")])
        } catch {
            let source = (error as? AWSCredentialsError)?.source.metricName ?? "unknown"
            telemetry?.count(AWSCallMetrics.credentialRefreshes, [("source", source), ("outcome", EnvelopeObservability.outcome(of: error))])
            throw error
        }
        if cached != nil { logger.debug("credentials refreshed before expiry", metadata: ["accessKeyId": "\(fresh.accessKeyId)"]) }
        cached = fresh
        return fresh
    }
}
