import CEnvelopeSodium

/// Secret bytes (data keys, derived keys, private keys) in libsodium guarded memory.
///
/// Secrets of up to 64 bytes (every data key and derived key) live in a slot of a process-wide
/// pool of guarded, locked pages (see ``SecureMemory``); larger ones get their own `sodium_malloc`
/// allocation between guard pages, made read-only once written. Either way the bytes are not
/// swappable where the OS allows locking, and are zeroed when the last reference goes away. The
/// type never prints its contents and compares in constant time. It is immutable after creation,
/// which is what makes it `Sendable`.
public final class SecureBytes: @unchecked Sendable, ContiguousByteStorage, Equatable, CustomStringConvertible {
    private let pointer: UnsafeMutableRawPointer?
    /// True when `pointer` is a slot of ``GuardedMemoryPool/shared`` (else a `sodium_malloc` block).
    let isPooled: Bool
    /// Number of secret bytes.
    public let count: Int

    /// Allocates `count` guarded bytes and lets `initializer` write them once.
    public init(count: Int, _ initializer: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        Sodium.ensureReady()
        precondition(count >= 0, "negative SecureBytes size")
        self.count = count
        if count == 0 {
            pointer = nil
            isPooled = false
            try initializer(UnsafeMutableRawBufferPointer(start: nil, count: 0))
            return
        }
        if let slot = GuardedMemoryPool.shared.allocate(count: count) {
            pointer = slot
            isPooled = true
            // A throwing initializer still runs `deinit`, which wipes and releases the slot.
            try initializer(UnsafeMutableRawBufferPointer(start: slot, count: count))
            return
        }
        isPooled = false
        guard let p = sodium_malloc(count) else {
            throw CryptoError(.allocationFailed, "could not allocate \(count) bytes of guarded memory for a secret")
        }
        pointer = p
        // If the initializer throws, every stored property is set, so `deinit` runs and frees
        // (and zeroes) the allocation: freeing it here too would be a double free.
        try initializer(UnsafeMutableRawBufferPointer(start: p, count: count))
        sodium_mprotect_readonly(p)
    }

    /// Copies `bytes` into guarded memory. The caller remains responsible for wiping its own copy.
    public convenience init<Bytes: ContiguousByteStorage>(copying bytes: Bytes) throws {
        try self.init(bytesFrom: bytes)
    }

    private convenience init<Bytes: ContiguousByteStorage>(bytesFrom bytes: Bytes) throws {
        let count = bytes.withUnsafeBytes { $0.count }
        try self.init(count: count) { destination in
            bytes.withUnsafeBytes { source in
                if let d = destination.baseAddress, let s = source.baseAddress, count > 0 {
                    d.copyMemory(from: s, byteCount: count)
                }
            }
        }
    }

    /// Copies an array into guarded memory and zeroes the array.
    public convenience init(consuming bytes: inout [UInt8]) throws {
        try self.init(bytesFrom: bytes)
        bytes.withUnsafeMutableBytes { ConstantTime.zero($0) }
    }

    deinit {
        guard let pointer else { return }
        if isPooled {
            GuardedMemoryPool.shared.release(pointer)
        } else {
            sodium_free(pointer)
        }
    }

    /// Where the secret lives (tests inspect the slot after release; never exposed publicly).
    var storageAddress: UnsafeRawPointer? { pointer.map { UnsafeRawPointer($0) } }

    /// Gives read access to the secret bytes for the duration of `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Copies the secret out into an ordinary array. Only for handing a key to an API that needs
    /// one (for example a KMS response); the caller must wipe it.
    public func unprotectedCopy() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        ConstantTime.equal(lhs, rhs)
    }

    public var description: String { "SecureBytes(\(count) bytes, redacted)" }
}

/// Facts about the guarded memory that holds ``SecureBytes``.
public enum SecureMemory {
    /// True while the pool of guarded pages that holds small secrets is locked in memory, so it
    /// cannot be swapped out. False when the OS refused `mlock` (for example a low
    /// `RLIMIT_MEMLOCK` without `CAP_IPC_LOCK`): secrets are still wiped on release and guarded,
    /// but may reach swap. Raise the limit (`ulimit -l`) to restore the guarantee.
    public static var isLockedInMemory: Bool { GuardedMemoryPool.shared.isLockedInMemory }
}
