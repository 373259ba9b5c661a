#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCrypto

/// One frame of a pipeline batch: where its bytes are in the batch's input and output buffers.
struct PipelineFrame {
    var sequence: UInt32
    var isFinal: Bool
    /// Encrypt: offset of the plaintext. Decrypt: offset of the frame's IV.
    var inputOffset: Int
    var contentLength: Int
    var outputOffset: Int
}

/// A batch buffer of the pipeline: a run of consecutive frames, their input and their output.
/// Reused for batch b, b+slots, b+2·slots…; the buffer that holds plaintext is wiped when freed.
final class PipelineSlot {
    /// Which of the two buffers holds plaintext: the one wiped in ``free()``.
    enum PlaintextSide { case input, output }

    private(set) var input: UnsafeMutableRawBufferPointer
    private(set) var output: UnsafeMutableRawBufferPointer
    /// Set when the batch's input is the caller's memory rather than a copy in ``input``.
    var borrowedInput: UnsafeRawBufferPointer?
    /// The batch's input: the borrowed bytes, or the slot's own buffer.
    var readableInput: UnsafeRawBufferPointer { borrowedInput ?? UnsafeRawBufferPointer(input) }
    /// Input bytes that belong to this batch's frames (decrypt: what the digest must see).
    var inputCount = 0
    /// Output bytes produced for this batch.
    var outputCount = 0
    var frames: [PipelineFrame] = []
    /// True for the batch holding the final frame.
    var isLast = false
    private let plaintextSide: PlaintextSide
    /// The most plaintext bytes any batch left in this slot: what ``free()`` wipes.
    private var plaintextHighWater = 0

    /// Maps the buffers; throws ``EnvelopeError/Code/outOfMemory`` when the kernel refuses.
    init(inputCapacity: Int, outputCapacity: Int, frameCapacity: Int, plaintext: PlaintextSide) throws {
        let input = try Self.map(inputCapacity)
        do {
            output = try Self.map(outputCapacity)
        } catch {
            munmap(input.baseAddress, input.count)
            throw error
        }
        self.input = input
        plaintextSide = plaintext
        frames.reserveCapacity(frameCapacity)
    }

    /// Buffers come straight from the kernel and go back to it in ``free()``: a long-running
    /// process does not keep every window it ever used in malloc's per-thread arenas, and pages
    /// a small message never touches are never faulted in.
    private static func map(_ count: Int) throws -> UnsafeMutableRawBufferPointer {
        let size = Swift.max(count, 16)
        #if os(Linux)
        // Buffers of 2 MiB and more on 2 MiB boundaries, marked for transparent huge pages: one
        // fault instead of 512 per 2 MiB and far fewer TLB misses for the kernel's copy into the
        // buffer and the AES pass over it, where THP is "madvise" or "always" (measured: 2–5% of
        // a 512 MiB message; no cost seen on 1-byte and 1 MiB messages).
        if size >= hugePage {
            let mapped = size + hugePage
            guard let p = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
                throw mapFailed(mapped, errno)
            }
            let start = (Int(bitPattern: p) + hugePage - 1) & ~(hugePage - 1)
            let head = start - Int(bitPattern: p)
            if head > 0 { munmap(p, head) }
            // The tail starts at the first page past the buffer (munmap takes page-aligned addresses).
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            let kept = (size + pageSize - 1) & ~(pageSize - 1)
            if mapped - head > kept { munmap(UnsafeMutableRawPointer(bitPattern: start + kept), mapped - head - kept) }
            let aligned = UnsafeMutableRawPointer(bitPattern: start)!
            _ = madvise(aligned, size, MADV_HUGEPAGE)
            return UnsafeMutableRawBufferPointer(start: aligned, count: size)
        }
        #endif
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
            throw mapFailed(size, errno)
        }
        return UnsafeMutableRawBufferPointer(start: p, count: size)
    }

    private static let hugePage = 2 << 20

    private static func mapFailed(_ size: Int, _ code: Int32) -> EnvelopeError {
        EnvelopeError(.outOfMemory, "Could not map \(size) bytes for a batch of frames: \(String(cString: strerror(code))). Lower the client's concurrency or the frame length, or free memory.")
    }

    deinit { free() }

    private func notePlaintextExtent() {
        // Borrowed input is the caller's to wipe; only the slot's own buffers are noted.
        if plaintextSide == .input && borrowedInput != nil { return }
        plaintextHighWater = Swift.max(plaintextHighWater, plaintextSide == .input ? inputCount : outputCount)
    }

    /// Wipes the plaintext the slot ever held and frees both buffers now (the pipeline's threads
    /// may release the slot a little later; back-to-back messages should not hold two windows at
    /// once). Only the bytes used are wiped: zeroing untouched pages would fault them in.
    /// Returns the number of bytes wiped.
    @discardableResult
    func free() -> Int {
        guard input.count > 0 || output.count > 0 else { return 0 }
        notePlaintextExtent()
        let plaintext = plaintextSide == .input ? input : output
        let wiped = Swift.min(plaintextHighWater, plaintext.count)
        ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: plaintext[0..<wiped]))
        munmap(input.baseAddress, input.count)
        munmap(output.baseAddress, output.count)
        input = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        output = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        return wiped
    }

    func reset() {
        notePlaintextExtent()
        borrowedInput = nil
        inputCount = 0
        outputCount = 0
        frames.removeAll(keepingCapacity: true)
        isLast = false
    }
}

