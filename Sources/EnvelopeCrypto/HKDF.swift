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
    /// commitment; secrets go to ``deriveKey(hash:inputKey:salt:info:length:)-(_,_,UnsafeRawBufferPointer,_,_)``).
    public static func derive(
        hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        try run(hash, EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, key: inputKey, salt: salt, info: info, into: output)
    }

    /// HKDF-Extract alone (RFC 5869 section 2.2): the pseudorandom key (digest length) in guarded
    /// memory. With ``expand(hash:pseudorandomKey:info:into:)`` it gives the same bytes as
    /// ``derive(hash:inputKey:salt:info:into:)``, but several outputs from one input key and salt
    /// (a message key and its commitment) pay for the extract step once.
    public static func extract(hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer) throws -> SecureBytes {
        try SecureBytes(count: hash.digestLength) { prk in
            try run(hash, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, key: inputKey, salt: salt, info: UnsafeRawBufferPointer(start: nil, count: 0), into: prk)
        }
    }

    /// HKDF-Expand alone (RFC 5869 section 2.3) from a pseudorandom key made by
    /// ``extract(hash:inputKey:salt:)``, into a caller buffer (for public values).
    public static func expand(
        hash: HashFunction, pseudorandomKey: SecureBytes, info: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws {
        try run(hash, EVP_KDF_HKDF_MODE_EXPAND_ONLY, key: pseudorandomKey, salt: UnsafeRawBufferPointer(start: nil, count: 0), info: info, into: output)
    }

    /// HKDF-Expand alone into guarded memory (for keys).
    public static func expandKey(hash: HashFunction, pseudorandomKey: SecureBytes, info: UnsafeRawBufferPointer, length: Int) throws -> SecureBytes {
        try SecureBytes(count: length) { out in
            try expand(hash: hash, pseudorandomKey: pseudorandomKey, info: info, into: out)
        }
    }

    /// One HKDF call in `mode` on a fresh context for `hash` (freed, with its copy of the key
    /// wiped, on return).
    private static func run(_ hash: HashFunction, _ mode: Int32, key: SecureBytes, salt: UnsafeRawBufferPointer,
                            info: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        guard output.count > 0, output.count <= 255 * hash.digestLength else {
            throw CryptoError(.invalidInput, "HKDF output length \(output.count) is out of range for \(hash)")
        }
        guard let ctx = envelope_hkdf_context(FetchedAlgorithms.hkdf, hash.openSSLCName) else {
            throw CryptoError.openSSL("EVP_KDF_CTX_new (HKDF)")
        }
        defer { EVP_KDF_CTX_free(ctx) }
        let ok = key.withUnsafeBytes { k in
            envelope_hkdf_run(ctx, mode, k.bindMemory(to: UInt8.self).baseAddress, k.count,
                              salt.bindMemory(to: UInt8.self).baseAddress, salt.count,
                              info.bindMemory(to: UInt8.self).baseAddress, info.count,
                              output.bindMemory(to: UInt8.self).baseAddress, output.count)
        }
        guard ok == 1 else { throw CryptoError.openSSL("HKDF") }
    }
}
