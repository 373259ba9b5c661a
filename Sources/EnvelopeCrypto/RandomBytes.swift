import CEnvelopeSodium

/// Cryptographically secure random bytes from libsodium.
public enum RandomBytes {
    /// Returns `count` random bytes in an ordinary array (for IVs, message IDs and other public values).
    public static func array(count: Int) -> [UInt8] {
        Sodium.ensureReady()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { fill($0) }
        return bytes
    }

    /// Fills a caller buffer with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        Sodium.ensureReady()
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    /// Returns `count` random bytes in guarded memory (for data keys and other secrets).
    public static func secure(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { fill($0) }
    }
}
