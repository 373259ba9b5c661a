/// An in-memory, least-recently-used cache of encryption and decryption materials, safe to share
/// between tasks (an actor) and between caching materials managers (each keeps to its partition).
///
/// Spec: framework/local-cryptographic-materials-cache.md. Entries expire at a fixed age (TTL)
/// and are never returned afterwards. Expired entries, which still hold plaintext data keys, are
/// removed on every access of the cache (lookup or insertion) once the earliest expiry has passed,
/// and whenever ``pruneExpired()`` is called (e.g. by a periodic task), so an idle cache does not
/// keep them. When an insertion takes the cache over its capacity, the least recently used entries
/// are evicted. Materials of a suite without key derivation are never stored.
///
/// Concurrent requests for the same entry are coalesced: while one request fetches materials from
/// the underlying manager, the others wait for that result instead of fetching their own, so N
/// simultaneous messages under one cache entry cost one KMS call, not N.
///
/// Data keys are held as `SecureBytes` (guarded memory, wiped when the last reference goes).
public actor LocalMaterialsCache {
    /// The most entries the cache holds (0: the cache stores nothing).
    public nonisolated let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    private enum Payload {
        case encryption(EncryptionMaterials)
        case decryption(DecryptionMaterials)
    }

    private struct Entry {
        var payload: Payload
        let expiry: ContinuousClock.Instant
        var messagesEncrypted: UInt64
        var bytesEncrypted: UInt64
        var lastUse: UInt64
    }

    private var entries: [[UInt8]: Entry] = [:]
    private var encryptionsInFlight: [[UInt8]: Task<EncryptionMaterials, any Error>] = [:]
    private var decryptionsInFlight: [[UInt8]: Task<DecryptionMaterials, any Error>] = [:]
    private var useCounter: UInt64 = 0
    /// The earliest expiry of any stored entry (nil when empty): pruning scans only once it passed.
    private var earliestExpiry: ContinuousClock.Instant?
    private var stats = MaterialsCacheStatistics()

    /// Creates an empty cache.
    /// - Parameters:
    ///   - capacity: the most entries to hold, 0 or more (default 1000).
    ///   - now: the clock that ages entries (default: the system's continuous clock). Tests pass a
    ///     manual clock to expire entries without waiting.
    public init(capacity: Int = 1000, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        precondition(capacity >= 0, "the cache capacity cannot be negative")
        self.capacity = capacity
        self.now = now
    }

    /// A consistent snapshot of the counters.
    public var statistics: MaterialsCacheStatistics {
        var s = stats
        s.entryCount = entries.count
        return s
    }

    /// The number of entries stored.
    public var count: Int { entries.count }

    /// Removes every entry (their data keys are wiped once no message uses them any more).
    public func removeAll() {
        stats.evictions[.cleared, default: 0] += entries.count
        entries.removeAll()
        earliestExpiry = nil
    }

    /// Removes every expired entry now and returns how many were removed (each counted as an
    /// `.expired` eviction). Lookups and insertions already do this; call it periodically to free
    /// the data keys of a cache that is not being used.
    @discardableResult
    public func pruneExpired() -> Int {
        var removed = 0
        prune { _ in removed += 1 }
        return removed
    }

    /// Prunes, and tells whether the entry `id` was among the expired entries removed.
    private func pruneExpired(reporting id: [UInt8]) -> Bool {
        var found = false
        prune { if $0 == id { found = true } }
        return found
    }

    private func prune(_ removedEntry: ([UInt8]) -> Void) {
        let current = now()
        guard let earliest = earliestExpiry, current >= earliest else { return }
        var removed = 0
        var next: ContinuousClock.Instant? = nil
        for (key, entry) in entries {
            if current >= entry.expiry {
                entries[key] = nil
                removed += 1
                removedEntry(key)
            } else if next.map({ entry.expiry < $0 }) ?? true {
                next = entry.expiry
            }
        }
        earliestExpiry = next
        stats.evictions[.expired, default: 0] += removed
    }

    /// Counts a request that did not use the cache.
    func recordBypass(_ reason: MaterialsCacheBypassReason) {
        stats.bypasses[reason, default: 0] += 1
    }

    /// Usage limits of one encryption entry.
    struct EncryptionLimits: Sendable {
        var maxAge: Duration
        var maxMessages: UInt64
        var maxBytes: UInt64
    }

    // Spec: framework/caching-cmm.md ("Get Encryption Materials", "Usage Stats").
    /// Returns cached encryption materials for `id` and counts this message against the entry's
    /// limits, or calls `produce` (once, even for concurrent callers) and stores its result.
    func encryptionMaterials(id: [UInt8], plaintextLength: UInt64, limits: EncryptionLimits,
                             produce: @escaping @Sendable () async throws -> EncryptionMaterials) async throws -> EncryptionMaterials {
        var waited = false
        while true {
            let expired = pruneExpired(reporting: id)
            if var entry = entries[id], case .encryption(let materials) = entry.payload {
                var reason: MaterialsCacheMissReason? = nil
                if entry.messagesEncrypted >= limits.maxMessages {
                    reason = .messageLimitReached
                    evict(id, .messageLimit)
                } else if entry.bytesEncrypted > limits.maxBytes - min(plaintextLength, limits.maxBytes) {
                    reason = .byteLimitReached
                    evict(id, .byteLimit)
                }
                if reason == nil {
                    entry.messagesEncrypted += 1
                    entry.bytesEncrypted += plaintextLength
                    entry.lastUse = nextUse()
                    entries[id] = entry
                    stats.hits += 1
                    return materials
                }
                if let pending = encryptionsInFlight[id] {
                    try await wait(for: pending, waited: &waited)
                    continue
                }
                return try await fetchEncryption(id: id, plaintextLength: plaintextLength, limits: limits, reason: reason!, produce: produce)
            }
            if let pending = encryptionsInFlight[id] {
                try await wait(for: pending, waited: &waited)
                continue
            }
            return try await fetchEncryption(id: id, plaintextLength: plaintextLength, limits: limits, reason: expired ? .expired : .notCached,
                                             produce: produce)
        }
    }

    // Spec: framework/caching-cmm.md ("Decrypt Materials").
    /// Returns cached decryption materials for `id`, or calls `produce` (once, even for concurrent
    /// callers) and stores its result.
    func decryptionMaterials(id: [UInt8], maxAge: Duration,
                             produce: @escaping @Sendable () async throws -> DecryptionMaterials) async throws -> DecryptionMaterials {
        var waited = false
        while true {
            let reason: MaterialsCacheMissReason = pruneExpired(reporting: id) ? .expired : .notCached
            if var entry = entries[id], case .decryption(let materials) = entry.payload {
                entry.lastUse = nextUse()
                entries[id] = entry
                stats.hits += 1
                return materials
            }
            if let pending = decryptionsInFlight[id] {
                try await wait(for: pending, waited: &waited)
                continue
            }
            stats.misses += 1
            stats.missReasons[reason, default: 0] += 1
            // The task stores the entry before it completes, so a waiter that resumes finds it.
            let task = Task<DecryptionMaterials, any Error> {
                do {
                    let materials = try await produce()
                    self.store(id, .decryption(materials), maxAge: maxAge, plaintextLength: nil)
                    return materials
                } catch {
                    self.finish(id)
                    throw error
                }
            }
            decryptionsInFlight[id] = task
            return try await task.value
        }
    }

    private func fetchEncryption(id: [UInt8], plaintextLength: UInt64, limits: EncryptionLimits, reason: MaterialsCacheMissReason,
                                 produce: @escaping @Sendable () async throws -> EncryptionMaterials) async throws -> EncryptionMaterials {
        stats.misses += 1
        stats.missReasons[reason, default: 0] += 1
        // The task stores the entry before it completes, so a waiter that resumes always finds it.
        let task = Task<EncryptionMaterials, any Error> {
            do {
                let materials = try await produce()
                self.store(id, .encryption(materials), maxAge: limits.maxAge, plaintextLength: plaintextLength)
                return materials
            } catch {
                self.finish(id)
                throw error
            }
        }
        encryptionsInFlight[id] = task
        return try await task.value
    }

    private func wait<T: Sendable>(for pending: Task<T, any Error>, waited: inout Bool) async throws {
        if !waited {
            stats.coalescedWaits += 1
            waited = true
        }
        // The fetch this request waited for failed: report the same failure rather than
        // repeating the call (e.g. AccessDenied) once per waiting message.
        _ = try await pending.value
    }

    private func finish(_ id: [UInt8]) {
        encryptionsInFlight[id] = nil
        decryptionsInFlight[id] = nil
    }

    private func nextUse() -> UInt64 {
        useCounter += 1
        return useCounter
    }

    private func evict(_ id: [UInt8], _ reason: MaterialsCacheEvictionReason) {
        if entries.removeValue(forKey: id) != nil {
            stats.evictions[reason, default: 0] += 1
        }
    }

    // Spec: framework/local-cryptographic-materials-cache.md ("Put Cache Entry", "Pruning").
    private func store(_ id: [UInt8], _ payload: Payload, maxAge: Duration, plaintextLength: UInt64?) {
        finish(id)
        let suite = switch payload {
        case .encryption(let materials): materials.suite
        case .decryption(let materials): materials.suite
        }
        // A suite without key derivation uses the data key as the message key: sharing it between
        // messages would reuse GCM nonces. Such materials are never stored, whoever produced them.
        guard capacity > 0, suite.keyDerivation != .identity else { return }
        pruneExpired()
        let expiry = now().advanced(by: maxAge)
        earliestExpiry = earliestExpiry.map { min($0, expiry) } ?? expiry
        entries[id] = Entry(payload: payload, expiry: expiry,
                            messagesEncrypted: plaintextLength == nil ? 0 : 1, bytesEncrypted: plaintextLength ?? 0,
                            lastUse: nextUse())
        while entries.count > capacity {
            guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key else { break }
            entries[oldest] = nil
            stats.evictions[.capacity, default: 0] += 1
        }
    }
}