/// An ordered, bounded, multi-threaded frame pipeline for one message.
///
/// Batches of frames flow through four stages:
/// 1. fill (the calling thread): reads input into a free slot, in order;
/// 2. transform: threads claim runs of frames of the oldest batches and seal or open them, each
///    with its own AES-GCM context — frames are independent (IV = sequence number);
/// 3. hash (one thread, signed suites): feeds the message digest in order, beside the AES work —
///    decrypt hashes a batch as soon as it is filled, encrypt as soon as it is sealed;
/// 4. write (one thread): hands the batch's output on, in order.
///
/// `jobs` threads transform. With one job a dedicated thread seals while the calling thread
/// reads, so reading never stalls the AES work. With more, the calling thread is one of the
/// `jobs`: it reads first and seals frames whenever the window is full — on a machine with as
/// many cores as jobs no core is oversubscribed, and the time the reader would sit idle goes to
/// AES (reading a tmpfs page costs the kernel about as much as sealing it, so a dedicated
/// reader beside `cores` workers starves them).
///
/// A slot is reused only after it was written and hashed, so memory is bounded by `slots`
/// batches whatever the message size. The first error stops every stage; nothing after a
/// failed batch is written.
final class FramePipeline: @unchecked Sendable {
    typealias Fill = (PipelineSlot) throws -> Void
    /// Seals or opens `frames` of the slot with AES context number `context` (0..<jobs).
    typealias Transform = (PipelineSlot, _ frames: Range<Int>, _ context: Int) throws -> Void
    typealias Hash = (PipelineSlot) -> Void
    typealias Write = (PipelineSlot) throws -> Void

    /// Who waits on which condition: each state change wakes only the stage that waits for it
    /// (a single broadcast condition woke every thread for every batch: thousands of needless
    /// context switches per second on a machine with fewer cores than pipeline threads).
    private enum Waiter: Int, CaseIterable { case filler, workers, hasher, writer, runner }

    private let lock = PipelineLock(conditions: Waiter.allCases.count)
    private let slots: [PipelineSlot]
    private let jobs: Int
    private let fill: Fill
    private let transform: Transform
    private let hash: Hash?
    private let hashesInput: Bool
    private let write: Write

    /// Dedicated transform threads; the filler is the last of the `jobs` when it helps.
    private var workerThreads: Int { jobs == 1 ? 1 : jobs - 1 }
    private var fillerHelps: Bool { jobs > 1 }

    // Guarded by `lock`. Counters are batch numbers: "batches [0, n) have passed this stage".
    private var filled = 0
    private var transformed = 0
    private var hashed = 0
    private var written = 0
    private var lastBatch: Int?
    /// The oldest batch that may still have frames nobody has claimed.
    private var claimCursor = 0
    /// Per slot: frames claimed and frames finished by the transform threads.
    private var claimed: [Int]
    private var finished: [Int]
    private var running = 0
    private var failure: (any Error)?

