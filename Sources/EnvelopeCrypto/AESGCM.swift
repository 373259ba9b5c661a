import CEnvelopeOpenSSL

/// AES-GCM with a 12-byte IV and a 16-byte tag, the only shape the ESDK uses.
public enum AESGCM {
    /// The IV length in bytes.
    public static let ivLength = 12
    /// The authentication tag length in bytes.
    public static let tagLength = 16

    /// Which direction a context works in.
    public enum Direction: Sendable { case seal, open }

    /// Seals `plaintext` (an array, or a `SecureBytes` secret such as a data key being wrapped) in
    /// one call. Returns ciphertext and tag.
    public static func seal<Plaintext: ContiguousByteStorage>(
        _ plaintext: Plaintext, key: SecureBytes, iv: [UInt8], authenticating aad: [UInt8]
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let context = try AESGCMContext(key: key, direction: .seal)
        return try context.seal(plaintext, iv: iv, authenticating: aad)
    }

    /// Opens `ciphertext` in one call, or throws `authenticationFailed`.
    public static func open(
        _ ciphertext: [UInt8], tag: [UInt8], key: SecureBytes, iv: [UInt8], authenticating aad: [UInt8]
    ) throws -> [UInt8] {
        let context = try AESGCMContext(key: key, direction: .open)
        return try context.open(ciphertext, tag: tag, iv: iv, authenticating: aad)
    }

    /// Seals in one call on a pooled OpenSSL context, with no object (wrapping one data key):
    /// the context is re-keyed with zeros before it is kept again.
    ///
    /// - Parameters:
    ///   - key: the 16-, 24- or 32-byte key.
    ///   - plaintext: the bytes to seal.
    ///   - iv: the 12-byte IV.
    ///   - aad: the additional authenticated data.
    ///   - ciphertext: receives the ciphertext (at least as long as `plaintext`).
    ///   - tag: receives the 16-byte tag.
    public static func seal(
        key: SecureBytes, plaintext: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        ciphertext: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        try withOperations(key: key, direction: .seal) {
            try $0.seal(plaintext: plaintext, iv: iv, aad: aad, ciphertext: ciphertext, tag: tag)
        }
    }

    /// Opens in one call on a pooled OpenSSL context, with no object (unwrapping one data key),
    /// or throws `authenticationFailed` after zeroing `plaintext`.
    ///
    /// - Parameters:
    ///   - key: the 16-, 24- or 32-byte key.
    ///   - ciphertext: the bytes to open.
    ///   - tag: the 16-byte tag.
    ///   - iv: the 12-byte IV.
    ///   - aad: the additional authenticated data.
    ///   - plaintext: receives the plaintext (at least as long as `ciphertext`).
    public static func open(
        key: SecureBytes, ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        try withOperations(key: key, direction: .open) {
            try $0.open(ciphertext: ciphertext, tag: tag, iv: iv, aad: aad, plaintext: plaintext)
        }
    }

    private static func withOperations<R>(key: SecureBytes, direction: Direction, _ body: (GCMOperations) throws -> R) throws -> R {
        guard let cipher = FetchedAlgorithms.aesGCM(keyLength: key.count) else {
            throw CryptoError(.invalidInput, "an AES-GCM key must be 16, 24 or 32 bytes, not \(key.count)")
        }
        let pool = GCMContextPool.pool(keyLength: key.count)
        let context = try AESGCMContext.keyedContext(key: key, direction: direction, cipher: cipher, pool: pool)
        defer { AESGCMContext.release(context, pool: pool) }
        return try body(GCMOperations(context: context, direction: direction))
    }

    /// Opens a wrapped secret (a data key, a stored key) straight into guarded memory, so the
    /// plaintext never exists in an ordinary array.
    public static func openSecret<Ciphertext: ContiguousByteStorage>(
        _ ciphertext: Ciphertext, tag: [UInt8], key: SecureBytes, iv: [UInt8], authenticating aad: [UInt8]
    ) throws -> SecureBytes {
        let context = try AESGCMContext(key: key, direction: .open)
        return try context.openSecret(ciphertext, tag: tag, iv: iv, authenticating: aad)
    }
}

