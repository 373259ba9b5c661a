#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pthread mutex on the heap (its address never moves), for the process-wide pools of this
/// module. Critical sections are a few loads and stores: never a call into OpenSSL.
final class PThreadLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A value read and changed only inside ``withLock(_:)``, under a ``PThreadLock``: the locking rule
/// lives in the type. The value sits in a heap cell of its own, so the accesses are plain loads
/// and stores; a class's stored `var` would pay a dynamic exclusivity check (about 50
/// instructions) on each access. Shared with the package's other modules (the hierarchical
/// keyring's cache): critical sections are lookups and small updates, never a call that blocks.
package final class LockedState<State>: @unchecked Sendable {
    private let lock = PThreadLock()
    private let cell: UnsafeMutablePointer<State>

    package init(_ initial: State) {
        cell = UnsafeMutablePointer<State>.allocate(capacity: 1)
        cell.initialize(to: initial)
    }

    deinit {
        cell.deinitialize(count: 1)
        cell.deallocate()
    }

    package func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        try lock.withLock { try body(&cell.pointee) }
    }
}
