import Foundation

/// A clock the test moves by hand (e.g. injected into a materials cache as `now: { clock.now }`),
/// so entries expire without waiting and no test depends on timing.
public final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var offset: Duration = .zero

    /// A clock at the current instant, not moving until `advance(by:)` is called.
    public init() {}

    /// Moves the clock forward.
    public func advance(by duration: Duration) { lock.withLock { offset += duration } }

    /// The clock's current instant.
    public var now: ContinuousClock.Instant { lock.withLock { start.advanced(by: offset) } }
}
