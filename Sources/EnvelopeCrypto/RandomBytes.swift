import CEnvelopeOpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBGs.
///
/// OpenSSL keeps a per-thread DRBG seeded from the OS, so a call costs no system call (libsodium's
/// `randombytes_buf` makes one `getrandom` per call, three per message). Secrets come from the
/// separate private DRBG (`RAND_priv_bytes`), public values (IVs, message IDs) from the public one.
public enum RandomBytes {
    /// Returns `count` random bytes in an ordinary array (for IVs, message IDs and other public values).
    public static func array(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
            fill(UnsafeMutableRawBufferPointer(buffer))
            n = count
        }
    }

    /// Fills a caller buffer with random bytes (public values).
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        draw(buffer, RAND_bytes)
    }

    /// Returns `count` random bytes in guarded memory (for data keys and other secrets).
    public static func secure(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { draw($0, RAND_priv_bytes) }
    }

    private static func draw(_ buffer: UnsafeMutableRawBufferPointer, _ source: (UnsafeMutablePointer<UInt8>?, Int32) -> Int32) {
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
