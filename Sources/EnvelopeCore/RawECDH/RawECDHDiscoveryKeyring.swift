import EnvelopeCrypto

/// The raw ECDH keyring with the `PublicKeyDiscovery` schema: decrypts every message sent to one
/// key pair, whoever the sender (any sender's key in the message is accepted once it is validated:
/// on the curve, not the point at infinity).
///
/// Decrypt-only (a ``DecryptionKeyring``): it holds no recipient to encrypt for. It reads messages
/// from a ``RawECDHEphemeralKeyring`` and from any ``RawECDHKeyring`` whose recipient is this key.
/// The message does not authenticate its sender: use a ``RawECDHKeyring`` to accept one sender only.
///
/// Spec: framework/raw-ecdh-keyring.md, framework/key-agreement-schemas.md ("PublicKeyDiscovery").
public struct RawECDHDiscoveryKeyring: DecryptionKeyring, CustomStringConvertible {
    private let recipientPrivateKey: ECDHPrivateKey
    private let recipientPoint: [UInt8]
    /// Names the keyring by curve and the first bytes of the recipient's public key.
    public let description: String

    /// The curve of the recipient's key.
    public var curve: ECDHCurve { recipientPrivateKey.curve }
    /// The recipient's public key (derived from the private key); only encrypted data keys
    /// addressed to it are tried.
    public var recipientPublicKey: ECDHPublicKey { recipientPrivateKey.publicKey }

    /// Creates a keyring for a private key already read.
    /// - Parameter recipientPrivateKey: the recipient's static private key.
    public init(recipientPrivateKey: ECDHPrivateKey) {
        self.recipientPrivateKey = recipientPrivateKey
        recipientPoint = recipientPrivateKey.publicKey.compressedPoint
        description = "raw ECDH keyring (\(recipientPrivateKey.curve), discovery: recipient \(RawECDHKeyInput.fingerprint(recipientPrivateKey.publicKey)))"
    }

    /// Creates a keyring from the recipient's PEM PKCS #8 private key.
    ///
    /// Throws an ``EnvelopeError`` with code ``EnvelopeError/Code/invalidArgument`` whose cause is
    /// the `ECDHKeyError` saying why the key was refused.
    /// - Parameters:
    ///   - curve: the curve the key must be on.
    ///   - recipientPrivateKeyPEM: the recipient's private key, PEM PKCS #8 (`BEGIN PRIVATE KEY`).
    public init(curve: ECDHCurve, recipientPrivateKeyPEM: String) throws {
        self.init(recipientPrivateKey: try RawECDHKeyInput.privateKey(pem: recipientPrivateKeyPEM, curve: curve, role: "recipient's private key"))
    }

    // Spec: key-agreement-schemas.md ("PublicKeyDiscovery") — the stored recipient key must be ours.
    /// Decrypts the first encrypted data key addressed to this recipient.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        let recipient = recipientPoint
        return try RawECDHDecryption.onDecrypt(
            materials, encryptedDataKeys: encryptedDataKeys, keyring: description, privateKey: recipientPrivateKey,
            mismatch: "its recipient public key is not this keyring's key"
        ) { storedRecipient, storedSender in
            storedRecipient == recipient ? storedSender : nil
        }
    }
}
