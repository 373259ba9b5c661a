import CEnvelopeOpenSSL

/// An AES-GCM key that seals and opens many short inputs (a keyring's wrapping key): its OpenSSL
/// contexts are keyed once and kept with the key, instead of keyed and wiped on every call.
///
/// On OpenSSL 3.0 keying a GCM context (key schedule and hash key) and wiping it again cost about
/// 2,900 instructions, more than sealing a 32-byte data key. A prepared key pays that once per
/// context. Its contexts hold the key schedule exactly as long as the key itself is held: they
/// are freed, which wipes them, when the last reference goes away. Concurrent callers each take
/// their own context (a small pool per key), so the type is `Sendable`.
public final class AESGCMPreparedKey: @unchecked Sendable {
    private let key: SecureBytes
    private let cipher: OpaquePointer
    /// Idle contexts keyed with `key`; a context that failed is freed instead of kept.
    private let contexts = ContextPool { EVP_CIPHER_CTX_free($0) }

    /// Prepares a 16-, 24- or 32-byte key. Contexts are keyed on first use.
    public init(_ key: SecureBytes) throws {
        guard let cipher = FetchedAlgorithms.aesGCM(keyLength: key.count) else {
            throw CryptoError(.invalidInput, "an AES-GCM key must be 16, 24 or 32 bytes, not \(key.count)")
        }
        self.key = key
        self.cipher = cipher
    }

    /// The key length in bytes.
    public var count: Int { key.count }

    /// Seals `plaintext` into `ciphertext` (at least as long) and writes the 16-byte tag.
    ///
    /// - Parameters:
    ///   - plaintext: the bytes to seal.
    ///   - iv: the 12-byte IV.
    ///   - aad: the additional authenticated data.
    ///   - ciphertext: receives the ciphertext.
    ///   - tag: receives the 16-byte tag.
    public func seal(
        plaintext: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        ciphertext: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        try withOperations(.seal) { try $0.seal(plaintext: plaintext, iv: iv, aad: aad, ciphertext: ciphertext, tag: tag) }
    }

    /// Opens `ciphertext` into `plaintext` (at least as long), or throws `authenticationFailed`
    /// after zeroing `plaintext`.
    ///
    /// - Parameters:
    ///   - ciphertext: the bytes to open.
    ///   - tag: the 16-byte tag.
    ///   - iv: the 12-byte IV.
    ///   - aad: the additional authenticated data.
    ///   - plaintext: receives the plaintext.
    public func open(
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        try withOperations(.open) { try $0.open(ciphertext: ciphertext, tag: tag, iv: iv, aad: aad, plaintext: plaintext) }
    }

    /// Runs `body` on a keyed context. Every operation sets its own IV and direction, so one
    /// context serves both directions.
    private func withOperations(_ direction: AESGCM.Direction, _ body: (GCMOperations) throws -> Void) throws {
        let context = try contexts.take() ?? AESGCMContext.keyedContext(key: key, direction: direction, cipher: cipher, pool: nil)
        do {
            try body(GCMOperations(context: context, direction: direction))
        } catch {
            OpenSSLErrors.clear()
            EVP_CIPHER_CTX_free(context)
            throw error
        }
        contexts.give(context)
    }
}
