import EnvelopeCrypto

/// The encrypt side of the raw ECDH keyrings that can encrypt (static and ephemeral).
///
/// Spec: framework/raw-ecdh-keyring.md ("OnEncrypt", "Data Key Wrapping").
enum RawECDHEncryption {
    /// Agrees a key with the recipient, wraps the data key (generated first if there is none) and
    /// adds the `raw-ecdh` encrypted data key.
    static func onEncrypt(_ materials: EncryptionMaterials, keyring: String, senderPrivateKey: ECDHPrivateKey, senderPoint: [UInt8],
                          recipientPublicKey: ECDHPublicKey, recipientPoint: [UInt8]) throws -> EncryptionMaterials {
        var materials = materials
        let dataKey = try materials.plaintextDataKey ?? RandomBytes.secure(count: materials.suite.dataKeyLength)
        let context = try EncryptionContextCodec.serialize(materials.encryptionContext)
        let ciphertext: [UInt8]
        do {
            let secret = try senderPrivateKey.sharedSecret(with: recipientPublicKey)
            let fixedInfo = RawECDHWrapping.fixedInfo(curve: senderPrivateKey.curve, sender: senderPoint, recipient: recipientPoint,
                                                      serializedContext: context)
            ciphertext = try RawECDHWrapping.wrap(dataKey, sharedSecret: secret, fixedInfo: fixedInfo)
        } catch {
            throw EnvelopeError.wrapping(error, "\(keyring) failed to wrap the data key. Retry; if it persists, report it.", code: .keyringFailure)
        }
        materials.encryptedDataKeys.append(EncryptedDataKey(
            providerID: RawECDHWrapping.providerID,
            providerInfo: RawECDHWrapping.providerInfo(sender: senderPoint, recipient: recipientPoint),
            ciphertext: ciphertext))
        materials.plaintextDataKey = dataKey
        return materials
    }
}
