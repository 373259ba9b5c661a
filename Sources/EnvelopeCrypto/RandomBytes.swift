import CEnvelopeOpenSSL
import CEnvelopeSodium

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Cryptographically secure random bytes from OpenSSL's DRBGs.
///
/// Secrets come from the private DRBG (`RAND_priv_bytes`), public values (IVs, message IDs) from
/// the public one (`RAND_bytes`). A DRBG call costs about as much as the rest of a small message's
/// key work whatever its size (locking, a reseed check, two AES re-keys of the DRBG state), so
/// small requests are served from a reserve per DRBG, drawn `RandomReserve.blockSize` bytes at
/// a time (see `RandomReserve`). Requests above `RandomReserve.largeRequest` bytes go to the
/// DRBG directly.
public enum RandomBytes {
    /// Returns `count` random bytes in an ordinary array (for IVs, message IDs and other public values).
    public static func array(count: Int) -> [UInt8] {
        [UInt8](byteCapacity: count) { buffer, n in
            fill(UnsafeMutableRawBufferPointer(buffer))
            n = count
        }
    }

    /// Fills a caller buffer with random bytes (public values).
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        RandomReserve.shared.public.take(into: buffer)
    }

    /// Returns `count` random bytes in guarded memory (for data keys and other secrets).
    public static func secure(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { RandomReserve.shared.private.take(into: $0) }
    }

    /// Fills `buffer` straight from a DRBG (`RAND_bytes` or `RAND_priv_bytes`).
    static func draw(_ buffer: UnsafeMutableRawBufferPointer, _ source: (UnsafeMutablePointer<UInt8>?, Int32) -> Int32) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var offset = 0
        while offset < buffer.count {
            let n = min(buffer.count - offset, Int(Int32.max))
            // Fails only when the OS entropy source is unusable; continuing would be unsafe.
            guard source((base + offset).assumingMemoryBound(to: UInt8.self), Int32(n)) == 1 else {
                fatalError("OpenSSL's random generator failed: \(OpenSSLErrors.drain())")
            }
            offset += n
        }
    }
}

/// Bytes drawn from one OpenSSL DRBG a block at a time, handed out in order, each byte once.
///
/// - Every byte handed out is wiped from the block at once (the private reserve keeps no copy of
///   a key it gave out); bytes not yet handed out are as secret as a key and, for the private
///   reserve, live in guarded, locked memory (``GuardedMemoryPool/allocatePermanentBlock(count:)``).
/// - Fork-safe: a child process discards both reserves (`pthread_atfork`), so parent and child
///   never hand out the same bytes; OpenSSL reseeds its own DRBGs in the child.
/// - Thread-safe: a mutex guards each reserve; a refill (one DRBG call) runs under it.
final class RandomReserve: @unchecked Sendable {
    /// Bytes drawn per DRBG call: about 50 small messages' worth (a data key, a message ID, an IV).
    static let blockSize = 4096
    /// Requests larger than this are served by the DRBG directly.
    static let largeRequest = 256

    /// The public and private reserves of the process.
    static let shared: (public: RandomReserve, private: RandomReserve) = {
        let pair = (public: RandomReserve(guarded: false), private: RandomReserve(guarded: true))
        // Registered once, after both exist. The prepare handler takes both locks so that no
        // thread is inside a reserve when the address space is copied.
        pthread_atfork({ RandomReserve.forEach { $0.lock.lock() } },
                       { RandomReserve.forEach { $0.lock.unlock() } },
                       { RandomReserve.forEach { $0.discardAfterFork() } })
        return pair
    }()

    private static func forEach(_ body: (RandomReserve) -> Void) {
        body(shared.public)
        body(shared.private)
    }

    fileprivate let lock = PThreadLock()
    private let block: UnsafeMutableRawPointer
    private let guarded: Bool
    private let source: (UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    // Guarded by `lock`: the offset of the first byte not yet handed out (blockSize: empty).
    private var next: Int

    /// A reserve of the private DRBG in guarded memory (`guarded`), or of the public one.
    init(guarded: Bool) {
        self.guarded = guarded
        if guarded {
            source = { RAND_priv_bytes($0, $1) }
        } else {
            source = { RAND_bytes($0, $1) }
        }
        if guarded {
            Sodium.ensureReady()
            guard let b = GuardedMemoryPool.shared.allocatePermanentBlock(count: Self.blockSize) else {
                fatalError("libsodium could not allocate \(Self.blockSize) bytes of guarded memory for the random reserve")
            }
            block = b
        } else {
            block = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 16)
        }
        next = Self.blockSize
    }

    /// Fills `out` with bytes never handed out before.
    func take(into out: UnsafeMutableRawBufferPointer) {
        guard let base = out.baseAddress, out.count > 0 else { return }
        guard out.count <= Self.largeRequest else {
            RandomBytes.draw(out, source)
            return
        }
        lock.withLock {
            var written = 0
            while written < out.count {
                if next == Self.blockSize {
                    RandomBytes.draw(UnsafeMutableRawBufferPointer(start: block, count: Self.blockSize), source)
                    next = 0
                }
                let n = min(out.count - written, Self.blockSize - next)
                (base + written).copyMemory(from: block + next, byteCount: n)
                wipe(block + next, n)
                next += n
                written += n
            }
        }
    }

    /// In the child after `fork`: drops what the parent had not handed out yet and releases the
    /// lock the prepare handler took.
    fileprivate func discardAfterFork() {
        wipe(block, Self.blockSize)
        next = Self.blockSize
        lock.unlock()
    }

    private func wipe(_ p: UnsafeMutableRawPointer, _ count: Int) {
        if guarded { sodium_memzero(p, count) } else { p.initializeMemory(as: UInt8.self, repeating: 0, count: count) }
    }

    /// Bytes that the next request would get, without handing them out (tests).
    func peek(_ count: Int) -> [UInt8] {
        lock.withLock {
            if next == Self.blockSize { return [] }
            return Array(UnsafeRawBufferPointer(start: block + next, count: min(count, Self.blockSize - next)))
        }
    }

    /// Runs the child-side fork handler as if this process were the child of a fork (tests).
    func simulateForkChild() {
        lock.lock()
        discardAfterFork()
    }
}
