import CEnvelopeSodium

/// Secret bytes (data keys, derived keys, private keys) in libsodium guarded memory.
///
/// The bytes sit between guard pages, are made read-only once written, and are zeroed when the
/// last reference goes away (`sodium_free`). The type never prints its contents and compares in
/// constant time. It is immutable after creation, which is what makes it `Sendable`.
public final class SecureBytes: @unchecked Sendable, ContiguousByteStorage, Equatable, CustomStringConvertible {
    private let pointer: UnsafeMutableRawPointer?
    /// Number of secret bytes.
    public let count: Int

    /// Allocates `count` guarded bytes and lets `initializer` write them once.
    public init(count: Int, _ initializer: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        Sodium.ensureReady()
        precondition(count >= 0, "negative SecureBytes size")
        self.count = count
        if count == 0 {
            pointer = nil
            try initializer(UnsafeMutableRawBufferPointer(start: nil, count: 0))
            return
        }
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
        if let pointer { sodium_free(pointer) }
    }

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
