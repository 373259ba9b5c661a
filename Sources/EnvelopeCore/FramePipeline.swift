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
///
/// All shared state is one ``PipelineState`` in a ``PipelineLock``, read and changed only inside
/// its `withLock`; the stages below only decide, under the lock, what to do next, and do the
/// work (fill, transform, hash, write) outside it.
final class FramePipeline: @unchecked Sendable {
    typealias ThreadStarter = (@escaping @Sendable () -> Void) throws -> JoinableThread
    typealias Fill = (PipelineSlot) throws -> Void
    /// Seals or opens `frames` of the slot with AES context number `context` (0..<jobs).
    typealias Transform = (PipelineSlot, _ frames: Range<Int>, _ context: Int) throws -> Void
    typealias Hash = (PipelineSlot) -> Void
    typealias Write = (PipelineSlot) throws -> Void

    /// Who waits on which condition: each state change wakes only the stage that waits for it
    /// (a single broadcast condition woke every thread for every batch: thousands of needless
    /// context switches per second on a machine with fewer cores than pipeline threads).
    private enum Waiter: Int, CaseIterable { case filler, workers, hasher, writer, runner }

    private let lock: PipelineLock<PipelineState>
    private let slots: [PipelineSlot]
    private let jobs: Int
    private let fill: Fill
    private let transform: Transform
    private let hash: Hash?
    private let hashesInput: Bool
    private let write: Write
    /// Starts a thread (`startJoinableThread(_:)`; tests inject one that fails).
    private let threadStarter: ThreadStarter

    /// Dedicated transform threads; the filler is the last of the `jobs` when it helps.
    private var workerThreads: Int { jobs == 1 ? 1 : jobs - 1 }

    init(slots: [PipelineSlot], jobs: Int, fill: @escaping Fill, transform: @escaping Transform,
         hash: Hash?, hashesInput: Bool, write: @escaping Write, threadStarter: @escaping ThreadStarter = startJoinableThread) {
        precondition(slots.count >= 2 && jobs >= 1)
        self.slots = slots
        self.jobs = jobs
        self.fill = fill
        self.transform = transform
        self.hash = hash
        self.hashesInput = hashesInput
        self.write = write
        self.threadStarter = threadStarter
        lock = PipelineLock(PipelineState(slots: slots.count, jobs: jobs, hashes: hash != nil, hashesInput: hashesInput),
                            conditions: Waiter.allCases.count)
    }

    private func wake(_ waiter: Waiter) {
        if waiter == .workers { lock.broadcast(waiter.rawValue) } else { lock.signal(waiter.rawValue) }
    }

    /// Wakes every stage (an error, or the end of the input).
    private func wakeAll() { Waiter.allCases.forEach { lock.broadcast($0.rawValue) } }

    /// After a batch finished its transform stage.
    private func wakeAfterTransform() {
        wake(.writer)
        if !hashesInput { wake(.hasher) }
    }

    private func fail(_ error: any Error) {
        lock.withLock { $0.fail(error) }
        wakeAll()
    }

    /// Runs the pipeline to the end; returns when every stage has stopped. Throws the first
    /// error; otherwise returns what the run did (for tests of the memory bound and scheduling).
    @discardableResult
    func run() throws -> PipelineState.Statistics {
        let threads = workerThreads + 1 + (hash == nil ? 0 : 1)
        lock.withLock { $0.running = threads }
        var started: [JoinableThread] = []
        do {
            for worker in 0..<workerThreads {
                started.append(try spawn { self.workerLoop(context: worker) })
            }
            if hash != nil {
                started.append(try spawn { self.hashLoop() })
            }
            started.append(try spawn { self.writeLoop() })
            fillLoop()
        } catch {
            // A thread could not start: stop the ones that did, and count those that never ran as done.
            fail(error)
            lock.withLock { $0.running -= threads - started.count }
        }
        let (failure, statistics) = lock.withLock(waitingOn: Waiter.runner.rawValue, while: { $0.running > 0 }) { ($0.failure, $0.statistics) }
        // Each thread holds this pipeline, and through it the stages' captures (the caller's files
        // and buffers), until it ends: joined here, so everything is released by the time run()
        // returns, never by a thread that outlives the call.
        started.forEach { $0.join() }
        if let failure { throw failure }
        return statistics
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) throws -> JoinableThread {
        try threadStarter {
            body()
            self.lock.withLock { $0.running -= 1 }
            self.wake(.runner)
        }
    }

