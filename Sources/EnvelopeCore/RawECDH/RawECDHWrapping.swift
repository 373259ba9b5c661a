import EnvelopeCrypto

/// The encrypted-data-key format and key derivation shared by the three raw ECDH keyrings.
///
/// Spec: framework/raw-ecdh-keyring.md ("Structure", "Data Key Wrapping", "Data Key Unwrapping")
/// and framework/key-agreement-schemas.md ("Key Derivation", "Key Commitment").
///
/// - Key provider info: version `0x01` ‖ [len]₃₂ ‖ recipient public key ‖ [len]₃₂ ‖ sender public
///   key, both keys as SEC1 compressed points.
/// - Ciphertext: derivation nonce (32) ‖ commitment key (32) ‖ encrypted data key ‖ tag (16).
/// - KDF: SP 800-108 counter mode, HMAC-SHA-384, key = the ECDH shared secret, label = FixedInfo,
///   context = the derivation nonce, 64 bytes out: commitment key ‖ AES-256-GCM wrapping key.
/// - FixedInfo = `ecdh-key-derivation` 0 curve 0 `HMAC_SHA384` 0 sender ‖ recipient 0 version 0
///   serialized encryption context; it is also the AES-GCM AAD (zero IV, as the key is single-use).
enum RawECDHWrapping {
    /// The key provider ID the raw ECDH keyrings write.
    static let providerID = "raw-ecdh"
    /// The AWS KMS ECDH keyring's provider ID; its encrypted data keys have the same layout, so the
    /// raw keyrings read them too (spec: raw-ecdh-keyring.md, "OnDecrypt").
    static let kmsProviderID = "aws-kms-ecdh"
    static let version: UInt8 = 0x01
    static let nonceLength = 32
    static let commitmentKeyLength = 32
    static let wrappingKeyLength = 32
    private static let label = Array("ecdh-key-derivation".utf8)
    private static let kdfName = Array("HMAC_SHA384".utf8)

    /// The curve's name in FixedInfo, as the Material Providers Library writes it.
    static func fixedInfoName(_ curve: ECDHCurve) -> [UInt8] {
        switch curve {
        case .p256: Array("p256".utf8)
        case .p384: Array("p384".utf8)
        case .p521: Array("p521".utf8)
        }
    }

    static func fixedInfo(curve: ECDHCurve, sender: some Collection<UInt8>, recipient: some Collection<UInt8>,
                          serializedContext: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(label.count + 24 + sender.count + recipient.count + serializedContext.count)
        out += label
        out.append(0)
        out += fixedInfoName(curve)
        out.append(0)
        out += kdfName
        out.append(0)
        out += sender
        out += recipient
        out.append(0)
        out.append(version)
        out.append(0)
        out += serializedContext
        return out
    }

    static func providerInfo(sender: [UInt8], recipient: [UInt8]) -> [UInt8] {
        var info: [UInt8] = [version]
        info.reserveCapacity(9 + sender.count + recipient.count)
        info.appendUInt32(UInt32(recipient.count))
        info += recipient
        info.appendUInt32(UInt32(sender.count))
        info += sender
        return info
    }

    /// The recipient's and the sender's public keys of a provider info, or nil when it is not
    /// version 1 with two length-prefixed keys and nothing after them.
    static func parseProviderInfo(_ info: [UInt8]) -> (recipient: [UInt8], sender: [UInt8])? {
        info.withUnsafeBytes { raw -> (recipient: [UInt8], sender: [UInt8])? in
            var reader = ByteReader(raw)
            guard reader.readUInt8() == version,
                  let recipientLength = reader.readUInt32(), let recipient = reader.readBytes(Int(recipientLength)),
                  let senderLength = reader.readUInt32(), let sender = reader.readBytes(Int(senderLength)),
                  reader.remaining == 0
            else { return nil }
            return (recipient, sender)
        }
    }

