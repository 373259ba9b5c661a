/// The scheduling state of one ``FramePipeline`` run: which batches passed which stage, which
/// frames of the batches in flight are claimed and finished, the first error. A plain value with
/// no locking of its own; the pipeline keeps it in a ``PipelineLock`` and changes it only there,
/// and tests drive it directly.
///
/// Counters are batch numbers: "batches [0, n) have passed this stage". Batch b lives in slot
/// b % slots.
struct PipelineState {
    let slots: Int
    let jobs: Int
    /// Whether a hash stage runs (signed suites): a slot is free only once hashed and written.
    let hashes: Bool
    /// Whether the hash stage reads the input (decrypt) rather than the output (encrypt).
    let hashesInput: Bool

    var filled = 0
    var transformed = 0
    var hashed = 0
    var written = 0
    var lastBatch: Int?
    /// The oldest batch that may still have frames nobody has claimed.
    var claimCursor = 0
    /// Per slot: frames in its batch, claimed and finished by the transform threads.
    var frameCounts: [Int]
    var claimed: [Int]
    var finished: [Int]
    /// Threads still running.
    var running = 0
    var failure: (any Error)?
    var statistics = Statistics()

    /// What a run did, for the memory-bound and scheduling tests.
    struct Statistics: Equatable {
        /// The most slots that ever held a batch at once.
        var slotsInUseHighWater = 0
        /// Frames the filling thread transformed while the window was full.
        var framesTransformedByFiller = 0
    }

    init(slots: Int, jobs: Int, hashes: Bool, hashesInput: Bool) {
        precondition(slots >= 2 && jobs >= 1)
        self.slots = slots
        self.jobs = jobs
        self.hashes = hashes
        self.hashesInput = hashesInput
        frameCounts = Array(repeating: 0, count: slots)
        claimed = Array(repeating: 0, count: slots)
        finished = Array(repeating: 0, count: slots)
    }

    /// Batches whose slot may be reused.
    var freed: Int { hashes ? Swift.min(written, hashed) : written }

    func isPast(_ batch: Int) -> Bool { lastBatch.map { batch > $0 } ?? false }

    /// True when the window is full: batch `batch` may not be filled yet.
    func windowFull(for batch: Int) -> Bool { batch - freed >= slots }

    /// Whether the filler, with the window full, should seal frames itself rather than wait:
    /// only with more than one job, and not while sealed batches queue for the writer or the
    /// digest (they then set the pace and need the core more than the AES does).
    var fillerShouldHelp: Bool { jobs > 1 && transformed - freed < 2 && hasClaimableFrames }

    /// Whether some filled batch has frames nobody has claimed.
    var hasClaimableFrames: Bool {
        var batch = claimCursor
        while batch < filled {
            if claimed[batch % slots] < frameCounts[batch % slots] { return true }
            batch += 1
        }
        return false
    }

    /// True once the last batch was filled and every frame is claimed: the transform threads may
    /// stop (frames still being transformed belong to the threads that claimed them).
    var allClaimed: Bool {
        guard let last = lastBatch, filled > last else { return false }
        return !hasClaimableFrames
    }

    /// Records that batch `batch` was filled with `frames` frames (and whether it is the last).
    /// Returns whether any batch finished its transform stage (a batch without frames has nothing to transform).
    mutating func recordFill(batch: Int, frames: Int, isLast: Bool) -> Bool {
        frameCounts[batch % slots] = frames
        filled = batch + 1
        if isLast { lastBatch = batch }
        return advanceTransformed()
    }

    /// Claims the next run of unclaimed frames of the oldest filled batch, if there is one.
    /// Runs are 1/(2·jobs) of a batch: few lock round trips, and the last frames of a batch
    /// still spread over every thread.
    mutating func claimFrames() -> (slot: Int, frames: Range<Int>)? {
        while claimCursor < filled {
            let index = claimCursor % slots
            let total = frameCounts[index]
            if claimed[index] < total {
                let run = Swift.max(1, (total + 2 * jobs - 1) / (2 * jobs))
                let range = claimed[index]..<Swift.min(total, claimed[index] + run)
                claimed[index] = range.upperBound
                return (index, range)
            }
            claimCursor += 1
        }
        return nil
    }

    /// Records `count` finished frames of `slot`; returns whether a batch finished its transform stage.
    mutating func finishFrames(ofSlot slot: Int, count: Int) -> Bool {
        finished[slot] += count
        return advanceTransformed()
    }

    private mutating func advanceTransformed() -> Bool {
        let before = transformed
        while transformed < filled {
            let index = transformed % slots
            guard finished[index] == frameCounts[index] else { break }
            claimed[index] = 0
            finished[index] = 0
            transformed += 1
        }
        // Its counters were just reset: the cursor must not come back to a finished batch.
        claimCursor = Swift.max(claimCursor, transformed)
        return transformed > before
    }

    /// Keeps the first error.
    mutating func fail(_ error: any Error) {
        if failure == nil { failure = error }
    }
}
