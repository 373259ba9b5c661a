import EnvelopeCrypto

/// The raw ECDH keyring with the `EphemeralPrivateKeyToStaticPublicKey` schema: encrypts for a
/// recipient's public key with a fresh key pair per message, so the sender needs no key of its own.
///
/// Encrypt-only (an ``EncryptionKeyring``): the ephemeral private key is dropped after each
/// message, and only the recipient, with a ``RawECDHDiscoveryKeyring`` (or a ``RawECDHKeyring``
/// holding its private key), can decrypt.
///
/// Spec: framework/raw-ecdh-keyring.md, framework/key-agreement-schemas.md ("EphemeralPrivateKeyToStaticPublicKey").
public struct RawECDHEphemeralKeyring: EncryptionKeyring, CustomStringConvertible {
    /// The recipient's public key.
    public let recipientPublicKey: ECDHPublicKey
    private let recipientPoint: [UInt8]
    /// Names the keyring by curve and the first bytes of the recipient's public key.
    public let description: String

    /// The curve of the recipient's key, on which each message's key pair is generated.
    public var curve: ECDHCurve { recipientPublicKey.curve }

    /// Creates a keyring for a public key already read (and validated).
    /// - Parameter recipientPublicKey: the recipient's public key.
    public init(recipientPublicKey: ECDHPublicKey) {
        self.recipientPublicKey = recipientPublicKey
        recipientPoint = recipientPublicKey.compressedPoint
        description = "raw ECDH keyring (\(recipientPublicKey.curve), ephemeral: recipient \(RawECDHKeyInput.fingerprint(recipientPublicKey)))"
    }

    /// Creates a keyring from the recipient's DER X.509 SubjectPublicKeyInfo.
    ///
    /// Throws an ``EnvelopeError`` with code ``EnvelopeError/Code/invalidArgument`` whose cause is
    /// the `ECDHKeyError` saying why the key was refused.
    /// - Parameters:
    ///   - curve: the curve the key must be on.
    ///   - recipientPublicKeyDER: the recipient's public key, DER SubjectPublicKeyInfo.
    public init(curve: ECDHCurve, recipientPublicKeyDER: [UInt8]) throws {
        self.init(recipientPublicKey: try RawECDHKeyInput.publicKey(der: recipientPublicKeyDER, curve: curve, role: "recipient's public key"))
    }

    // Spec: key-agreement-schemas.md ("EphemeralPrivateKeyToStaticPublicKey") — a new key pair on
    // the recipient's curve for every encrypt.
    /// Adds an encrypted data key for the recipient (generating the data key first if there is none).
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        let ephemeral: ECDHPrivateKey
        do {
            ephemeral = try ECDHPrivateKey(generatingOn: curve)
        } catch {
            throw EnvelopeError.wrapping(error, "\(self) could not generate an ephemeral key pair. Retry; if it persists, report it.", code: .keyringFailure)
        }
        return try RawECDHEncryption.onEncrypt(materials, keyring: description, senderPrivateKey: ephemeral,
                                               senderPoint: ephemeral.publicKey.compressedPoint,
                                               recipientPublicKey: recipientPublicKey, recipientPoint: recipientPoint)
    }
}