    /// The most slots that ever held a batch at once (for tests of the memory bound).
    private(set) var slotsInUseHighWater = 0
    /// Frames the filling thread transformed while the window was full (for tests).
    private(set) var framesTransformedByFiller = 0

    init(slots: [PipelineSlot], jobs: Int, fill: @escaping Fill, transform: @escaping Transform,
         hash: Hash?, hashesInput: Bool, write: @escaping Write) {
        precondition(slots.count >= 2 && jobs >= 1)
        self.slots = slots
        self.jobs = jobs
        self.fill = fill
        self.transform = transform
        self.hash = hash
        self.hashesInput = hashesInput
        self.write = write
        claimed = Array(repeating: 0, count: slots.count)
        finished = Array(repeating: 0, count: slots.count)
    }

    private var freed: Int { hash == nil ? written : Swift.min(written, hashed) }

    private func isPast(_ batch: Int) -> Bool { lastBatch.map { batch > $0 } ?? false }

    private func wait(_ waiter: Waiter) { lock.wait(waiter.rawValue) }

    private func wake(_ waiter: Waiter) {
        if waiter == .workers { lock.broadcast(waiter.rawValue) } else { lock.signal(waiter.rawValue) }
    }

    /// Wakes every stage (an error, or the end of the input).
    private func wakeAll() { Waiter.allCases.forEach { lock.broadcast($0.rawValue) } }

    private func fail(_ error: any Error) {
        lock.lock()
        if failure == nil { failure = error }
        wakeAll()
        lock.unlock()
    }

    /// Runs the pipeline to the end; returns when every stage has stopped. Throws the first error.
    func run() throws {
        lock.lock()
        running = workerThreads + 1 + (hash == nil ? 0 : 1)
        lock.unlock()
        for worker in 0..<workerThreads { spawn { self.workerLoop(context: worker) } }
        if hash != nil { spawn { self.hashLoop() } }
        spawn { self.writeLoop() }
        fillLoop()
        lock.lock()
        while running > 0 { wait(.runner) }
        let error = failure
        lock.unlock()
        if let error { throw error }
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        startThread {
            body()
            self.lock.lock()
            self.running -= 1
            self.wake(.runner)
            self.lock.unlock()
        }
    }

    // MARK: - claiming frames (lock held)

    /// Claims the next run of unclaimed frames of the oldest filled batch, if there is one.
    private func claimFrames() -> (index: Int, frames: Range<Int>)? {
        while claimCursor < filled {
            let index = claimCursor % slots.count
            let slot = slots[index]
            let total = slot.frames.count
            if claimed[index] < total {
                // Runs of 1/(2·jobs) of a batch: few lock round trips, and the last frames of
                // a batch still spread over every thread.
                let run = Swift.max(1, (total + 2 * jobs - 1) / (2 * jobs))
                let range = claimed[index]..<Swift.min(total, claimed[index] + run)
                claimed[index] = range.upperBound
                return (index, range)
            }
            claimCursor += 1
        }
        return nil
    }

    /// Records finished frames; batches whose frames are all finished move on to hash and write.
    private func finishFrames(ofSlot index: Int, count: Int) {
        finished[index] += count
        advanceTransformed()
    }

    private func advanceTransformed() {
        let before = transformed
        while transformed < filled {
            let index = transformed % slots.count
            guard finished[index] == slots[index].frames.count else { break }
            claimed[index] = 0
            finished[index] = 0
            transformed += 1
        }
        // Its counters were just reset: the cursor must not come back to a finished batch.
        claimCursor = Swift.max(claimCursor, transformed)
        if transformed > before {
            wake(.writer)
            if !hashesInput { wake(.hasher) }
        }
    }

