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

    /// The chunks, the free slots and whether every chunk could be locked in memory.
    private struct State {
        var chunks: [UnsafeMutableRawPointer] = []
        var freeSlots: [UnsafeMutableRawPointer] = []
        var lockFailed = false
    }

    private let state: LockedState<State>

    init() {
        // sodium_malloc aborts unless libsodium is initialised.
        Sodium.ensureReady()
        var initial = State()
        initial.chunks.reserveCapacity(Self.maxChunks)
        state = LockedState(initial)
    }

    deinit {
        // Only test pools are ever freed; the shared pool lives as long as the process.
        state.withLock { for chunk in $0.chunks { sodium_free(chunk) } }
    }

    /// True while every chunk the pool allocated could be locked in memory (not swappable).
    var isLockedInMemory: Bool { state.withLock { !$0.lockFailed } }

    /// Number of chunks allocated so far (tests).
    var chunkCount: Int { state.withLock { $0.chunks.count } }

    /// Number of slots free right now (tests).
    var freeSlotCount: Int { state.withLock { $0.freeSlots.count } }

    /// A zeroed slot for a secret of `count` bytes, or nil when the secret does not fit a slot or
    /// the pool cannot grow (the caller then allocates on its own).
    func allocate(count: Int) -> UnsafeMutableRawPointer? {
        guard count > 0, count <= Self.slotSize else { return nil }
        return state.withLock { state in
            if let slot = state.freeSlots.popLast() { return slot }
            guard Self.grow(&state) else { return nil }
            return state.freeSlots.popLast()
        }
    }

    /// Wipes a slot and returns it to the pool.
    func release(_ slot: UnsafeMutableRawPointer) {
        sodium_memzero(slot, Self.slotSize)
        state.withLock { $0.freeSlots.append(slot) }
    }

    /// True when `pointer` is a slot of this pool (tests).
    func owns(_ pointer: UnsafeRawPointer) -> Bool {
        let chunkBytes = Self.slotSize * Self.slotsPerChunk
        return state.withLock {
            $0.chunks.contains { pointer >= UnsafeRawPointer($0) && pointer < UnsafeRawPointer($0) + chunkBytes }
        }
    }

    /// A zeroed block of `count` bytes of guarded, locked memory for a secret buffer that lives as
    /// long as the process (the private random reserve), or nil when libsodium cannot allocate it.
    /// A refused `mlock` turns ``isLockedInMemory`` false, as for the pool's own chunks.
    func allocatePermanentBlock(count: Int) -> UnsafeMutableRawPointer? {
        guard let (block, locked) = Self.guardedBlock(count) else { return nil }
        if !locked { state.withLock { $0.lockFailed = true } }
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

    /// Adds a chunk of free slots (under the lock); false when the pool is at its maximum or
    /// libsodium cannot allocate.
    private static func grow(_ state: inout State) -> Bool {
        guard state.chunks.count < maxChunks else { return false }
        let chunkBytes = slotSize * slotsPerChunk
        guard let (chunk, locked) = guardedBlock(chunkBytes) else { return false }
        if !locked { state.lockFailed = true }
        state.chunks.append(chunk)
        state.freeSlots.reserveCapacity(state.chunks.count * slotsPerChunk)
        // Hand out low addresses first (popLast takes from the end).
        for i in stride(from: slotsPerChunk - 1, through: 0, by: -1) {
            state.freeSlots.append(chunk + i * slotSize)
        }
        return true
    }
}
