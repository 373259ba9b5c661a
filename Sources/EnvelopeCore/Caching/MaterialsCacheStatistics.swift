/// Why the caching materials manager went to its underlying manager without looking in the cache.
public enum MaterialsCacheBypassReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The suite uses the identity KDF (0x0014/0x0046/0x0078): its data key is the message key and
    /// must never serve two messages. Spec: framework/caching-cmm.md ("Get Encryption Materials").
    case identityKDF = "identity-kdf"
    /// The request carried no plaintext length (e.g. streaming), so the byte limit cannot be enforced.
    case unknownPlaintextLength = "unknown-plaintext-length"
    /// The plaintext alone is longer than the byte limit per data key.
    case plaintextLongerThanByteLimit = "plaintext-longer-than-byte-limit"
    /// The cache holds no entries at all (capacity 0).
    case zeroCapacity = "zero-capacity"

    /// The reason's stable string form.
    public var description: String { rawValue }
}

/// Why a cache lookup did not return materials.
public enum MaterialsCacheMissReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No entry for these parameters.
    case notCached = "not-cached"
    /// The entry was older than the maximum age.
    case expired = "expired"
    /// The entry's data key had already encrypted the maximum number of messages.
    case messageLimitReached = "message-limit-reached"
    /// This message would have taken the entry's data key past the maximum bytes.
    case byteLimitReached = "byte-limit-reached"

    /// The reason's stable string form.
    public var description: String { rawValue }
}

/// Why an entry left the cache.
public enum MaterialsCacheEvictionReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Older than the maximum age.
    case expired = "expired"
    /// The least recently used entry, removed to stay within the capacity.
    case capacity = "capacity"
    /// Its data key reached the message limit.
    case messageLimit = "message-limit"
    /// Its data key reached the byte limit.
    case byteLimit = "byte-limit"
    /// Removed by ``LocalMaterialsCache/removeAll()``.
    case cleared = "cleared"

    /// The reason's stable string form.
    public var description: String { rawValue }
}

/// Counters of a ``LocalMaterialsCache``, read as one consistent snapshot.
///
/// Every request handled by a caching materials manager counts exactly once: as a hit, a miss
/// or a bypass (`hits + misses + bypassCount` = requests).
public struct MaterialsCacheStatistics: Sendable, Hashable, CustomStringConvertible {
    /// Requests served from the cache.
    public var hits = 0
    /// Requests that found no usable entry and went to the underlying manager (one underlying call each).
    public var misses = 0
    /// Misses by reason.
    public var missReasons: [MaterialsCacheMissReason: Int] = [:]
    /// Requests that skipped the cache, by reason.
    public var bypasses: [MaterialsCacheBypassReason: Int] = [:]
    /// Entries removed, by reason.
    public var evictions: [MaterialsCacheEvictionReason: Int] = [:]
    /// Requests that waited for another request's in-flight call for the same entry instead of
    /// making their own (counted as hits or misses after the wait as well).
    public var coalescedWaits = 0
    /// Entries currently stored.
    public var entryCount = 0

    /// Creates empty counters.
    public init() {}

    /// All bypasses.
    public var bypassCount: Int { bypasses.values.reduce(0, +) }

    /// One line with every counter.
    public var description: String {
        func list<K: CustomStringConvertible>(_ d: [K: Int]) -> String {
            d.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        }
        return "hits=\(hits) misses=\(misses) [\(list(missReasons))] bypasses=\(bypassCount) [\(list(bypasses))] evictions=[\(list(evictions))] coalesced=\(coalescedWaits) entries=\(entryCount)"
    }
}
