import CEnvelopeOpenSSL

/// HKDF (RFC 5869) extract-and-expand through OpenSSL's EVP_KDF.
///
/// The HKDF implementation is fetched once per process; each derivation uses a fresh context.
/// (A context kept for reuse is not safe in OpenSSL 3.0: an empty salt parameter is ignored, so
/// the previous call's salt would silently stay.)
public enum HKDF {
    /// Derives `length` bytes into guarded memory.
    public static func deriveKey(
        hash: HashFunction, inputKey: SecureBytes, salt: [UInt8], info: [UInt8], length: Int
    ) throws -> SecureBytes {
        try salt.withUnsafeBytes { s in
            try info.withUnsafeBytes { i in try deriveKey(hash: hash, inputKey: inputKey, salt: s, info: i, length: length) }
        }
    }

    /// Derives `length` bytes into guarded memory from salt and info in caller buffers.
    public static func deriveKey(
        hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer, length: Int
    ) throws -> SecureBytes {
        guard length > 0, length <= 255 * hash.digestLength else {
            throw CryptoError(.invalidInput, "HKDF output length \(length) is out of range for \(hash)")
        }
        return try SecureBytes(count: length) { out in
            try derive(hash: hash, inputKey: inputKey, salt: salt, info: info, into: out)
        }
    }

    /// Derives `output.count` bytes into a caller buffer (for public values such as a key
    /// commitment; secrets go to ``deriveKey(hash:inputKey:salt:info:length:)``).
    public static func derive(
        hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        guard output.count > 0, output.count <= 255 * hash.digestLength else {
            throw CryptoError(.invalidInput, "HKDF output length \(output.count) is out of range for \(hash)")
        }
        guard let ctx = envelope_hkdf_context(FetchedAlgorithms.hkdf, hash.openSSLName) else {
            throw CryptoError.openSSL("EVP_KDF_CTX_new (HKDF)")
        }
        defer { EVP_KDF_CTX_free(ctx) }
        let ok = inputKey.withUnsafeBytes { ikm in
            envelope_hkdf_derive(ctx, salt.bindMemory(to: UInt8.self).baseAddress, salt.count,
                                 ikm.bindMemory(to: UInt8.self).baseAddress, ikm.count,
                                 info.bindMemory(to: UInt8.self).baseAddress, info.count,
                                 output.bindMemory(to: UInt8.self).baseAddress, output.count)
        }
        guard ok == 1 else { throw CryptoError.openSSL("HKDF") }
    }
}
