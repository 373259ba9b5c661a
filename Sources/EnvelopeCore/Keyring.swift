/// The encrypt side of a keyring: generates and/or wraps the data key.
///
/// Encrypt and decrypt are separate capabilities: an encrypt-only keyring has no decrypt entry point.
/// Spec: framework/keyring-interface.md ("OnEncrypt").
public protocol EncryptionKeyring: Sendable {
    /// Generates a data key when `materials` has none, then adds an encrypted data key.
    func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials
}

/// The decrypt side of a keyring: unwraps one of the message's encrypted data keys.
///
/// Spec: framework/keyring-interface.md ("OnDecrypt").
public protocol DecryptionKeyring: Sendable {
    /// Sets the plaintext data key from one of `encryptedDataKeys`, or throws an ``EnvelopeError``
    /// with code `unableToDecryptDataKey` whose `dataKeyFailures` says, per key, why not.
    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials
}

/// A keyring that can both encrypt and decrypt.
public typealias Keyring = EncryptionKeyring & DecryptionKeyring

enum KeyringChecks {
    /// Spec: framework/keyring-interface.md — OnDecrypt with a data key already present is an error.
    static func requireNoDataKey(_ materials: DecryptionMaterials, keyring: String) throws {
        if materials.plaintextDataKey != nil {
            throw EnvelopeError(.keyringFailure, "\(keyring) was asked to decrypt materials that already hold a data key. Call it only before a data key is set.")
        }
    }

    static func unableToDecrypt(_ failures: [EnvelopeError.DataKeyFailure], keyring: String, keyCount: Int, causes: [any Error] = []) -> EnvelopeError {
        EnvelopeError(.unableToDecryptDataKey,
                      "\(keyring) could not decrypt any of the message's \(keyCount) encrypted data key(s). Use a keyring with one of the keys listed below, or check the reasons given for each.",
                      causes: causes, dataKeyFailures: failures)
    }
}
