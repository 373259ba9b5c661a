import EnvelopeCrypto

/// The raw ECDH keyring with the `RawPrivateKeyToStaticPublicKey` schema: a sender's static
/// private key and a recipient's public key agree on a wrapping key per message, so two parties
/// exchange messages without sharing a secret beforehand.
///
/// Encrypts for the recipient, and decrypts messages between the two key pairs in either
/// direction: ones this sender wrote, and ones the recipient wrote to this sender (with a keyring
/// that has the roles swapped). Byte-compatible with the `RawEcdhKeyring` of the AWS Material
/// Providers Library (Python ESDK 4, Java ESDK 3, .NET ESDK 4).
///
/// To encrypt without a sender key pair, use ``RawECDHEphemeralKeyring``; to decrypt everything
/// sent to one key pair, whoever the sender, use ``RawECDHDiscoveryKeyring``.
///
/// Spec: framework/raw-ecdh-keyring.md, framework/key-agreement-schemas.md ("RawPrivateKeyToStaticPublicKey").
public struct RawECDHKeyring: Keyring, CustomStringConvertible {
    private final class Storage: Sendable {
        let senderPrivateKey: ECDHPrivateKey
        let recipientPublicKey: ECDHPublicKey
        let senderPoint: [UInt8]
        let recipientPoint: [UInt8]
        let description: String

        init(senderPrivateKey: ECDHPrivateKey, recipientPublicKey: ECDHPublicKey) {
            self.senderPrivateKey = senderPrivateKey
            self.recipientPublicKey = recipientPublicKey
            senderPoint = senderPrivateKey.publicKey.compressedPoint
            recipientPoint = recipientPublicKey.compressedPoint
            description = "raw ECDH keyring (\(senderPrivateKey.curve), static: sender \(RawECDHKeyInput.fingerprint(senderPrivateKey.publicKey)), "
                + "recipient \(RawECDHKeyInput.fingerprint(recipientPublicKey)))"
        }
    }

    private let storage: Storage

    /// The curve of both keys.
    public var curve: ECDHCurve { storage.senderPrivateKey.curve }
    /// The sender's public key (derived from the private key), written into every encrypted data key.
    public var senderPublicKey: ECDHPublicKey { storage.senderPrivateKey.publicKey }
    /// The recipient's public key.
    public var recipientPublicKey: ECDHPublicKey { storage.recipientPublicKey }
    /// Names the keyring by curve and the first bytes of both public keys (never the private key).
    public var description: String { storage.description }

    /// Creates a keyring from keys already read. Both must be on the same curve.
    /// - Parameters:
    ///   - senderPrivateKey: this party's static private key.
    ///   - recipientPublicKey: the other party's public key (validated when it was read).
    public init(senderPrivateKey: ECDHPrivateKey, recipientPublicKey: ECDHPublicKey) throws {
        try RawECDHKeyInput.requireCurve(recipientPublicKey.curve, senderPrivateKey.curve, role: "recipient's public key")
        storage = Storage(senderPrivateKey: senderPrivateKey, recipientPublicKey: recipientPublicKey)
    }

    /// Creates a keyring from the encodings the specification names.
    ///
    /// Throws an ``EnvelopeError`` with code ``EnvelopeError/Code/invalidArgument`` whose cause is
    /// the `ECDHKeyError` saying why a key was refused (not PEM or DER, another curve, a point off
    /// the curve or at infinity).
    /// - Parameters:
    ///   - curve: the curve both keys must be on.
    ///   - senderPrivateKeyPEM: the sender's private key, PEM PKCS #8 (`BEGIN PRIVATE KEY`).
    ///   - recipientPublicKeyDER: the recipient's public key, a DER X.509 SubjectPublicKeyInfo.
    public init(curve: ECDHCurve, senderPrivateKeyPEM: String, recipientPublicKeyDER: [UInt8]) throws {
        try self.init(senderPrivateKey: RawECDHKeyInput.privateKey(pem: senderPrivateKeyPEM, curve: curve, role: "sender's private key"),
                      recipientPublicKey: RawECDHKeyInput.publicKey(der: recipientPublicKeyDER, curve: curve, role: "recipient's public key"))
    }

    // Spec: framework/raw-ecdh-keyring.md ("OnEncrypt").
    /// Adds an encrypted data key for the recipient (generating the data key first if there is none).
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        try RawECDHEncryption.onEncrypt(materials, keyring: description, senderPrivateKey: storage.senderPrivateKey,
                                        senderPoint: storage.senderPoint, recipientPublicKey: storage.recipientPublicKey,
                                        recipientPoint: storage.recipientPoint)
    }

    // Spec: framework/raw-ecdh-keyring.md ("OnDecrypt"): both stored keys must be this keyring's
    // two keys, in either order.
    /// Decrypts the first encrypted data key exchanged between these two key pairs.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        let sender = storage.senderPoint, recipient = storage.recipientPoint
        return try RawECDHDecryption.onDecrypt(
            materials, encryptedDataKeys: encryptedDataKeys, keyring: description, privateKey: storage.senderPrivateKey,
            mismatch: "its public keys are not this keyring's sender and recipient keys"
        ) { storedRecipient, storedSender in
            if storedSender == sender && storedRecipient == recipient { return recipient }
            if storedSender == recipient && storedRecipient == sender { return recipient }
            return nil
        }
    }
}