/// An OpenSSL `EVP_CIPHER_CTX` keyed once and reused for every frame of a message.
///
/// Not thread-safe: one context serves one task at a time (the parallel pipeline gives each
/// worker its own). The OpenSSL context comes from a pool per key length and is re-keyed, not
/// re-created (see `GCMContextPool`); when this object goes away the context is re-keyed with
/// zeros before it goes back, so the key schedule never outlives the object.
public final class AESGCMContext {
    private let context: OpaquePointer
    private let pool: ContextPool?
    public let direction: AESGCM.Direction

    /// Creates a context for a 16-, 24- or 32-byte key.
    public convenience init(key: SecureBytes, direction: AESGCM.Direction) throws {
        // Fetched once per process: no implicit fetch by OpenSSL on each init.
        guard let cipher = FetchedAlgorithms.aesGCM(keyLength: key.count) else {
            throw CryptoError(.invalidInput, "an AES-GCM key must be 16, 24 or 32 bytes, not \(key.count)")
        }
        try self.init(key: key, direction: direction, cipher: cipher, pool: GCMContextPool.pool(keyLength: key.count))
    }

    /// Creates a context for `cipher`, a fetched cipher whose key length is `key.count`, with its
    /// OpenSSL context from `pool` when there is one. Tests reach the failure path through it with
    /// a cipher whose key set-up fails.
    ///
    /// Issue 15, point 4: the OpenSSL context is complete (allocated and keyed) before any stored
    /// property is set, so a failure frees it exactly once, here, and `deinit` never runs.
    init(key: SecureBytes, direction: AESGCM.Direction, cipher: OpaquePointer, pool: ContextPool?) throws {
        context = try Self.keyedContext(key: key, direction: direction, cipher: cipher, pool: pool)
        self.pool = pool
        self.direction = direction
    }

    /// An OpenSSL context keyed with `key` for `direction`: from `pool` (re-keyed) or new.
    static func keyedContext(key: SecureBytes, direction: AESGCM.Direction, cipher: OpaquePointer, pool: ContextPool?) throws -> OpaquePointer {
        let enc: Int32 = direction == .seal ? 1 : 0
        return try key.withUnsafeBytes { k in
            let keyBytes = k.bindMemory(to: UInt8.self).baseAddress
            // A pooled context keeps its cipher: a NULL cipher re-keys it without freeing and
            // re-allocating OpenSSL's GCM state.
            if let pooled = pool?.take() {
                guard EVP_CipherInit_ex(pooled, nil, nil, keyBytes, nil, enc) == 1 else {
                    EVP_CIPHER_CTX_free(pooled)
                    throw CryptoError.openSSL("EVP_CipherInit_ex")
                }
                return pooled
            }
            guard let fresh = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
            guard EVP_CipherInit_ex(fresh, cipher, nil, keyBytes, nil, enc) == 1 else {
                EVP_CIPHER_CTX_free(fresh)
                throw CryptoError.openSSL("EVP_CipherInit_ex")
            }
            return fresh
        }
    }

    /// Gives a context back: re-keyed with zeros (a zero IV too, which replaces the IV-derived
    /// state) and kept in `pool`; a context that refuses, or one without a pool, is freed, which
    /// wipes it.
    static func release(_ context: OpaquePointer, pool: ContextPool?) {
        if let pool, envelope_gcm_forget_key(context) == 1 {
            pool.give(context)
        } else {
            OpenSSLErrors.clear()
            EVP_CIPHER_CTX_free(context)
        }
    }

    deinit {
        Self.release(context, pool: pool)
    }

    private var operations: GCMOperations { GCMOperations(context: context, direction: direction) }

    /// Seals `plaintext` into `ciphertext` (same length) and writes the tag. No allocation.
    public func seal(
        plaintext: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        ciphertext: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        try operations.seal(plaintext: plaintext, iv: iv, aad: aad, ciphertext: ciphertext, tag: tag)
    }

