import CEnvelopeSodium

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Process-wide pool of libsodium guarded pages that small secrets (data keys, derived keys,
/// commitments: at most ``slotSize`` bytes) are carved from.
///
/// `sodium_malloc` per key costs an mmap, two mprotects, an mlock and the matching munmap on free:
/// more than all the cryptography of a small message. The pool pays that once per chunk of
/// ``slotsPerChunk`` slots and then hands out slots under a mutex.
///
/// Guarantees kept from per-key `sodium_malloc`:
/// - every chunk sits between libsodium guard pages (and behind its canary);
/// - chunks are locked in memory (`sodium_mlock`, which also excludes them from core dumps where
///   the OS allows); ``isLockedInMemory`` turns false, for good, if the OS refused to lock one;
/// - a slot is wiped with `sodium_memzero` before it goes back on the free list.
///
/// What the pool does not keep: a slot cannot be made read-only on its own (protection is per
/// page), so pooled secrets stay writable in memory; only ``SecureBytes`` code writes to them.
/// Secrets larger than a slot, and any request once ``maxChunks`` chunks are in use, fall back to
/// a fresh `sodium_malloc` allocation with read-only protection, exactly as before.
final class GuardedMemoryPool: @unchecked Sendable {
    /// Bytes per slot: the largest secret the pool serves (HKDF-SHA-512 output, a 64-byte key).
    static let slotSize = 64
    /// Slots per chunk: 64 KiB of guarded, locked memory.
    static let slotsPerChunk = 1024
    /// At most 16 chunks (1 MiB locked); more live secrets than that use per-key allocations.
    static let maxChunks = 16

    /// The pool every ``SecureBytes`` uses.
    static let shared = GuardedMemoryPool()

    private let lock = PThreadLock()
    // Guarded by `lock`.
    private var chunks: [UnsafeMutableRawPointer] = []
    private var freeSlots: [UnsafeMutableRawPointer] = []
    private var lockFailed = false

    init() {
        // sodium_malloc aborts unless libsodium is initialised.
        Sodium.ensureReady()
        chunks.reserveCapacity(Self.maxChunks)
    }

    deinit {
        // Only test pools are ever freed; the shared pool lives as long as the process.
        for chunk in chunks { sodium_free(chunk) }
    }

    private func withLock<R>(_ body: () throws -> R) rethrows -> R {
        try lock.withLock(body)
    }

    /// True while every chunk the pool allocated could be locked in memory (not swappable).
    var isLockedInMemory: Bool { withLock { !lockFailed } }

    /// Number of chunks allocated so far (tests).
    var chunkCount: Int { withLock { chunks.count } }

    /// Number of slots free right now (tests).
    var freeSlotCount: Int { withLock { freeSlots.count } }

    /// A zeroed slot for a secret of `count` bytes, or nil when the secret does not fit a slot or
    /// the pool cannot grow (the caller then allocates on its own).
    func allocate(count: Int) -> UnsafeMutableRawPointer? {
        guard count > 0, count <= Self.slotSize else { return nil }
        return withLock {
            if let slot = freeSlots.popLast() { return slot }
            guard growLocked() else { return nil }
            return freeSlots.popLast()
        }
    }

    /// Wipes a slot and returns it to the pool.
    func release(_ slot: UnsafeMutableRawPointer) {
        sodium_memzero(slot, Self.slotSize)
        withLock { freeSlots.append(slot) }
    }

    /// True when `pointer` is a slot of this pool (tests).
    func owns(_ pointer: UnsafeRawPointer) -> Bool {
        let chunkBytes = Self.slotSize * Self.slotsPerChunk
        return withLock {
            chunks.contains { pointer >= UnsafeRawPointer($0) && pointer < UnsafeRawPointer($0) + chunkBytes }
        }
    }

    /// A zeroed block of `count` bytes of guarded, locked memory for a secret buffer that lives as
    /// long as the process (the private random reserve), or nil when libsodium cannot allocate it.
    /// A refused `mlock` turns ``isLockedInMemory`` false, as for the pool's own chunks.
    func allocatePermanentBlock(count: Int) -> UnsafeMutableRawPointer? {
        guard let (block, locked) = Self.guardedBlock(count) else { return nil }
        if !locked { withLock { lockFailed = true } }
        return block
    }

    /// sodium_malloc puts guard pages before and after the block and a canary in front of it, and
    /// tries to mlock it; the explicit call tells whether that worked.
    private static func guardedBlock(_ count: Int) -> (UnsafeMutableRawPointer, locked: Bool)? {
        guard let block = sodium_malloc(count) else { return nil }
        let locked = sodium_mlock(block, count) == 0
        sodium_memzero(block, count)
        return (block, locked)
    }

    private func growLocked() -> Bool {
        guard chunks.count < Self.maxChunks else { return false }
        let chunkBytes = Self.slotSize * Self.slotsPerChunk
        guard let (chunk, locked) = Self.guardedBlock(chunkBytes) else { return false }
        if !locked { lockFailed = true }
        chunks.append(chunk)
        freeSlots.reserveCapacity(chunks.count * Self.slotsPerChunk)
        // Hand out low addresses first (popLast takes from the end).
        for i in stride(from: Self.slotsPerChunk - 1, through: 0, by: -1) {
            freeSlots.append(chunk + i * Self.slotSize)
        }
        return true
    }
}
