import CEnvelopeOpenSSL

/// RSA encryption paddings of the raw RSA keyring (spec `framework/raw-rsa-keyring.md`).
public enum RSAPadding: Sendable, Equatable, CaseIterable {
    case pkcs1
    case oaepSHA1, oaepSHA256, oaepSHA384, oaepSHA512

    /// The OAEP (and MGF1) digest, or nil for PKCS #1 v1.5.
    public var oaepHash: HashFunction? {
        switch self {
        case .pkcs1: nil
        case .oaepSHA1: .sha1
        case .oaepSHA256: .sha256
        case .oaepSHA384: .sha384
        case .oaepSHA512: .sha512
        }
    }

    func configure(_ ctx: OpaquePointer) throws {
        if let hash = oaepHash {
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_oaep_md(ctx, hash.evpMD) == 1,
                  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, hash.evpMD) == 1
            else { throw CryptoError.openSSL("configuring RSA-OAEP") }
        } else {
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 else { throw CryptoError.openSSL("configuring RSA PKCS1") }
        }
    }
}

/// An RSA public key that wraps data keys.
public final class RSAPublicKey: Sendable {
    let key: EVPKey

    /// Loads a PEM public key.
    public init(pem: String) throws {
        let loaded = try EVPKey.publicKey(pem: pem)
        guard loaded.isRSA else { throw KeyTypeError(expected: "RSA", found: loaded.algorithmName) }
        key = loaded
    }

    init(key: EVPKey) { self.key = key }

    /// The modulus size in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(key.pointer)) }

    /// The key as PEM SubjectPublicKeyInfo.
    public func pem() throws -> String { try key.publicPEM() }

    /// Encrypts a secret (a data key) with the given padding.
    public func encrypt(_ secret: SecureBytes, padding: RSAPadding) throws -> [UInt8] {
        try key.withContext { ctx in
            guard EVP_PKEY_encrypt_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_encrypt_init") }
            try padding.configure(ctx)
            return try secret.withUnsafeBytes { input in
                let p = input.bindMemory(to: UInt8.self).baseAddress
                var length = 0
                guard EVP_PKEY_encrypt(ctx, nil, &length, p, input.count) == 1 else { throw CryptoError.openSSL("EVP_PKEY_encrypt") }
                var out = [UInt8](repeating: 0, count: length)
                guard EVP_PKEY_encrypt(ctx, &out, &length, p, input.count) == 1 else { throw CryptoError.openSSL("EVP_PKEY_encrypt") }
                return Array(out[0..<length])
            }
        }
    }
}

/// An RSA private key that unwraps data keys. Its material stays inside OpenSSL.
///
/// PKCS #1 v1.5 unwrapping goes through ``unwrapPKCS1(_:expectedLength:)``, which uses implicit
/// rejection (draft-kario-rsa-guidance-implicit-rejection): an invalid ciphertext yields a key
/// derived from the private key and the ciphertext instead of an error, so a caller learns nothing
/// about the padding (Bleichenbacher's oracle) and the message fails later, uniformly, at its
/// header authentication tag.
public final class RSAPrivateKey: Sendable {
    let key: EVPKey
    /// SHA-256 of the private exponent (big-endian, modulus length): the key of the implicit
    /// rejection key-derivation key. Never leaves guarded memory.
    private let rejectionSecret: SecureBytes

    /// Loads an unencrypted PEM private key (an encrypted one is refused, never prompted for).
    /// Throws ``KeyTypeError`` for a private key of another algorithm (EC, Ed25519, …).
    public convenience init(pem: String) throws { try self.init(pem: pem, passphrase: nil) }

    /// Loads a PEM private key; an encrypted PEM is decrypted with `passphrase` (nil: refused, never
    /// prompted). Throws ``KeyTypeError`` for a private key of another algorithm.
    public init(pem: String, passphrase: SecureBytes?) throws {
        let loaded = try EVPKey.privateKey(pem: pem, passphrase: passphrase)
        guard loaded.isRSA else { throw KeyTypeError(expected: "RSA", found: loaded.algorithmName) }
        key = loaded
        rejectionSecret = try Self.rejectionSecret(of: key)
    }

    /// Generates a key (tests, samples, the local KMS's RSA key pairs).
    public convenience init(generatingBits bits: Int) throws {
        guard let pkey = envelope_rsa_generate(UInt32(bits)) else { throw CryptoError.openSSL("RSA key generation") }
        try self.init(key: EVPKey(pkey))
    }

    /// Wraps a loaded key; throws ``KeyTypeError`` unless it is an RSA private key.
    init(key: EVPKey) throws {
        guard key.isRSA else { throw KeyTypeError(expected: "RSA", found: key.algorithmName) }
        self.key = key
        rejectionSecret = try Self.rejectionSecret(of: key)
    }

    /// The matching public key.
    public var publicKey: RSAPublicKey { RSAPublicKey(key: key) }

    /// The modulus size in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(key.pointer)) }

    /// The key as PEM PKCS#8. Handle the result as a secret.
    public func privatePEM() throws -> String { try key.privatePEM() }

    /// The key as PEM PKCS#8 encrypted under `passphrase` (PBES2 with AES-256-CBC). Handle the result as a secret.
    public func privatePEM(passphrase: [UInt8]) throws -> String { try key.privatePEM(passphrase: passphrase) }

