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

    /// The most bytes each buffer may grow to (``reserveInput(_:keeping:)``, ``reserveOutput(_:)``).
    let inputLimit: Int
    let outputLimit: Int
    /// Bytes mapped now (both buffers): they only grow until ``free()``, so before it this is the
    /// most the slot ever held.
    var mappedBytes: Int { input.count + output.count }

    /// With `mapNow` the buffers are mapped at their full capacities at once; otherwise nothing is
    /// mapped until the batch's data needs it, so a pipeline is sized by the message rather than
    /// by what its header declares (issue 15, item 5). Throws ``EnvelopeError/Code/outOfMemory``
    /// when the kernel refuses.
    init(inputCapacity: Int, outputCapacity: Int, frameCapacity: Int, plaintext: PlaintextSide, mapNow: Bool = true) throws {
        inputLimit = inputCapacity
        outputLimit = outputCapacity
        input = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        output = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        plaintextSide = plaintext
        frames.reserveCapacity(frameCapacity)
        if mapNow {
            try reserveInput(inputCapacity, keeping: 0)
            try reserveOutput(outputCapacity)
        }
    }

    /// Makes the input buffer at least `count` bytes (at most ``inputLimit``), keeping its first
    /// `keep` bytes. The old buffer is wiped when it held plaintext.
    func reserveInput(_ count: Int, keeping keep: Int) throws {
        guard input.count < count else { return }
        precondition(count <= inputLimit && keep <= input.count, "slot input reserved beyond its limit")
        let grown = try Self.map(count)
        if keep > 0 { grown.baseAddress!.copyMemory(from: input.baseAddress!, byteCount: keep) }
        release(&input, wiping: plaintextSide == .input ? keep : 0)
        input = grown
    }

    /// Makes the output buffer at least `count` bytes (at most ``outputLimit``); its contents are
    /// not kept (the slot's previous batch was written already). The old buffer is wiped when it
    /// held plaintext.
    func reserveOutput(_ count: Int) throws {
        guard output.count < count else { return }
        precondition(count <= outputLimit, "slot output reserved beyond its limit")
        let grown = try Self.map(count)
        release(&output, wiping: plaintextSide == .output ? Swift.min(plaintextHighWater, output.count) : 0)
        output = grown
    }

    /// The first bytes to give to the next read: small at first, then doubling what the buffer
    /// already holds, up to `limit` (geometric growth: O(n) copying in all).
    static func nextReserve(holding count: Int, limit: Int) -> Int {
        Swift.min(limit, Swift.max(64 * 1024, 2 * count))
    }

    private func release(_ buffer: inout UnsafeMutableRawBufferPointer, wiping wiped: Int) {
        guard buffer.count > 0 else { return }
        ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Swift.min(wiped, buffer.count)]))
        munmap(buffer.baseAddress, buffer.count)
        buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
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
        EnvelopeError.exhausted(ResourceFailure(.memory, requested: size, errno: code),
                                "Could not map \(size) bytes for a batch of frames: \(String(cString: strerror(code))). Lower the client's concurrency or the frame length, or free memory.")
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
        let wiped = Swift.min(plaintextHighWater, plaintextSide == .input ? input.count : output.count)
        release(&input, wiping: plaintextSide == .input ? wiped : 0)
        release(&output, wiping: plaintextSide == .output ? wiped : 0)
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
