import Foundation

/// How failed attempts are retried: capped exponential backoff with full jitter, a bounded number of
/// attempts, a timeout per attempt and an overall deadline for the whole call.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, including the first (≥ 1).
    public var maxAttempts: Int
    /// Backoff base: the delay before retry *n* is uniform in `0 … min(maxBackoff, baseDelay · 2ⁿ⁻¹)`.
    public var baseDelay: TimeInterval
    /// Upper bound of one backoff.
    public var maxBackoff: TimeInterval
    /// Limit of one attempt (connect, send, wait for and read the answer).
    public var attemptTimeout: TimeInterval
    /// Limit of the whole call, retries and backoffs included.
    public var overallDeadline: TimeInterval

    /// AWS SDK "standard" mode defaults: 3 attempts, 100 ms base, 20 s cap; 10 s per attempt, 30 s overall.
    public init(
        maxAttempts: Int = 3,
        baseDelay: TimeInterval = 0.1,
        maxBackoff: TimeInterval = 20,
        attemptTimeout: TimeInterval = 10,
        overallDeadline: TimeInterval = 30
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxBackoff = max(0, maxBackoff)
        self.attemptTimeout = max(0.001, attemptTimeout)
        self.overallDeadline = max(0.001, overallDeadline)
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The jittered delay before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(afterAttempt attempt: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> TimeInterval {
        let exponent = min(attempt - 1, 62)
        let ceiling = min(maxBackoff, baseDelay * pow(2, Double(exponent)))
        return ceiling <= 0 ? 0 : random(0...ceiling)
    }
}