    /// Opens `ciphertext` into `plaintext` and verifies `tag`.
    ///
    /// On a tag mismatch the output buffer is zeroed before `authenticationFailed` is thrown, so no
    /// unauthenticated plaintext survives in it.
    public func open(
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        try operations.open(ciphertext: ciphertext, tag: tag, iv: iv, aad: aad, plaintext: plaintext)
    }

    /// Seals an array or a `SecureBytes` secret; returns ciphertext and tag.
    public func seal<Plaintext: ContiguousByteStorage>(
        _ plaintext: Plaintext, iv: [UInt8], authenticating aad: [UInt8]
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let count = plaintext.withUnsafeBytes { $0.count }
        var ciphertext = [UInt8](repeating: 0, count: count)
        var tag = [UInt8](repeating: 0, count: AESGCM.tagLength)
        try plaintext.withUnsafeBytes { p in
            try withInputs(iv: iv, aad: aad) { i, a in
                try ciphertext.withUnsafeMutableBytes { c in
                    try tag.withUnsafeMutableBytes { t in
                        try seal(plaintext: p, iv: i, aad: a, ciphertext: c, tag: t)
                    }
                }
            }
        }
        return (ciphertext, tag)
    }

    /// Opens into an ordinary array (for payload bytes, not for secrets: see `openSecret`).
    public func open(_ ciphertext: [UInt8], tag: [UInt8], iv: [UInt8], authenticating aad: [UInt8]) throws -> [UInt8] {
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        try plaintext.withUnsafeMutableBytes { out in
            try open(ciphertext, tag: tag, iv: iv, aad: aad, into: out)
        }
        return plaintext
    }

    /// Opens a wrapped secret straight into guarded memory.
    public func openSecret<Ciphertext: ContiguousByteStorage>(
        _ ciphertext: Ciphertext, tag: [UInt8], iv: [UInt8], authenticating aad: [UInt8]
    ) throws -> SecureBytes {
        let count = ciphertext.withUnsafeBytes { $0.count }
        return try SecureBytes(count: count) { out in
            try open(ciphertext, tag: tag, iv: iv, aad: aad, into: out)
        }
    }

    private func open<Ciphertext: ContiguousByteStorage>(
        _ ciphertext: Ciphertext, tag: [UInt8], iv: [UInt8], aad: [UInt8], into out: UnsafeMutableRawBufferPointer
    ) throws {
        try ciphertext.withUnsafeBytes { c in
            try tag.withUnsafeBytes { t in
                try withInputs(iv: iv, aad: aad) { i, a in
                    try open(ciphertext: c, tag: t, iv: i, aad: a, plaintext: out)
                }
            }
        }
    }

    private func withInputs<R>(
        iv: [UInt8], aad: [UInt8], _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try iv.withUnsafeBytes { i in try aad.withUnsafeBytes { a in try body(i, a) } }
    }

}

/// The seal and open operations on an OpenSSL GCM context whose cipher, key and direction are
/// set: shared by ``AESGCMContext`` and the one-call functions of ``AESGCM``.
struct GCMOperations {
    let context: OpaquePointer
    let direction: AESGCM.Direction

    /// Seals `plaintext` into `ciphertext` (same length) and writes the tag. No allocation.
    func seal(
        plaintext: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        ciphertext: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        try begin(.seal, iv: iv, tagCount: tag.count, outputFits: ciphertext.count >= plaintext.count, aad: aad)
        try update(input: plaintext, output: ciphertext)
        guard finish() else { throw CryptoError.openSSL("EVP_EncryptFinal_ex") }
        guard envelope_gcm_get_tag(context, tag.bindMemory(to: UInt8.self).baseAddress, Int32(AESGCM.tagLength)) == 1
        else { throw CryptoError.openSSL("EVP_CTRL_GCM_GET_TAG") }
    }

