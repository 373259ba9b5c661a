@testable import EnvelopeKMSHTTP
import Foundation

/// The wall clock `AWSHTTPClient` measures its overall deadline (and signs) with, moved only by the
/// test: frozen unless advanced, so no deadline is reached because the machine is slow (TSan,
/// parallel suites), and a deadline test counts its attempts exactly.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// A clock standing at `start`.
    init(_ start: Date = Date()) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Records every backoff instead of sleeping (no test waits on a real clock for a backoff). With a
/// clock, each backoff moves it by the backoff plus `attemptCost` seconds, standing for the failed
/// attempt before it: the attempts that fit in an overall deadline are then fixed by arithmetic,
/// not by how long they really took.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [TimeInterval] = []
    let clock: TestClock
    let attemptCost: TimeInterval

    init(clock: TestClock = TestClock(), attemptCost: TimeInterval = 0) {
        self.clock = clock
        self.attemptCost = attemptCost
    }

    var delays: [TimeInterval] { lock.withLock { recorded } }

    func sleep(_ seconds: TimeInterval) async throws {
        lock.withLock { recorded.append(seconds) }
        clock.advance(by: seconds + attemptCost)
    }
}

extension AWSHTTPClient {
    /// A client whose timing cannot fail a test: backoffs go to `sleeper` (recorded, not slept), the
    /// overall deadline runs on `sleeper.clock` (frozen unless a backoff moves it), and jitter is at
    /// its upper bound so the recorded delays are the backoff ceilings. Only the policy's attempt
    /// and connect timeouts are real: give them generous values unless the test is about them.
    static func forTests(_ policy: RetryPolicy, quota: RetryQuota = RetryQuota(), sleeper: SleepRecorder = SleepRecorder(),
                         now: (@Sendable () -> Date)? = nil) -> AWSHTTPClient {
        let clock = sleeper.clock
        return AWSHTTPClient(retryPolicy: policy, retryQuota: quota, sleep: sleeper.sleep, jitter: { $0.upperBound },
                             now: now ?? { clock.now })
    }
}
