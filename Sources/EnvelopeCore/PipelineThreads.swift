#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto

/// The pipeline's shared state behind one pthread mutex, with several conditions on it so a
/// change wakes only the threads that wait for it. The state is reachable only inside
/// ``withLock(_:)`` and ``withLock(waitingOn:while:_:)``: there is no other way to read or change it.
final class PipelineLock<State>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let count: Int
    private var state: State

    init(_ state: State, conditions count: Int) {
        self.state = state
        self.count = count
        conditions = .allocate(capacity: count)
        pthread_mutex_init(mutex, nil)
        for i in 0..<count { pthread_cond_init(conditions + i, nil) }
    }

    deinit {
        for i in 0..<count { pthread_cond_destroy(conditions + i) }
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` on the state with the mutex held.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// With the mutex held: waits on condition `condition` as long as `blocked` says so, then
    /// runs `body` on the state.
    func withLock<R>(waitingOn condition: Int, while blocked: (State) -> Bool, _ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while blocked(state) { pthread_cond_wait(conditions + condition, mutex) }
        return try body(&state)
    }

    /// Wakes one thread waiting on condition `i` (after the change it waits for was made under the lock).
    func signal(_ i: Int) { pthread_cond_signal(conditions + i) }
    /// Wakes every thread waiting on condition `i`.
    func broadcast(_ i: Int) { pthread_cond_broadcast(conditions + i) }
}

/// Runs a synchronous job on a thread of its own and awaits it, so the pipeline's blocking
/// waits never occupy the cooperative thread pool. The job, and everything it captured (the
/// caller's files, buffers, keys), is released on that thread *before* the caller resumes, and
/// the thread is joined before this returns: once it has returned, no other thread drops the
/// last reference to any of it (and closes a descriptor the engine opened, or frees memory, or
/// frees the error it threw) after the API call has returned. The join waits only for the
/// thread's exit (its thread-local state being freed), which follows the resume at once.
func runOnDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let job = DedicatedJob(body)
    var thread: JoinableThread?
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
        do {
            thread = try startJoinableThread { job.run(resuming: continuation) }
        } catch {
            continuation.resume(returning: .failure(error))
        }
    }
    thread?.join()
    return try result.get()
}

/// The body of `runOnDedicatedThread(_:)`, released once it has run.
private final class DedicatedJob<T: Sendable>: @unchecked Sendable {
    /// Set at creation, taken (and so released) by the one thread that runs it.
    private var body: (@Sendable () throws -> T)?

    init(_ body: @escaping @Sendable () throws -> T) { self.body = body }

    func run(resuming continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        let result = runAndRelease()
        // The thread ends once the caller is resumed: its OpenSSL state goes first, as the job did.
        OpenSSLThreadState.release()
        continuation.resume(returning: result)
    }

    /// Runs the body; it is released when this returns, before the caller is resumed.
    private func runAndRelease() -> Result<T, any Error> {
        guard let body else { preconditionFailure("a dedicated job runs once") }
        self.body = nil
        return Result { try body() }
    }
}

/// The work of one POSIX thread.
private final class ThreadWork {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A thread started by `startJoinableThread(_:)`.
struct JoinableThread: @unchecked Sendable {
    fileprivate let handle: pthread_t

    /// Waits until the thread has ended: its body returned and was released.
    func join() { pthread_join(handle, nil) }
}

/// Starts a POSIX thread running `body` (with the system's default stack size) that must be
/// joined (`JoinableThread.join()`); throws ``EnvelopeError/Code/outOfMemory``
/// (``ResourceFailure``) when the system refuses.
func startJoinableThread(_ body: @escaping @Sendable () -> Void) throws -> JoinableThread {
    let context = Unmanaged.passRetained(ThreadWork(body)).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let result = pthread_create(&thread, nil, { context in
        // `work` (the body and its captures) is released before the thread ends, so a join
        // returns only after that.
        let work = Unmanaged<ThreadWork>.fromOpaque(context!).takeRetainedValue()
        work.body()
        return nil
    }, context)
    guard result == 0 else {
        Unmanaged<ThreadWork>.fromOpaque(context).release()
        throw EnvelopeError.threadsExhausted(result)
    }
    #if canImport(Glibc)
    return JoinableThread(handle: thread)
    #else
    return JoinableThread(handle: thread!)
    #endif
}
