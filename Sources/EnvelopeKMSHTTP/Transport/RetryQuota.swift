import Foundation

/// The AWS SDKs' standard-mode retry quota: a token bucket shared by every call of one client.
///
/// Each retry takes `retryCost` tokens (`timeoutRetryCost` after a timeout or a dropped
/// connection); when the bucket cannot pay, the call stops retrying (circuit breaking during an
/// outage). A call that succeeds after retries gives its last retry's cost back; a call that
/// succeeds on the first attempt adds `noRetryIncrement`, up to the capacity.
///
/// Defaults as the AWS SDKs: 500 tokens, cost 5, timeout cost 10, increment 1
/// (AWS SDKs and Tools reference guide, "Retry behavior":
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
public final class RetryQuota: @unchecked Sendable {
    /// Tokens when full.
    public let capacity: Int
    /// Cost of one retry.
    public let retryCost: Int
    /// Cost of a retry after a timeout or a connection failure.
    public let timeoutRetryCost: Int
    /// Tokens given back by a success that needed no retry.
    public let noRetryIncrement: Int
    private let lock = NSLock()
    private var tokens: Int

    /// A full bucket.
    public init(capacity: Int = 500, retryCost: Int = 5, timeoutRetryCost: Int = 10, noRetryIncrement: Int = 1) {
        self.capacity = capacity
        self.retryCost = retryCost
        self.timeoutRetryCost = timeoutRetryCost
        self.noRetryIncrement = noRetryIncrement
        tokens = capacity
    }

    /// Tokens left.
    public var available: Int { lock.withLock { tokens } }

    /// Takes the cost of one retry, or returns nil (and takes nothing) when the bucket cannot pay.
    func acquire(afterTimeout: Bool) -> Int? {
        let cost = afterTimeout ? timeoutRetryCost : retryCost
        return lock.withLock {
            guard tokens >= cost else { return nil }
            tokens -= cost
            return cost
        }
    }

    /// Records a successful call: gives back `lastRetryCost`, or the no-retry increment.
    func succeeded(lastRetryCost: Int?) {
        lock.withLock { tokens = min(capacity, tokens + (lastRetryCost ?? noRetryIncrement)) }
    }
}
