import CEnvelopeOpenSSL

/// HKDF (RFC 5869) extract-and-expand through OpenSSL's EVP_KDF.
public enum HKDF {
    /// Derives `length` bytes into guarded memory.
    public static func deriveKey(
        hash: HashFunction, inputKey: SecureBytes, salt: [UInt8], info: [UInt8], length: Int
    ) throws -> SecureBytes {
        guard length > 0, length <= 255 * hash.digestLength else {
            throw CryptoError(.invalidInput, "HKDF output length \(length) is out of range for \(hash)")
        }
        return try SecureBytes(count: length) { out in
            let ok = inputKey.withUnsafeBytes { ikm in
                salt.withUnsafeBufferPointer { s in
                    info.withUnsafeBufferPointer { i in
                        envelope_hkdf(hash.openSSLName, s.baseAddress, s.count,
                                      ikm.bindMemory(to: UInt8.self).baseAddress, ikm.count,
                                      i.baseAddress, i.count,
                                      out.bindMemory(to: UInt8.self).baseAddress, out.count)
                    }
                }
            }
            guard ok == 1 else { throw CryptoError.openSSL("HKDF") }
        }
    }
}