    /// Claims and transforms one run of frames with AES context `context`; false when there was
    /// nothing to claim. Called with the lock held; returns with it held.
    private func transformClaimed(context: Int, byFiller: Bool = false) -> Bool {
        guard let (index, frames) = claimFrames() else { return false }
        if byFiller { framesTransformedByFiller += frames.count }
        lock.unlock()
        do {
            try transform(slots[index], frames, context)
        } catch {
            lock.lock()
            if failure == nil { failure = error }
            wakeAll()
            return true
        }
        lock.lock()
        finishFrames(ofSlot: index, count: frames.count)
        return true
    }

    // MARK: - stages

    private func fillLoop() {
        var batch = 0
        while true {
            lock.lock()
            while failure == nil && batch - freed >= slots.count {
                // The window is full: seal frames instead of waiting (one of the jobs) — unless
                // sealed batches are queuing for the writer or the digest, which then limit the
                // pace and need the core more than the AES does.
                if fillerHelps && transformed - freed < 2 && transformClaimed(context: jobs - 1, byFiller: true) { continue }
                wait(.filler)
            }
            let stop = failure != nil
            slotsInUseHighWater = Swift.max(slotsInUseHighWater, batch - freed + 1)
            lock.unlock()
            if stop { return }
            let slot = slots[batch % slots.count]
            slot.reset()
            do { try fill(slot) } catch { fail(error); return }
            lock.lock()
            filled = batch + 1
            advanceTransformed()  // a batch without frames has nothing to transform
            if slot.isLast {
                lastBatch = batch
                wakeAll()
            } else {
                wake(.workers)
                if hashesInput { wake(.hasher) }
            }
            lock.unlock()
            if slot.isLast { break }
            batch += 1
        }
        guard fillerHelps else { return }
        // The input has ended: help with the frames that are left.
        lock.lock()
        while failure == nil && transformClaimed(context: jobs - 1, byFiller: true) {}
        lock.unlock()
    }

    private func workerLoop(context: Int) {
        lock.lock()
        defer { lock.unlock() }
        while failure == nil {
            if transformClaimed(context: context) { continue }
            if let lastBatch, claimCursor > lastBatch { return }
            wait(.workers)
        }
    }

    private func hashLoop() {
        guard let hash else { return }
        var batch = 0
        while true {
            lock.lock()
            while failure == nil && batch >= (hashesInput ? filled : transformed) && !isPast(batch) { wait(.hasher) }
            let stop = failure != nil || isPast(batch)
            lock.unlock()
            if stop { return }
            hash(slots[batch % slots.count])
            lock.lock()
            hashed = batch + 1
            wake(.filler)
            lock.unlock()
            batch += 1
        }
    }

    private func writeLoop() {
        var batch = 0
        while true {
            lock.lock()
            while failure == nil && batch >= transformed && !isPast(batch) { wait(.writer) }
            let stop = failure != nil || isPast(batch)
            lock.unlock()
            if stop { return }
            do { try write(slots[batch % slots.count]) } catch { fail(error); return }
            lock.lock()
            written = batch + 1
            wake(.filler)
            lock.unlock()
            batch += 1
        }
    }
}

/// One mutex and several conditions on it (pthreads), so a state change wakes only the threads
/// that wait for it.
final class PipelineLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let count: Int

    init(conditions count: Int) {
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

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits on condition `i`; the mutex must be held.
    func wait(_ i: Int) { pthread_cond_wait(conditions + i, mutex) }
    func signal(_ i: Int) { pthread_cond_signal(conditions + i) }
    func broadcast(_ i: Int) { pthread_cond_broadcast(conditions + i) }
}

/// Runs a synchronous job on a thread of its own and awaits it, so the pipeline's blocking
/// waits never occupy the cooperative thread pool.
func runOnDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        startThread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
    }
}

/// The work of one detached POSIX thread.
private final class ThreadWork {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Starts a detached POSIX thread running `body` (with the system's default stack size).
func startThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadWork(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let result = pthread_create(&thread, &attributes, { context in
        let work = Unmanaged<ThreadWork>.fromOpaque(context!).takeRetainedValue()
        work.body()
        return nil
    }, context)
    precondition(result == 0, "pthread_create failed (\(result)): the system is out of threads")
}
