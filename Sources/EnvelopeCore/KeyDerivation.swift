import EnvelopeCrypto

/// Derives the message (content) key and, for committing suites, the key commitment.
///
/// Spec: framework/transitive-requirements.md ("HKDF encryption key", "HKDF commit key"),
/// framework/algorithm-suites.md ("Key Derivation Algorithm").
enum KeyDerivation {
    static let deriveKeyLabel = Array("DERIVEKEY".utf8)
    static let commitKeyLabel = Array("COMMITKEY".utf8)

    /// Returns the content key and the 32-byte commitment (empty for non-committing suites).
    static func derive(suite: AlgorithmSuite, dataKey: SecureBytes, messageID: [UInt8]) throws -> (key: SecureBytes, commitment: [UInt8]) {
        guard dataKey.count == suite.dataKeyLength else {
            throw EnvelopeError(.keyringFailure, "The plaintext data key is \(dataKey.count) bytes but suite \(suite.name) needs \(suite.dataKeyLength). Check the keyring or materials manager.")
        }
        do {
            var idBytes: [UInt8] = []
            idBytes.appendUInt16(suite.id)
            switch suite.keyDerivation {
            case .identity:
                return (dataKey, [])
            case .hkdf(let hash):
                let key = try HKDF.deriveKey(hash: hash, inputKey: dataKey, salt: [UInt8](repeating: 0, count: hash.digestLength),
                                             info: idBytes + messageID, length: suite.dataKeyLength)
                return (key, [])
            case .committingHKDFSHA512:
                let key = try HKDF.deriveKey(hash: .sha512, inputKey: dataKey, salt: messageID, info: idBytes + deriveKeyLabel, length: suite.dataKeyLength)
                let commit = try HKDF.deriveKey(hash: .sha512, inputKey: dataKey, salt: messageID, info: commitKeyLabel, length: 32)
                return (key, commit.unprotectedCopy())
            }
        } catch {
            throw EnvelopeError.wrapping(error, "Deriving the message key failed inside the crypto library. Retry; if it persists, report it.")
        }
    }
}
