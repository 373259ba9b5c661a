import Foundation

/// How failed attempts are retried, as the AWS SDKs' "standard" retry mode: a bounded number of
/// attempts, capped exponential backoff with full jitter, a retry quota (``RetryQuota``), a
/// connect timeout and a timeout per attempt, and an overall deadline for the whole call.
///
/// AWS SDKs and Tools reference guide, "Retry behavior":
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, including the first (≥ 1). `AWS_MAX_ATTEMPTS` / `max_attempts`; 3 by default.
    public var maxAttempts: Int
    /// Backoff base: the delay before retry *n* is uniform in `0 … min(maxBackoff, baseDelay · 2ⁿ⁻¹)`.
    public var baseDelay: TimeInterval
    /// Upper bound of one backoff (20 s in standard mode).
    public var maxBackoff: TimeInterval
    /// Limit of one attempt (connect, send, wait for and read the answer).
    public var attemptTimeout: TimeInterval
    /// Limit of opening one connection; an unreachable endpoint fails within `connectTimeout × maxAttempts`
    /// (plus backoffs).
    public var connectTimeout: TimeInterval
    /// Limit of the whole call, retries and backoffs included.
    public var overallDeadline: TimeInterval
    /// Whether retries draw on the client's retry quota (standard mode: yes).
    public var usesRetryQuota: Bool

    /// AWS SDK "standard" mode defaults: 3 attempts, 100 ms base, 20 s cap, retry quota on;
    /// 3 s to connect, 10 s per attempt, 30 s overall.
    public init(
        maxAttempts: Int = 3,
        baseDelay: TimeInterval = 0.1,
        maxBackoff: TimeInterval = 20,
        attemptTimeout: TimeInterval = 10,
        connectTimeout: TimeInterval = 3,
        overallDeadline: TimeInterval = 30,
        usesRetryQuota: Bool = true
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxBackoff = max(0, maxBackoff)
        self.attemptTimeout = max(0.001, attemptTimeout)
        self.connectTimeout = max(0.001, connectTimeout)
        self.overallDeadline = max(0.001, overallDeadline)
        self.usesRetryQuota = usesRetryQuota
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The jittered delay before attempt `attempt + 1` (attempt counts from 1): full jitter,
    /// `random(0 … min(maxBackoff, baseDelay · 2^(attempt-1)))`.
    public func backoff(afterAttempt attempt: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> TimeInterval {
        let exponent = min(max(attempt - 1, 0), 62)
        let ceiling = min(maxBackoff, baseDelay * pow(2, Double(exponent)))
        return ceiling <= 0 ? 0 : min(ceiling, max(0, random(0...ceiling)))
    }
}

/// `AWS_RETRY_MODE` / `retry_mode`.
///
/// EnvelopeKit implements `standard`. `legacy` is SDK-specific and is treated as `standard`;
/// `adaptive` (standard plus client-side rate limiting, "experimental" per the AWS reference
/// guide) is accepted and also runs as `standard`, without the client-side rate limiter.
public enum AWSRetryMode: String, Sendable, CaseIterable {
    case standard, legacy, adaptive
}

extension RetryPolicy {
    /// The policy configured by `AWS_MAX_ATTEMPTS` (else the profile's `max_attempts`) and
    /// `AWS_RETRY_MODE` (else `retry_mode`), over `base` for everything else.
    ///
    /// Throws ``AWSConfigurationError`` for a `max_attempts` that is not a number > 0 or an unknown mode.
    public static func configured(_ config: AWSSharedConfig, base: RetryPolicy = RetryPolicy()) throws(AWSConfigurationError) -> RetryPolicy {
        var policy = base
        if let (source, text) = config.setting(environment: "AWS_MAX_ATTEMPTS", profileKey: "max_attempts") {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
                throw AWSConfigurationError(setting: source, value: text, expected: "a whole number greater than 0 (total attempts, first one included)")
            }
            policy.maxAttempts = value
        }
        if let (source, text) = config.setting(environment: "AWS_RETRY_MODE", profileKey: "retry_mode") {
            guard AWSRetryMode(rawValue: text.lowercased()) != nil else {
                throw AWSConfigurationError(setting: source, value: text, expected: "standard, adaptive or legacy")
            }
        }
        return policy
    }
}