    /// Derives commitment key and wrapping key from the shared secret.
    private static func derive(sharedSecret: SecureBytes, fixedInfo: [UInt8], nonce: ArraySlice<UInt8>) throws
        -> (commitmentKey: SecureBytes, wrappingKey: SecureBytes) {
        let material = try CounterModeKDF.deriveKey(hash: .sha384, key: sharedSecret, label: fixedInfo, context: Array(nonce),
                                                    length: commitmentKeyLength + wrappingKeyLength)
        // Each half is copied straight into its own guarded memory (no ordinary array holds it).
        return try material.withUnsafeBytes { bytes in
            (try SecureBytes(count: commitmentKeyLength) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<commitmentKeyLength])) },
             try SecureBytes(count: wrappingKeyLength) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[commitmentKeyLength...])) })
        }
    }

    /// Wraps `dataKey` under the key agreed by `sharedSecret`: the encrypted data key's ciphertext.
    static func wrap(_ dataKey: SecureBytes, sharedSecret: SecureBytes, fixedInfo: [UInt8]) throws -> [UInt8] {
        let nonce = RandomBytes.array(count: nonceLength)
        let keys = try derive(sharedSecret: sharedSecret, fixedInfo: fixedInfo, nonce: nonce[...])
        let sealed = try AESGCM.seal(dataKey, key: keys.wrappingKey, iv: [UInt8](repeating: 0, count: AESGCM.ivLength),
                                     authenticating: fixedInfo)
        var ciphertext = nonce
        ciphertext.reserveCapacity(nonceLength + commitmentKeyLength + sealed.ciphertext.count + AESGCM.tagLength)
        keys.commitmentKey.withUnsafeBytes { ciphertext.append(contentsOf: $0) }
        ciphertext += sealed.ciphertext
        ciphertext += sealed.tag
        return ciphertext
    }

    /// Why one encrypted data key did not unwrap (the text goes into a ``EnvelopeError/DataKeyFailure``).
    enum UnwrapFailure: Error {
        case wrongLength(found: Int, expected: Int)
        case commitmentMismatch
        case authenticationFailed

        var reason: String {
            switch self {
            case .wrongLength(let found, let expected):
                "the ECDH ciphertext is \(found) bytes, expected \(expected) (nonce, commitment key, wrapped key and tag)"
            case .commitmentMismatch:
                "the derived commitment key does not match the stored one: another key pair, or a different encryption context"
            case .authenticationFailed:
                "AES-GCM unwrap failed: the wrapped key or the encryption context was modified"
            }
        }
    }

    /// Unwraps an encrypted data key's ciphertext: checks its length, derives the keys, compares
    /// the commitment key in constant time, then opens the wrapped key.
    static func unwrap(_ ciphertext: [UInt8], keyLength: Int, sharedSecret: SecureBytes, fixedInfo: [UInt8]) throws -> SecureBytes {
        let expected = nonceLength + commitmentKeyLength + keyLength + AESGCM.tagLength
        guard ciphertext.count == expected else { throw UnwrapFailure.wrongLength(found: ciphertext.count, expected: expected) }
        let keyStart = nonceLength + commitmentKeyLength
        let keys = try derive(sharedSecret: sharedSecret, fixedInfo: fixedInfo, nonce: ciphertext[0..<nonceLength])
        // Spec: key-agreement-schemas.md ("Key Commitment") — a constant-time comparison.
        guard ConstantTime.equal(keys.commitmentKey, ciphertext[nonceLength..<keyStart]) else {
            throw UnwrapFailure.commitmentMismatch
        }
        do {
            return try AESGCM.openSecret(ciphertext[keyStart..<(keyStart + keyLength)], tag: Array(ciphertext[(keyStart + keyLength)...]),
                                         key: keys.wrappingKey, iv: [UInt8](repeating: 0, count: AESGCM.ivLength),
                                         authenticating: fixedInfo)
        } catch {
            throw UnwrapFailure.authenticationFailed
        }
    }
}
