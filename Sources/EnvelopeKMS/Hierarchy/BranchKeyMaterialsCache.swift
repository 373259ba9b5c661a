import EnvelopeCrypto
/// The hierarchical keyring's cache of branch keys: an actor, bounded, with a time-to-live, that
/// one keyring owns or several share.
///
/// Spec: framework/local-cryptographic-materials-cache.md, used as
/// framework/aws-kms/aws-kms-hierarchical-keyring.md ("Initialization", "Appendix A") says, with
/// the shared-cache rules of the Material Providers Library (entries are keyed by the keyring's
/// partition ID and the store's logical name; an entry is served only if it is younger than the
/// TTL of the keyring asking, whichever keyring stored it).
///
/// - An entry older than the asking keyring's TTL is never returned; the store is asked again.
/// - When an insertion takes the cache over its capacity, the least recently used entry goes.
/// - Expired entries are removed on every access once the earliest expiry has passed, so an
///   unused branch key does not linger in memory.
/// - Concurrent misses for one entry make one store call: the others wait for its result (or its
///   failure) instead of calling the store themselves.
///
/// A hit (the common case: every message within the TTL) takes a lock and no hop onto the
/// actor; a miss goes through the actor, which keeps one store call per entry.
///
/// Branch keys are `SecureBytes`, wiped when the last reference goes: once an entry is evicted
/// and no encryption in progress still holds it, its key is gone from memory.
public actor BranchKeyMaterialsCache {
    /// The most entries the cache holds (at least 1; default 1000).
    public nonisolated let capacity: Int
    private nonisolated let now: @Sendable () -> ContinuousClock.Instant
    /// The entries, behind a lock: a hit is served without a hop onto the actor. The actor
    /// serialises what a miss does (one store call per entry however many tasks miss).
    private nonisolated let state: LockedState<Entries>
    /// The store call under way per entry (actor-isolated).
    private var inFlight: [BranchKeyCacheIdentifier: Task<CachedBranchKey, any Error>] = [:]

    /// Creates an empty cache.
    ///
    /// - Parameters:
    ///   - capacity: The most branch keys to hold, at least 1 (default 1000, as the specification's default).
    ///   - now: The clock that ages entries (default: the system's continuous clock). Tests pass a
    ///     manual clock to expire entries without waiting.
    public init(capacity: Int = 1000, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        precondition(capacity >= 1, "a branch key cache holds at least one entry")
        self.capacity = capacity
        self.now = now
        state = LockedState(Entries(capacity: capacity))
    }

    /// The number of branch keys held.
    public var count: Int { state.withLock { $0.entries.count } }

    /// A snapshot of the counters.
    public var statistics: BranchKeyCacheStatistics {
        state.withLock { entries in
            var s = entries.stats
            s.entryCount = entries.entries.count
            return s
        }
    }

    /// Removes every entry (their keys are wiped once no operation in progress uses them).
    public func removeAll() {
        // Released outside the lock: the last release of a key wipes it.
        _ = state.withLock { $0.removeAll() }
    }

    /// The branch key cached under `id` if younger than `ttl`; otherwise the result of `fetch`,
    /// called once however many tasks miss at the same time, and stored. A hit takes the lock
    /// only; a miss goes through the actor.
    nonisolated func materials(id: BranchKeyCacheIdentifier, ttl: Duration,
                               fetch: @escaping @Sendable () async throws -> CachedBranchKey) async throws -> CachedBranchKey {
        let current = now()
        // What the look-up removed is released after the lock (the last release wipes a key).
        if let hit = state.withLock({ $0.hit(id, at: current, ttl: ttl) }).cached { return hit }
        return try await refill(id: id, ttl: ttl, fetch: fetch)
    }

    private func refill(id: BranchKeyCacheIdentifier, ttl: Duration,
                        fetch: @escaping @Sendable () async throws -> CachedBranchKey) async throws -> CachedBranchKey {
        // Another task's store call may have filled the entry since the lock-only look-up.
        let current = now()
        if let hit = state.withLock({ $0.hit(id, at: current, ttl: ttl) }).cached { return hit }
        if let pending = inFlight[id] {
            state.withLock { $0.stats.coalescedWaits += 1 }
            return try await pending.value
        }
        state.withLock { $0.stats.misses += 1 }
        // Created in the actor's context: the entry is stored before the task completes, so
        // a waiter that resumes finds it.
        let task = Task<CachedBranchKey, any Error> {
            defer { self.inFlight[id] = nil }
            let cached = try await fetch()
            let current = self.now()
            _ = self.state.withLock { $0.store(id, cached, at: current, ttl: ttl) }
            return cached
        }
        inFlight[id] = task
        return try await task.value
    }

    /// The entries and counters; changed only inside `LockedState.withLock(_:)`. Methods that
    /// remove entries return them, so that the caller drops them (and wipes their keys) after
    /// the lock is released.
    private struct Entries {
        struct Entry {
            let cached: CachedBranchKey
            let storedAt: ContinuousClock.Instant
            /// When the entry expires under the TTL of the keyring that stored it.
            let expiry: ContinuousClock.Instant
            var lastUse: UInt64
        }

        let capacity: Int
        var entries: [BranchKeyCacheIdentifier: Entry] = [:]
        var useCounter: UInt64 = 0
        var earliestExpiry: ContinuousClock.Instant?
        var stats = BranchKeyCacheStatistics()

        init(capacity: Int) {
            self.capacity = capacity
            entries.reserveCapacity(min(capacity, 64))
        }

        /// The entry under `id` if younger than `ttl` (counted as a hit), and the entries this
        /// look-up removed: expired ones, and the one under `id` if it is too old for `ttl` (stored
        /// by a keyring with a longer TTL).
        mutating func hit(_ id: BranchKeyCacheIdentifier, at current: ContinuousClock.Instant,
                          ttl: Duration) -> (cached: CachedBranchKey?, removed: [Entry]) {
            var removed = pruneExpired(at: current)
            guard let index = entries.index(forKey: id) else { return (nil, removed) }
            let entry = entries.values[index]
            guard current < entry.storedAt.advanced(by: ttl) else {
                removed.append(entries.remove(at: index).value)
                stats.evictions += 1
                return (nil, removed)
            }
            useCounter += 1
            entries.values[index].lastUse = useCounter
            stats.hits += 1
            return (entry.cached, removed)
        }

        mutating func store(_ id: BranchKeyCacheIdentifier, _ cached: CachedBranchKey,
                            at current: ContinuousClock.Instant, ttl: Duration) -> [Entry] {
            var removed = pruneExpired(at: current)
            let expiry = current.advanced(by: ttl)
            earliestExpiry = earliestExpiry.map { min($0, expiry) } ?? expiry
            useCounter += 1
            if let old = entries.updateValue(Entry(cached: cached, storedAt: current, expiry: expiry, lastUse: useCounter), forKey: id) {
                removed.append(old)
            }
            while entries.count > capacity {
                guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key,
                      let entry = entries.removeValue(forKey: oldest) else { break }
                removed.append(entry)
                stats.evictions += 1
            }
            return removed
        }

        mutating func removeAll() -> [BranchKeyCacheIdentifier: Entry] {
            stats.evictions += entries.count
            earliestExpiry = nil
            defer { entries = [:] }
            return entries
        }

        // Spec: framework/local-cryptographic-materials-cache.md ("Pruning").
        private mutating func pruneExpired(at current: ContinuousClock.Instant) -> [Entry] {
            guard let earliest = earliestExpiry, current >= earliest else { return [] }
            var removed: [Entry] = []
            var next: ContinuousClock.Instant? = nil
            for (key, entry) in entries {
                if current >= entry.expiry {
                    removed.append(entry)
                    entries[key] = nil
                    stats.evictions += 1
                } else if next.map({ entry.expiry < $0 }) ?? true {
                    next = entry.expiry
                }
            }
            earliestExpiry = next
            return removed
        }
    }
}

/// Counters of a ``BranchKeyMaterialsCache``.
public struct BranchKeyCacheStatistics: Sendable, Hashable {
    /// Lookups served from the cache.
    public var hits = 0
    /// Lookups that called the branch key store.
    public var misses = 0
    /// Lookups that waited for another task's store call for the same entry.
    public var coalescedWaits = 0
    /// Entries removed (expired, over capacity, or cleared).
    public var evictions = 0
    /// Entries held when the snapshot was taken.
    public var entryCount = 0
}