    /// Opens `ciphertext` into `plaintext` and verifies `tag`.
    ///
    /// On a tag mismatch the output buffer is zeroed before `authenticationFailed` is thrown, so no
    /// unauthenticated plaintext survives in it.
    func open(
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer, plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        try begin(.open, iv: iv, tagCount: tag.count, outputFits: plaintext.count >= ciphertext.count, aad: aad)
        let output = UnsafeMutableRawBufferPointer(rebasing: plaintext[0..<ciphertext.count])
        try update(input: ciphertext, output: output)
        guard envelope_gcm_set_tag(context, tag.bindMemory(to: UInt8.self).baseAddress, Int32(AESGCM.tagLength)) == 1
        else { throw CryptoError.openSSL("EVP_CTRL_GCM_SET_TAG") }
        let verified = finish()
        guard verified else {
            OpenSSLErrors.clear()
            ConstantTime.zero(output)
            throw CryptoError(.authenticationFailed, "AES-GCM tag did not verify")
        }
    }

    /// Checks the call (direction, a 12-byte IV, a 16-byte tag, room for the output), then sets
    /// the IV and feeds the AAD.
    private func begin(_ expected: AESGCM.Direction, iv: UnsafeRawBufferPointer, tagCount: Int, outputFits: Bool,
                       aad: UnsafeRawBufferPointer) throws {
        precondition(direction == expected, expected == .seal ? "this AES-GCM context opens, it cannot seal"
                                                                : "this AES-GCM context seals, it cannot open")
        guard iv.count == AESGCM.ivLength, tagCount == AESGCM.tagLength, outputFits else {
            throw CryptoError(.invalidInput, "AES-GCM \(expected == .seal ? "seal" : "open") needs a 12-byte IV, a 16-byte tag and room for the \(expected == .seal ? "ciphertext" : "plaintext")")
        }
        try start(iv: iv, aad: aad)
    }

    /// `EVP_CipherFinal_ex` (GCM writes no bytes there; the API wants a buffer): true on success,
    /// which for opening means the tag verified.
    private func finish() -> Bool {
        var finalLength: Int32 = 0
        var scratch = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &scratch) {
            EVP_CipherFinal_ex(context, $0.bindMemory(to: UInt8.self).baseAddress, &finalLength) == 1
        }
    }

    private func start(iv: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer) throws {
        let enc: Int32 = direction == .seal ? 1 : 0
        guard envelope_gcm_set_iv(context, iv.bindMemory(to: UInt8.self).baseAddress, enc) == 1
        else { throw CryptoError.openSSL("setting the GCM IV") }
        if aad.count > 0 {
            var outLength: Int32 = 0
            guard aad.count <= Int(Int32.max),
                  EVP_CipherUpdate(context, nil, &outLength, aad.bindMemory(to: UInt8.self).baseAddress, Int32(aad.count)) == 1
            else { throw CryptoError.openSSL("authenticating GCM AAD") }
        }
    }

    /// Feeds input in chunks below 2^31 bytes (the EVP length type is `int`).
    private func update(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws {
        var offset = 0
        let chunk = 1 << 30
        while offset < input.count {
            let n = min(chunk, input.count - offset)
            var outLength: Int32 = 0
            let inPtr = input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
            let outPtr = output.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
            guard EVP_CipherUpdate(context, outPtr, &outLength, inPtr, Int32(n)) == 1, Int(outLength) == n
            else { throw CryptoError.openSSL("EVP_CipherUpdate") }
            offset += n
        }
    }
}

/// Idle AES-GCM contexts, one `ContextPool` per key length (a context keeps its cipher).
enum GCMContextPool {
    static let aes128 = make()
    static let aes192 = make()
    static let aes256 = make()

    static func pool(keyLength: Int) -> ContextPool? {
        switch keyLength {
        case 16: aes128
        case 24: aes192
        case 32: aes256
        default: nil
        }
    }

    private static func make() -> ContextPool { ContextPool { EVP_CIPHER_CTX_free($0) } }
}
