/// A bounded free list of idle OpenSSL contexts of one kind (an AES-GCM cipher context, an HKDF
/// context with its digest set), shared by every thread.
///
/// Creating such a context costs OpenSSL two to four heap allocations and, for HKDF, a digest
/// fetch by name; a pooled one is re-keyed instead. Whoever returns a context has already wiped
/// the secret it held (each pool's user says how), so idle contexts hold no key. At most
/// ``capacity`` idle contexts are kept (one per thread that was busy at once, in practice); a
/// context returned to a full pool is freed.
final class ContextPool: @unchecked Sendable {
    /// Idle contexts kept at most: more than the threads that ever derive or seal at once.
    static let defaultCapacity = 64

    private let idle: LockedState<[OpaquePointer]>
    private let capacity: Int
    private let free: (OpaquePointer) -> Void

    /// `free` releases a context the pool does not keep.
    init(capacity: Int = ContextPool.defaultCapacity, free: @escaping (OpaquePointer) -> Void) {
        self.capacity = capacity
        self.free = free
        var contexts: [OpaquePointer] = []
        contexts.reserveCapacity(capacity)
        idle = LockedState(contexts)
    }

    /// Frees the idle contexts (a pool owned by an object, such as an ``AESGCMPreparedKey``'s,
    /// goes away with it; the process-wide pools never do).
    deinit {
        idle.withLock { contexts in
            for context in contexts { free(context) }
            contexts.removeAll()
        }
    }

    /// An idle context, or nil (the caller makes a new one).
    func take() -> OpaquePointer? {
        idle.withLock { $0.popLast() }
    }

    /// Keeps a wiped context for the next ``take()``, or frees it when the pool is full.
    func give(_ context: OpaquePointer) {
        let capacity = capacity
        let kept = idle.withLock { contexts -> Bool in
            guard contexts.count < capacity else { return false }
            contexts.append(context)
            return true
        }
        if !kept { free(context) }
    }

    /// Number of idle contexts (tests).
    var idleCount: Int { idle.withLock { $0.count } }
}

/// One `ContextPool` per digest, for OpenSSL contexts whose digest is set once, at creation.
struct DigestContextPools: Sendable {
    private let sha1, sha256, sha384, sha512: ContextPool

    init(free: @escaping @Sendable (OpaquePointer) -> Void) {
        sha1 = ContextPool(free: free)
        sha256 = ContextPool(free: free)
        sha384 = ContextPool(free: free)
        sha512 = ContextPool(free: free)
    }

    func pool(for hash: HashFunction) -> ContextPool {
        switch hash {
        case .sha1: sha1
        case .sha256: sha256
        case .sha384: sha384
        case .sha512: sha512
        }
    }
}
