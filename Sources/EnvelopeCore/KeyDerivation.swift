import EnvelopeCrypto

/// Derives the message (content) key and, for committing suites, the key commitment.
///
/// Spec: framework/transitive-requirements.md ("HKDF encryption key", "HKDF commit key"),
/// framework/algorithm-suites.md ("Key Derivation Algorithm").
enum KeyDerivation {
    static let deriveKeyLabel = Array("DERIVEKEY".utf8)
    static let commitKeyLabel = Array("COMMITKEY".utf8)
    static let commitmentLength = 32

    /// Runs `body` with `suite ID (big-endian) ‖ suffix` in a stack buffer.
    private static func withInfo<R>(suite: AlgorithmSuite, _ suffix: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withUnsafeTemporaryAllocation(byteCount: 2 + suffix.count, alignment: 1) { info in
            info[0] = UInt8(suite.id >> 8)
            info[1] = UInt8(suite.id & 0xFF)
            suffix.withUnsafeBytes { s in
                if s.count > 0 { (info.baseAddress! + 2).copyMemory(from: s.baseAddress!, byteCount: s.count) }
            }
            return try body(UnsafeRawBufferPointer(info))
        }
    }

    /// Returns the content key and the 32-byte commitment (empty for non-committing suites).
    static func derive(suite: AlgorithmSuite, dataKey: SecureBytes, messageID: [UInt8]) throws -> (key: SecureBytes, commitment: [UInt8]) {
        let length = suite.isCommitting ? commitmentLength : 0
        var commitment = [UInt8](repeating: 0, count: length)
        let key = try commitment.withUnsafeMutableBytes { try derive(suite: suite, dataKey: dataKey, messageID: messageID, commitment: $0) }
        return (key, commitment)
    }

    /// Returns the content key and writes the 32-byte commitment of committing suites into
    /// `commitment` (which must be that long; it is not touched for other suites).
    static func derive(suite: AlgorithmSuite, dataKey: SecureBytes, messageID: [UInt8],
                       commitment: UnsafeMutableRawBufferPointer) throws -> SecureBytes {
        guard dataKey.count == suite.dataKeyLength else {
            throw EnvelopeError(.keyringFailure, "The plaintext data key is \(dataKey.count) bytes but suite \(suite.name) needs \(suite.dataKeyLength). Check the keyring or materials manager.")
        }
        do {
            switch suite.keyDerivation {
            case .identity:
                return dataKey
            case .hkdf(let hash):
                // info = suite ID ‖ message ID; salt = digest-length zeros. Built on the stack.
                return try withInfo(suite: suite, messageID) { info in
                    try withUnsafeTemporaryAllocation(byteCount: hash.digestLength, alignment: 1) { salt in
                        salt.initializeMemory(as: UInt8.self, repeating: 0)
                        return try HKDF.deriveKey(hash: hash, inputKey: dataKey, salt: UnsafeRawBufferPointer(salt),
                                                  info: info, length: suite.dataKeyLength)
                    }
                }
            case .committingHKDFSHA512:
                precondition(commitment.count == commitmentLength, "the commitment buffer must be 32 bytes")
                // Both outputs share the input key and the salt (the message ID): one HKDF-Extract,
                // two HKDF-Expands (RFC 5869: the same bytes as two full derivations), on one
                // OpenSSL context.
                return try HKDF.session(hash: .sha512) { kdf in
                    let prk = try messageID.withUnsafeBytes { salt in try kdf.extract(inputKey: dataKey, salt: salt) }
                    let key = try withInfo(suite: suite, deriveKeyLabel) { info in
                        try kdf.expandKey(pseudorandomKey: prk, info: info, length: suite.dataKeyLength)
                    }
                    try commitKeyLabel.withUnsafeBytes { info in
                        try kdf.expand(pseudorandomKey: prk, info: info, into: commitment)
                    }
                    return key
                }
            }
        } catch {
            throw EnvelopeError.wrapping(error, "Deriving the message key failed inside the crypto library. Retry; if it persists, report it.")
        }
    }
}
