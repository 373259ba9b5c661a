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
/// Branch keys are `SecureBytes`, wiped when the last reference goes: once an entry is evicted
/// and no encryption in progress still holds it, its key is gone from memory.
public actor BranchKeyMaterialsCache {
    /// The most entries the cache holds (at least 1; default 1000).
    public nonisolated let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    private struct Entry {
        let materials: BranchKeyMaterials
        let storedAt: ContinuousClock.Instant
        /// When the entry expires under the TTL of the keyring that stored it.
        let expiry: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private var entries: [[UInt8]: Entry] = [:]
    private var inFlight: [[UInt8]: Task<BranchKeyMaterials, any Error>] = [:]
    private var useCounter: UInt64 = 0
    private var earliestExpiry: ContinuousClock.Instant?
    private var stats = BranchKeyCacheStatistics()

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
    }

    /// The number of branch keys held.
    public var count: Int { entries.count }

    /// A snapshot of the counters.
    public var statistics: BranchKeyCacheStatistics {
        var s = stats
        s.entryCount = entries.count
        return s
    }

    /// Removes every entry (their keys are wiped once no operation in progress uses them).
    public func removeAll() {
        stats.evictions += entries.count
        entries.removeAll()
        earliestExpiry = nil
    }

    /// The branch key materials cached under `id` if younger than `ttl`; otherwise the result of
    /// `fetch`, called once however many tasks miss at the same time, and stored.
    func materials(id: [UInt8], ttl: Duration,
                   fetch: @escaping @Sendable () async throws -> BranchKeyMaterials) async throws -> BranchKeyMaterials {
        let current = now()
        pruneExpired(at: current)
        if var entry = entries[id] {
            if current < entry.storedAt.advanced(by: ttl) {
                useCounter += 1
                entry.lastUse = useCounter
                entries[id] = entry
                stats.hits += 1
                return entry.materials
            }
            // Stored by a keyring with a longer TTL, but too old for this one.
            entries[id] = nil
            stats.evictions += 1
        }
        if let pending = inFlight[id] {
            stats.coalescedWaits += 1
            return try await pending.value
        }
        stats.misses += 1
        // Created in the actor's context: the entry is stored before the task completes, so
        // a waiter that resumes finds it.
        let task = Task<BranchKeyMaterials, any Error> {
            defer { self.inFlight[id] = nil }
            let materials = try await fetch()
            self.store(id, materials, ttl: ttl)
            return materials
        }
        inFlight[id] = task
        return try await task.value
    }

    private func store(_ id: [UInt8], _ materials: BranchKeyMaterials, ttl: Duration) {
        let current = now()
        pruneExpired(at: current)
        let expiry = current.advanced(by: ttl)
        earliestExpiry = earliestExpiry.map { min($0, expiry) } ?? expiry
        useCounter += 1
        entries[id] = Entry(materials: materials, storedAt: current, expiry: expiry, lastUse: useCounter)
        while entries.count > capacity {
            guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key else { break }
            entries[oldest] = nil
            stats.evictions += 1
        }
    }

    // Spec: framework/local-cryptographic-materials-cache.md ("Pruning").
    private func pruneExpired(at current: ContinuousClock.Instant) {
        guard let earliest = earliestExpiry, current >= earliest else { return }
        var next: ContinuousClock.Instant? = nil
        for (key, entry) in entries {
            if current >= entry.expiry {
                entries[key] = nil
                stats.evictions += 1
            } else if next.map({ entry.expiry < $0 }) ?? true {
                next = entry.expiry
            }
        }
        earliestExpiry = next
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
