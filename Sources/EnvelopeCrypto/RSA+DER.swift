import CEnvelopeOpenSSL

// DER forms of RSA keys: the X.509 SubjectPublicKeyInfo that AWS KMS GetPublicKey returns, and
// the private key as the local KMS stores it (PKCS #1 RSAPrivateKey, in guarded memory).

extension RSAPublicKey {
    /// Loads a DER X.509 SubjectPublicKeyInfo (what KMS `GetPublicKey` returns). Throws
    /// ``CryptoError`` (`invalidInput`) when the bytes are not exactly one SubjectPublicKeyInfo,
    /// and ``KeyTypeError`` when it holds a key of another algorithm.
    public convenience init(subjectPublicKeyInfo der: [UInt8]) throws {
        let loaded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0, buffer.count <= Int(Int32.max) else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            guard let key = d2i_PUBKEY(nil, &cursor, buffer.count) else { return nil }
            // Bytes after the structure mean this is not (only) a SubjectPublicKeyInfo.
            guard cursor == base + buffer.count else { EVP_PKEY_free(key); return nil }
            return key
        }
        guard let loaded else {
            OpenSSLErrors.clear()
            throw CryptoError(.invalidInput, "the bytes are not a DER SubjectPublicKeyInfo public key")
        }
        let key = EVPKey(loaded)
        guard key.isRSA else { throw KeyTypeError(expected: "RSA", found: key.algorithmName) }
        self.init(key: key)
    }

    /// The key as DER X.509 SubjectPublicKeyInfo.
    public func subjectPublicKeyInfo() throws -> [UInt8] {
        let length = i2d_PUBKEY(key.pointer, nil)
        guard length > 0 else { throw CryptoError.openSSL("i2d_PUBKEY") }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key.pointer, &cursor)
        }
        guard written == length else { throw CryptoError.openSSL("i2d_PUBKEY") }
        return out
    }
}

extension RSAPrivateKey {
    /// Loads a DER private key (PKCS #1 RSAPrivateKey or PKCS #8) from guarded memory, as written
    /// by ``privateKeyDER()``. Throws ``KeyTypeError`` for a key of another algorithm.
    public convenience init(der: SecureBytes) throws {
        let loaded: OpaquePointer? = der.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0, raw.count <= Int(Int32.max) else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            return d2i_AutoPrivateKey(nil, &cursor, raw.count)
        }
        guard let loaded else {
            OpenSSLErrors.clear()
            throw CryptoError(.invalidInput, "the bytes are not a DER private key OpenSSL can read")
        }
        try self.init(key: EVPKey(loaded))
    }

    /// The private key as DER PKCS #1 RSAPrivateKey, in guarded memory. Handle it as a secret.
    public func privateKeyDER() throws -> SecureBytes {
        let length = i2d_PrivateKey(key.pointer, nil)
        guard length > 0 else { throw CryptoError.openSSL("i2d_PrivateKey") }
        return try SecureBytes(count: Int(length)) { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.bindMemory(to: UInt8.self).baseAddress
            guard i2d_PrivateKey(key.pointer, &cursor) == length else { throw CryptoError.openSSL("i2d_PrivateKey") }
        }
    }
}
