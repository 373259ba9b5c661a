import CEnvelopeOpenSSL

/// Owns an OpenSSL `EVP_PKEY` and frees it (wiping private parts) on deinit.
///
/// `EVP_PKEY` objects are reference counted and safe to use from several threads for
/// signing, verifying, encrypting and decrypting once built, so the holder is `Sendable`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// Loads a PEM private key (PKCS#8 or traditional).
    /// Loads a PEM private key; an encrypted PEM is decrypted with `passphrase`. Without one,
    /// an empty passphrase is given, so OpenSSL never prompts on the terminal.
    static func privateKey(pem: String, passphrase: SecureBytes? = nil) throws -> EVPKey {
        try withMemoryBIO(pem) { bio in
            // With a NULL callback, OpenSSL reads the passphrase from `u` as a C string.
            var secret = [CChar](repeating: 0, count: (passphrase?.count ?? 0) + 1)
            defer { secret.withUnsafeMutableBytes { ConstantTime.zero($0) } }
            passphrase?.withUnsafeBytes { bytes in
                for (index, byte) in bytes.enumerated() { secret[index] = CChar(bitPattern: byte) }
            }
            let loaded = secret.withUnsafeMutableBytes { PEM_read_bio_PrivateKey(bio, nil, nil, $0.baseAddress) }
            guard let key = loaded else {
                throw CryptoError(.invalidInput, "the PEM text is not a private key OpenSSL can read: \(OpenSSLErrors.drain())")
            }
            return EVPKey(key)
        }
    }

    /// Loads a PEM public key (SubjectPublicKeyInfo, or a PKCS#1 RSA public key).
    static func publicKey(pem: String) throws -> EVPKey {
        try withMemoryBIO(pem) { bio in
            if let key = PEM_read_bio_PUBKEY(bio, nil, nil, nil) { return EVPKey(key) }
            OpenSSLErrors.clear()
            _ = BIO_ctrl(bio, BIO_CTRL_RESET, 0, nil)
            // PKCS#1 "RSA PUBLIC KEY" blocks go through the generic decoder.
            if let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) { return EVPKey(key) }
            throw CryptoError(.invalidInput, "the PEM text is not a public key OpenSSL can read: \(OpenSSLErrors.drain())")
        }
    }

    /// The key's algorithm as OpenSSL names it (`RSA`, `EC`, `ED25519`, …).
    var algorithmName: String {
        guard let name = EVP_PKEY_get0_type_name(pointer) else { return "unknown" }
        return String(cString: name)
    }

    /// Whether this is an RSA key.
    var isRSA: Bool { EVP_PKEY_is_a(pointer, "RSA") == 1 }

    /// The public part as PEM SubjectPublicKeyInfo.
    func publicPEM() throws -> String {
        try writePEM { PEM_write_bio_PUBKEY($0, pointer) == 1 }
    }

    /// The private key as PEM PKCS#8 (tests and key files only).
    func privatePEM() throws -> String {
        try writePEM { PEM_write_bio_PrivateKey($0, pointer, nil, nil, 0, nil, nil) == 1 }
    }

    /// The private key as PEM PKCS#8 encrypted under `passphrase` (PBES2: PBKDF2 and AES-256-CBC,
    /// OpenSSL's defaults), readable by `openssl pkey` and by ``privateKey(pem:)`` callers that pass it.
    func privatePEM(passphrase: [UInt8]) throws -> String {
        guard !passphrase.isEmpty, passphrase.count <= Int(Int32.max) else {
            throw CryptoError(.invalidInput, "the passphrase must not be empty")
        }
        return try writePEM { bio in
            passphrase.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    PEM_write_bio_PKCS8PrivateKey(bio, pointer, EVP_aes_256_cbc(), chars.baseAddress, Int32(chars.count), nil, nil) == 1
                }
            }
        }
    }

    private func writePEM(_ write: (OpaquePointer) -> Bool) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) else { throw CryptoError.openSSL("PEM_write") }
        var data: UnsafeMutablePointer<CChar>?
        let length = envelope_bio_contents(bio, &data)
        guard let data, length > 0 else { throw CryptoError.openSSL("reading PEM output") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    private static func withMemoryBIO<R>(_ text: String, _ body: (OpaquePointer) throws -> R) throws -> R {
        var bytes = Array(text.utf8)
        defer { bytes.withUnsafeMutableBytes { ConstantTime.zero($0) } }
        return try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { throw CryptoError.openSSL("BIO_new_mem_buf") }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs one EVP_PKEY operation (sign, verify, encrypt, decrypt) with a fresh context.
    func withContext<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        guard let ctx = EVP_PKEY_CTX_new(pointer, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(ctx) }
        return try body(ctx)
    }
}