    /// Transforms a claimed run of frames, then records it.
    private func transformClaimed(slot: Int, frames: Range<Int>, context: Int) {
        do {
            try transform(slots[slot], frames, context)
        } catch {
            fail(error)
            return
        }
        if lock.withLock({ $0.finishFrames(ofSlot: slot, count: frames.count) }) { wakeAfterTransform() }
    }

    // MARK: - stages

    private enum FillStep { case stop, fill, help(slot: Int, frames: Range<Int>) }

    private func fillLoop() {
        var batch = 0
        while true {
            let step = lock.withLock(waitingOn: Waiter.filler.rawValue, while: { s in
                s.failure == nil && s.windowFull(for: batch) && !s.fillerShouldHelp
            }) { s -> FillStep in
                if s.failure != nil { return .stop }
                if s.windowFull(for: batch), let claim = s.claimFrames() {
                    // The window is full: seal frames instead of waiting (one of the jobs).
                    s.statistics.framesTransformedByFiller += claim.frames.count
                    return .help(slot: claim.slot, frames: claim.frames)
                }
                if s.windowFull(for: batch) { return .help(slot: -1, frames: 0..<0) }  // raced: look again
                s.statistics.slotsInUseHighWater = Swift.max(s.statistics.slotsInUseHighWater, batch - s.freed + 1)
                return .fill
            }
            switch step {
            case .stop: return
            case .help(let slot, let frames):
                if slot >= 0 { transformClaimed(slot: slot, frames: frames, context: jobs - 1) }
                continue
            case .fill: break
            }
            let slot = slots[batch % slots.count]
            slot.reset()
            do { try fill(slot) } catch { fail(error); return }
            let isLast = slot.isLast
            let advanced = lock.withLock { $0.recordFill(batch: batch, frames: slot.frames.count, isLast: isLast) }
            if advanced { wakeAfterTransform() }
            if isLast {
                wakeAll()
                break
            }
            wake(.workers)
            if hashesInput { wake(.hasher) }
            batch += 1
        }
        guard jobs > 1 else { return }
        // The input has ended: help with the frames that are left.
        while let claim = lock.withLock({ s -> (slot: Int, frames: Range<Int>)? in
            guard s.failure == nil, let claim = s.claimFrames() else { return nil }
            s.statistics.framesTransformedByFiller += claim.frames.count
            return claim
        }) {
            transformClaimed(slot: claim.slot, frames: claim.frames, context: jobs - 1)
        }
    }

    private func workerLoop(context: Int) {
        while let claim = lock.withLock(waitingOn: Waiter.workers.rawValue, while: { s in
            s.failure == nil && !s.hasClaimableFrames && !s.allClaimed
        }, { s -> (slot: Int, frames: Range<Int>)? in
            guard s.failure == nil else { return nil }
            return s.claimFrames()
        }) {
            transformClaimed(slot: claim.slot, frames: claim.frames, context: context)
        }
    }

    /// Waits until batch `batch` reached the stage before this one; false when the run stops.
    private func waitForBatch(_ batch: Int, _ waiter: Waiter, ready: (PipelineState) -> Int) -> Bool {
        lock.withLock(waitingOn: waiter.rawValue, while: { s in s.failure == nil && batch >= ready(s) && !s.isPast(batch) }) { s in
            s.failure == nil && !s.isPast(batch)
        }
    }

    private func hashLoop() {
        guard let hash else { return }
        let hashesInput = hashesInput
        var batch = 0
        while waitForBatch(batch, .hasher, ready: { hashesInput ? $0.filled : $0.transformed }) {
            hash(slots[batch % slots.count])
            lock.withLock { $0.hashed = batch + 1 }
            wake(.filler)
            batch += 1
        }
    }

    private func writeLoop() {
        var batch = 0
        while waitForBatch(batch, .writer, ready: { $0.transformed }) {
            do { try write(slots[batch % slots.count]) } catch { fail(error); return }
            lock.withLock { $0.written = batch + 1 }
            wake(.filler)
            batch += 1
        }
    }
}
