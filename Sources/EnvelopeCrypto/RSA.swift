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
public final class RSAPrivateKey: Sendable {
    let key: EVPKey

    /// Loads an unencrypted PEM private key (an encrypted one is refused, never prompted for).
    /// Throws ``KeyTypeError`` for a private key of another algorithm (EC, Ed25519, …).
    public convenience init(pem: String) throws { try self.init(pem: pem, passphrase: nil) }

    /// Loads a PEM private key; an encrypted PEM is decrypted with `passphrase` (nil: refused, never
    /// prompted). Throws ``KeyTypeError`` for a private key of another algorithm.
    public init(pem: String, passphrase: SecureBytes?) throws {
        let loaded = try EVPKey.privateKey(pem: pem, passphrase: passphrase)
        guard loaded.isRSA else { throw KeyTypeError(expected: "RSA", found: loaded.algorithmName) }
        key = loaded
    }

    /// Generates a key (tests, samples).
    public init(generatingBits bits: Int) throws {
        guard let pkey = envelope_rsa_generate(UInt32(bits)) else { throw CryptoError.openSSL("RSA key generation") }
        key = EVPKey(pkey)
    }

    /// The matching public key.
    public var publicKey: RSAPublicKey { RSAPublicKey(key: key) }

    /// The key as PEM PKCS#8. Handle the result as a secret.
    public func privatePEM() throws -> String { try key.privatePEM() }

    /// The key as PEM PKCS#8 encrypted under `passphrase` (PBES2 with AES-256-CBC). Handle the result as a secret.
    public func privatePEM(passphrase: [UInt8]) throws -> String { try key.privatePEM(passphrase: passphrase) }

    /// Decrypts into guarded memory; throws `authenticationFailed` when padding does not check out.
    public func decrypt(_ ciphertext: [UInt8], padding: RSAPadding) throws -> SecureBytes {
        try key.withContext { ctx in
            guard EVP_PKEY_decrypt_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_decrypt_init") }
            try padding.configure(ctx)
            var length = 0
            guard EVP_PKEY_decrypt(ctx, nil, &length, ciphertext, ciphertext.count) == 1 else {
                OpenSSLErrors.clear()
                throw CryptoError(.authenticationFailed, "RSA decryption failed")
            }
            var out = [UInt8](repeating: 0, count: length)
            defer { out.withUnsafeMutableBytes { ConstantTime.zero($0) } }
            guard EVP_PKEY_decrypt(ctx, &out, &length, ciphertext, ciphertext.count) == 1 else {
                OpenSSLErrors.clear()
                throw CryptoError(.authenticationFailed, "RSA decryption failed")
            }
            return try SecureBytes(copying: out[0..<length])
        }
    }
}
