import CEnvelopeOpenSSL

/// The key-based KDF in counter mode of NIST SP 800-108 (section 4.1) with an HMAC PRF, through
/// OpenSSL's `KBKDF`.
///
/// Block *i* is `HMAC(key, [i]₃₂ ‖ label ‖ 0x00 ‖ context ‖ [L]₃₂)` with `L` the output length in
/// bits, both integers 32-bit big-endian, as the AWS Material Providers Library derives the
/// hierarchical keyring's wrapping keys (HMAC-SHA-256, label `aws-kms-hierarchy`) and the raw
/// ECDH keyring's (HMAC-SHA-384).
///
/// Derivations run on OpenSSL contexts kept per digest (mode, MAC and digest set once, so no
/// fetch by name per call); after use a context's key is replaced by one zero byte. For many
/// HMAC-SHA-256 derivations from one key, ``CounterModeKDF/PreparedKey`` prepares the key once.
public enum CounterModeKDF {
    /// Derives `length` bytes into guarded memory.
    ///
    /// - Parameters:
    ///   - hash: The HMAC digest.
    ///   - key: The key derivation key.
    ///   - label: The label (the purpose of the derived key).
    ///   - context: The context (for example a per-message salt).
    ///   - length: Output bytes, 1 … 1024.
    public static func deriveKey(hash: HashFunction, key: SecureBytes, label: [UInt8], context: [UInt8], length: Int) throws -> SecureBytes {
        try checkOutputLength(length)
        // An empty label or context is passed on a context of its own: whether OpenSSL 3.0 replaces
        // a kept value with an empty one is not documented (HKDF's salt is not replaced).
        let pool = kbkdfContextPools.pool(for: hash)
        let reusable = !label.isEmpty && !context.isEmpty
        guard let ctx = (reusable ? pool.take() : nil) ?? envelope_kbkdf_context(FetchedAlgorithms.kbkdf, hash.openSSLCName) else {
            throw CryptoError.openSSL("EVP_KDF_CTX_new (KBKDF)")
        }
        defer {
            if reusable && envelope_kbkdf_forget_key(ctx) == 1 { pool.give(ctx) } else { OpenSSLErrors.clear(); EVP_KDF_CTX_free(ctx) }
        }
        return try SecureBytes(count: length) { out in
            let ok = key.withUnsafeBytes { k in
                label.withUnsafeBytes { l in
                    context.withUnsafeBytes { c in
                        envelope_kbkdf_run(ctx, k.bindMemory(to: UInt8.self).baseAddress, k.count,
                                           l.bindMemory(to: UInt8.self).baseAddress, l.count,
                                           c.bindMemory(to: UInt8.self).baseAddress, c.count,
                                           out.bindMemory(to: UInt8.self).baseAddress, out.count)
                    }
                }
            }
            guard ok == 1 else { throw CryptoError.openSSL("KBKDF (counter mode, HMAC-\(hash))") }
        }
    }
}

extension CounterModeKDF {
    /// Refuses an output length outside 1 … 1024 bytes (both derivation paths).
    static func checkOutputLength(_ length: Int) throws {
        guard length > 0, length <= 1024 else {
            throw CryptoError(.invalidInput, "counter-mode KDF output length \(length) is out of range (1…1024 bytes)")
        }
    }
}

/// Idle KBKDF contexts, one pool per digest.
let kbkdfContextPools = DigestContextPools { EVP_KDF_CTX_free($0) }
