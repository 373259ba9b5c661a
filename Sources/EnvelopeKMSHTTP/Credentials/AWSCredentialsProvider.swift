import Foundation
import Logging

/// A source of AWS credentials (static, environment, shared files, STS, a chain of these).
public protocol AWSCredentialsProvider: Sendable {
    /// Returns current credentials, or throws `AWSCredentialsError` (`.notConfigured` lets a chain move on).
    func credentials(logger: Logger) async throws -> AWSCredentials
}

/// Why no credentials could be obtained. Never contains a secret.
public struct AWSCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: Sendable, Equatable {
        /// This provider has nothing configured (a chain tries the next one).
        case notConfigured
        /// Configuration exists but is wrong (a chain stops here).
        case invalidConfiguration
        /// STS refused or failed to answer AssumeRole.
        case assumeRoleFailed
    }

    /// The class of failure.
    public let kind: Kind
    /// What went wrong and what to do.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Always the same credentials.
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    let value: AWSCredentials

    /// Wraps fixed credentials.
    public init(_ credentials: AWSCredentials) {
        value = credentials
    }

    /// Returns the fixed credentials.
    public func credentials(logger: Logger) async throws -> AWSCredentials { value }
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
            throw AWSCredentialsError(.notConfigured, "AWS_ACCESS_KEY_ID is not set")
        }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw AWSCredentialsError(.invalidConfiguration, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither")
        }
        logger.trace("credentials from environment", metadata: ["accessKeyId": "\(id)"])
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
    }
}

/// Tries providers in order; a provider that is `.notConfigured` passes to the next, any other error stops.
public struct AWSCredentialsProviderChain: AWSCredentialsProvider {
    /// The providers, in order.
    public let providers: [any AWSCredentialsProvider]

    /// Creates a chain.
    public init(_ providers: [any AWSCredentialsProvider]) {
        self.providers = providers
    }

    /// The standard chain: static (if given), environment, shared files (profile, with assume-role through STS).
    public static func standard(
        staticCredentials: AWSCredentials? = nil,
        profile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: AWSHTTPClient
    ) -> AWSCredentialsProviderChain {
        var providers: [any AWSCredentialsProvider] = []
        if let staticCredentials { providers.append(StaticCredentialsProvider(staticCredentials)) }
        // An explicit profile= (or AWS_PROFILE) means the profile, not the environment keys.
        if profile == nil {
            providers.append(EnvironmentCredentialsProvider(environment: environment))
        }
        providers.append(ProfileCredentialsProvider(profile: profile, environment: environment, http: http))
        return AWSCredentialsProviderChain(providers)
    }

    /// The first configured provider's credentials.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        var reasons: [String] = []
        for provider in providers {
            do {
                return try await provider.credentials(logger: logger)
            } catch let error as AWSCredentialsError where error.kind == .notConfigured {
                logger.trace("credential provider not configured", metadata: ["provider": "\(type(of: provider))", "reason": "\(error.message)"])
                reasons.append(error.message)
            }
        }
        throw AWSCredentialsError(
            .notConfigured,
            "no AWS credentials found (\(reasons.joined(separator: "; "))); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure a profile in ~/.aws/credentials")
    }
}

/// Caches another provider's credentials and refreshes them `refreshMargin` seconds before they expire.
public actor RefreshingCredentialsProvider: AWSCredentialsProvider {
    let base: any AWSCredentialsProvider
    let refreshMargin: TimeInterval
    let clock: @Sendable () -> Date
    var cached: AWSCredentials?
    var inFlight: Task<AWSCredentials, any Error>?

    /// Wraps `base`; long-term credentials (no expiry) are fetched once.
    public init(_ base: any AWSCredentialsProvider, refreshMargin: TimeInterval = 300, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.base = base
        self.refreshMargin = refreshMargin
        self.clock = clock
    }

    /// Cached credentials while they are fresh, otherwise one shared refresh.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        if let cached, !cached.expires(within: refreshMargin, of: clock()) { return cached }
        if let inFlight { return try await inFlight.value }
        let base = self.base
        let task = Task { try await base.credentials(logger: logger) }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        if cached != nil { logger.debug("credentials refreshed before expiry", metadata: ["accessKeyId": "\(fresh.accessKeyId)"]) }
        cached = fresh
        return fresh
    }
}
