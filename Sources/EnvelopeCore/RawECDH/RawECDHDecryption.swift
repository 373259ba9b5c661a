import EnvelopeCrypto

/// The decrypt loop of the raw ECDH keyrings that can decrypt (static and discovery): filter the
/// encrypted data keys by their public keys, agree with the other party's key, unwrap, and collect
/// one failure per key that did not work.
///
/// Spec: framework/raw-ecdh-keyring.md ("OnDecrypt").
enum RawECDHDecryption {
    /// Decrypts the first encrypted data key that `peerPoint` accepts and that unwraps.
    ///
    /// - Parameters:
    ///   - privateKey: this party's private key.
    ///   - peerPoint: given the recipient's and the sender's compressed public keys of an encrypted
    ///     data key, the compressed key to agree with, or nil when the key is not for this keyring.
    ///   - mismatch: the failure reason for a key `peerPoint` turned down.
    static func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey], keyring: String,
                          privateKey: ECDHPrivateKey, mismatch: String,
                          peerPoint: (_ recipient: [UInt8], _ sender: [UInt8]) -> [UInt8]?) throws -> DecryptionMaterials {
        try KeyringChecks.requireNoDataKey(materials, keyring: keyring)
        let context = try EncryptionContextCodec.serialize(materials.encryptionContext)
        let curve = privateKey.curve
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        for edk in encryptedDataKeys {
            func fail(_ reason: String) {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: keyring, reason: reason))
            }
            guard edk.providerID == RawECDHWrapping.providerID || edk.providerID == RawECDHWrapping.kmsProviderID else {
                fail("provider ID is not \"\(RawECDHWrapping.providerID)\""); continue
            }
            guard let stored = RawECDHWrapping.parseProviderInfo(edk.providerInfo) else {
                fail("provider info is not version 1 with a recipient and a sender public key"); continue
            }
            guard let point = peerPoint(stored.recipient, stored.sender) else {
                fail(mismatch); continue
            }
            let peer: ECDHPublicKey
            do {
                peer = try ECDHPublicKey(point: point, curve: curve)
            } catch {
                causes.append(error)
                fail("the other party's public key in the message was refused: \(error)"); continue
            }
            do {
                let secret = try privateKey.sharedSecret(with: peer)
                let fixedInfo = RawECDHWrapping.fixedInfo(curve: curve, sender: stored.sender, recipient: stored.recipient,
                                                          serializedContext: context)
                var result = materials
                result.plaintextDataKey = try RawECDHWrapping.unwrap(edk.ciphertext, keyLength: materials.suite.dataKeyLength,
                                                                     sharedSecret: secret, fixedInfo: fixedInfo)
                result.dataKeyOrigin = DataKeyOrigin(decrypted: edk, keyring: keyring)
                return result
            } catch let failure as RawECDHWrapping.UnwrapFailure {
                fail(failure.reason)
            } catch {
                causes.append(error)
                fail("ECDH key agreement or key derivation failed in the crypto library")
            }
        }
        throw KeyringChecks.unableToDecrypt(failures, keyring: keyring, keyCount: encryptedDataKeys.count, causes: causes)
    }
}
