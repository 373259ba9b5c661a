#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
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
/// Reused for batch b, b+slots, b+2·slots…; both buffers are wiped when freed.
final class PipelineSlot {
    private(set) var input: UnsafeMutableRawBufferPointer
    private(set) var output: UnsafeMutableRawBufferPointer
    /// Input bytes that belong to this batch's frames (decrypt: what the digest must see).
    var inputCount = 0
    /// Output bytes produced for this batch.
    var outputCount = 0
    var frames: [PipelineFrame] = []
    /// True for the batch holding the final frame.
    var isLast = false

    init(inputCapacity: Int, outputCapacity: Int, frameCapacity: Int) {
        input = Self.map(inputCapacity)
        output = Self.map(outputCapacity)
        frames.reserveCapacity(frameCapacity)
    }

    /// Buffers come straight from the kernel and go back to it in ``free()``: a long-running
    /// process does not keep every window it ever used in malloc's per-thread arenas.
    private static func map(_ count: Int) -> UnsafeMutableRawBufferPointer {
        let size = Swift.max(count, 16)
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
            fatalError("out of memory: could not map \(size) bytes for a frame batch")
        }
        return UnsafeMutableRawBufferPointer(start: p, count: size)
    }

    deinit { free() }

    /// Wipes and frees both buffers now (the pipeline's threads may release the slot a little
    /// later; back-to-back messages should not hold two windows at once).
    func free() {
        guard input.count > 0 || output.count > 0 else { return }
        ConstantTime.zero(input)
        ConstantTime.zero(output)
        munmap(input.baseAddress, input.count)
        munmap(output.baseAddress, output.count)
        input = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        output = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    func reset() {
        inputCount = 0
        outputCount = 0
        frames.removeAll(keepingCapacity: true)
        isLast = false
    }

    /// The frames worker `worker` of `workers` handles: a contiguous share of the batch.
    func share(_ worker: Int, of workers: Int) -> Range<Int> {
        let n = frames.count
        return (n * worker / workers)..<(n * (worker + 1) / workers)
    }
}

/// An ordered, bounded, multi-threaded frame pipeline for one message.
///
/// Batches of frames flow through four stages, each on its own thread(s):
/// 1. fill (the calling thread): reads input into a free slot, in order;
/// 2. transform (`jobs` worker threads): each worker seals or opens its share of every batch
///    with its own AES-GCM context — frames are independent (IV = sequence number);
/// 3. hash (one thread, signed suites): feeds the message digest in order, beside the AES work —
///    decrypt hashes a batch as soon as it is filled, encrypt as soon as it is sealed;
/// 4. write (one thread): hands the batch's output on, in order.
///
/// A slot is reused only after it was written and hashed, so memory is bounded by `slots`
/// batches whatever the message size. The first error stops every stage; nothing after a
/// failed batch is written.
final class FramePipeline: @unchecked Sendable {
    typealias Fill = (PipelineSlot) throws -> Void
    typealias Transform = (PipelineSlot, _ worker: Int, _ workers: Int) throws -> Void
    typealias Hash = (PipelineSlot) -> Void
    typealias Write = (PipelineSlot) throws -> Void

    private let condition = NSCondition()
    private let slots: [PipelineSlot]
    private let jobs: Int
    private let fill: Fill
    private let transform: Transform
    private let hash: Hash?
    private let hashesInput: Bool
    private let write: Write

    // Guarded by `condition`. Counters are batch numbers: "batches [0, n) have passed this stage".
    private var filled = 0
    private var transformed = 0
    private var hashed = 0
    private var written = 0
    private var lastBatch: Int?
    private var workersDone: [Int]
    private var running = 0
    private var failure: (any Error)?

    /// The most slots that ever held a batch at once (for tests of the memory bound).
    private(set) var slotsInUseHighWater = 0

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
        workersDone = Array(repeating: 0, count: slots.count)
    }

    private var freed: Int { hash == nil ? written : Swift.min(written, hashed) }

    private func isPast(_ batch: Int) -> Bool { lastBatch.map { batch > $0 } ?? false }

    private func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Runs the pipeline to the end; returns when every stage has stopped. Throws the first error.
    func run() throws {
        condition.lock()
        running = jobs + 1 + (hash == nil ? 0 : 1)
        condition.unlock()
        for worker in 0..<jobs { spawn { self.workerLoop(worker) } }
        if hash != nil { spawn { self.hashLoop() } }
        spawn { self.writeLoop() }
        fillLoop()
        condition.lock()
        while running > 0 { condition.wait() }
        let error = failure
        condition.unlock()
        if let error { throw error }
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        startThread {
            body()
            self.condition.lock()
            self.running -= 1
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    private func fillLoop() {
        var batch = 0
        while true {
            condition.lock()
            while failure == nil && batch - freed >= slots.count { condition.wait() }
            let stop = failure != nil
            slotsInUseHighWater = Swift.max(slotsInUseHighWater, batch - freed + 1)
            condition.unlock()
            if stop { return }
            let slot = slots[batch % slots.count]
            slot.reset()
            do { try fill(slot) } catch { fail(error); return }
            condition.lock()
            filled = batch + 1
            if slot.isLast { lastBatch = batch }
            condition.broadcast()
            condition.unlock()
            if slot.isLast { return }
            batch += 1
        }
    }

    private func workerLoop(_ worker: Int) {
        var batch = 0
        while true {
            condition.lock()
            while failure == nil && batch >= filled && !isPast(batch) { condition.wait() }
            let stop = failure != nil || isPast(batch)
            condition.unlock()
            if stop { return }
            do { try transform(slots[batch % slots.count], worker, jobs) } catch { fail(error); return }
            condition.lock()
            workersDone[batch % slots.count] += 1
            while transformed < filled && workersDone[transformed % slots.count] == jobs {
                workersDone[transformed % slots.count] = 0
                transformed += 1
            }
            condition.broadcast()
            condition.unlock()
            batch += 1
        }
    }

    private func hashLoop() {
        guard let hash else { return }
        var batch = 0
        while true {
            condition.lock()
            while failure == nil && batch >= (hashesInput ? filled : transformed) && !isPast(batch) { condition.wait() }
            let stop = failure != nil || isPast(batch)
            condition.unlock()
            if stop { return }
            hash(slots[batch % slots.count])
            condition.lock()
            hashed = batch + 1
            condition.broadcast()
            condition.unlock()
            batch += 1
        }
    }

    private func writeLoop() {
        var batch = 0
        while true {
            condition.lock()
            while failure == nil && batch >= transformed && !isPast(batch) { condition.wait() }
            let stop = failure != nil || isPast(batch)
            condition.unlock()
            if stop { return }
            do { try write(slots[batch % slots.count]) } catch { fail(error); return }
            condition.lock()
            written = batch + 1
            condition.broadcast()
            condition.unlock()
            batch += 1
        }
    }
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