    /// Decrypts into guarded memory with *explicit* rejection: every invalid ciphertext throws the
    /// same `authenticationFailed` error ("RSA decryption failed"), whatever was wrong.
    ///
    /// For PKCS #1 v1.5 that error is itself an oracle if an attacker can observe it: unwrap keys
    /// with ``unwrapPKCS1(_:expectedLength:)`` instead. (OpenSSL's own implicit rejection, where it
    /// exists, is switched off here so this behaves the same on every OpenSSL version.)
    public func decrypt(_ ciphertext: [UInt8], padding: RSAPadding) throws -> SecureBytes {
        try key.withContext { ctx in
            guard EVP_PKEY_decrypt_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_decrypt_init") }
            try padding.configure(ctx)
            if padding == .pkcs1, envelope_rsa_set_implicit_rejection(ctx, 0) < 0 {
                throw CryptoError.openSSL("disabling RSA implicit rejection")
            }
            var length = Int(EVP_PKEY_get_size(key.pointer))
            var out = [UInt8](repeating: 0, count: length)
            defer { out.withUnsafeMutableBytes { ConstantTime.zero($0) } }
            guard EVP_PKEY_decrypt(ctx, &out, &length, ciphertext, ciphertext.count) == 1 else {
                OpenSSLErrors.clear()
                throw CryptoError(.authenticationFailed, "RSA decryption failed")
            }
            return try SecureBytes(copying: out[0..<length])
        }
    }

    /// Unwraps an `expectedLength`-byte secret encrypted with PKCS #1 v1.5 padding, with implicit
    /// rejection: when the padding is invalid, the decrypted length is not `expectedLength`, or the
    /// ciphertext is not the modulus size, it returns `expectedLength` bytes derived from this
    /// private key and the ciphertext (the same for the same ciphertext, unpredictable without the
    /// private key) instead of failing. Valid and invalid ciphertexts take the same code path.
    ///
    /// Uses OpenSSL's implicit rejection as well where the provider has it (3.2+, found at run
    /// time). Throws only when OpenSSL itself fails (e.g. allocation), never for the ciphertext.
    public func unwrapPKCS1(_ ciphertext: [UInt8], expectedLength: Int) throws -> SecureBytes {
        let modulusLength = Int(EVP_PKEY_get_size(key.pointer))
        guard expectedLength >= 1, expectedLength <= modulusLength - 11 else {
            throw CryptoError(.invalidInput, "a PKCS #1 v1.5 secret must be 1 to \(modulusLength - 11) bytes for this key, not \(expectedLength)")
        }
        let synthetic = try syntheticSecret(for: ciphertext, length: expectedLength, modulusLength: modulusLength)
        return try key.withContext { ctx in
            guard EVP_PKEY_decrypt_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_decrypt_init") }
            try RSAPadding.pkcs1.configure(ctx)
            guard envelope_rsa_set_implicit_rejection(ctx, 1) >= 0 else { throw CryptoError.openSSL("enabling RSA implicit rejection") }
            var length = modulusLength
            var out = [UInt8](repeating: 0, count: modulusLength)
            defer { out.withUnsafeMutableBytes { ConstantTime.zero($0) } }
            let status = EVP_PKEY_decrypt(ctx, &out, &length, ciphertext, ciphertext.count)
            OpenSSLErrors.clear()
            // mask = 0xFF when the decryption succeeded with the expected length, else 0x00,
            // computed without a branch on either condition.
            let statusBad = UInt(bitPattern: Int(status ^ 1))
            let lengthBad = UInt(bitPattern: length ^ expectedLength)
            let bad = statusBad | lengthBad
            let good = ((bad | (0 &- bad)) >> (UInt.bitWidth - 1)) ^ 1
            let mask = UInt8(truncatingIfNeeded: 0 &- good)
            return try SecureBytes(count: expectedLength) { result in
                synthetic.withUnsafeBytes { fake in
                    for i in 0..<expectedLength {
                        result[i] = (out[i] & mask) | (fake[i] & ~mask)
                    }
                }
            }
        }
    }

    /// The implicit-rejection secret for `ciphertext`: KDK = HMAC-SHA-256(SHA-256(d), C), then
    /// HKDF-Expand-SHA-256(KDK, label, length). The ciphertext is left-padded with zeros to the
    /// modulus length, as the draft does (longer ones are used as they are).
    private func syntheticSecret(for ciphertext: [UInt8], length: Int, modulusLength: Int) throws -> SecureBytes {
        var padded = [UInt8](repeating: 0, count: max(0, modulusLength - ciphertext.count))
        padded += ciphertext
        var kdk = try rejectionSecret.withUnsafeBytes { secret in
            try padded.withUnsafeBytes { try HashFunction.sha256.hmac(key: secret, data: $0) }
        }
        let pseudorandomKey = try SecureBytes(consuming: &kdk)
        return try Self.rejectionLabel.withUnsafeBytes { label in
            try HKDF.expandKey(hash: .sha256, pseudorandomKey: pseudorandomKey, info: label, length: length)
        }
    }

    private static let rejectionLabel = Array("EnvelopeKit RSA PKCS1 implicit rejection".utf8)

    /// SHA-256 of the private exponent, padded to the modulus length.
    private static func rejectionSecret(of key: EVPKey) throws -> SecureBytes {
        var exponent: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(key.pointer, OSSL_PKEY_PARAM_RSA_D, &exponent) == 1, let exponent else {
            OpenSSLErrors.clear()
            throw CryptoError(.invalidInput, "the key is not an RSA private key")
        }
        defer { BN_clear_free(exponent) }
        let modulusLength = Int(EVP_PKEY_get_size(key.pointer))
        var bytes = [UInt8](repeating: 0, count: modulusLength)
        defer { bytes.withUnsafeMutableBytes { ConstantTime.zero($0) } }
        guard BN_bn2binpad(exponent, &bytes, Int32(modulusLength)) == Int32(modulusLength) else {
            throw CryptoError.openSSL("exporting the RSA private exponent")
        }
        var digest = try HashFunction.sha256.digest(bytes)
        return try SecureBytes(consuming: &digest)
    }
}
