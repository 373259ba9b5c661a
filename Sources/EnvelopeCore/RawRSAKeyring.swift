import EnvelopeCrypto

/// Wraps data keys with an RSA public key and unwraps them with the private key.
///
/// Either key may be absent: a public-only keyring can only encrypt, a private-only one only decrypt.
/// Spec: framework/raw-rsa-keyring.md.
public struct RawRSAKeyring: Keyring, CustomStringConvertible {
    /// The key namespace, stored as the EDK provider ID.
    public let keyNamespace: String
    /// The key name, stored as the EDK provider info.
    public let keyName: String
    /// The padding scheme (PKCS #1 v1.5 or OAEP with MGF1 of the same hash).
    public let padding: RSAPadding
    private let publicKey: RSAPublicKey?
    private let privateKey: RSAPrivateKey?

    /// Creates a keyring; at least one of the keys must be given.
    public init(keyNamespace: String, keyName: String, padding: RSAPadding, publicKey: RSAPublicKey?, privateKey: RSAPrivateKey?) throws {
        guard publicKey != nil || privateKey != nil else {
            throw EnvelopeError(.invalidArgument, "A raw RSA keyring needs a public key (to encrypt), a private key (to decrypt), or both.")
        }
        // Spec: framework/raw-rsa-keyring.md ("Initialization") — the namespace MUST NOT be "aws-kms".
        guard keyNamespace != "aws-kms" else {
            throw EnvelopeError(.invalidArgument, "The key namespace \"aws-kms\" is reserved for AWS KMS keyrings. Choose another namespace.")
        }
        guard keyNamespace.utf8.count <= Int(UInt16.max), keyName.utf8.count <= Int(UInt16.max) else {
            throw EnvelopeError(.invalidArgument, "The key namespace or name is too long to store in a message. Shorten it.")
        }
        self.keyNamespace = keyNamespace
        self.keyName = keyName
        self.padding = padding
        // Spec: raw-rsa-keyring.md — with only a private key, the public key is derived from it.
        self.publicKey = publicKey ?? privateKey?.publicKey
        self.privateKey = privateKey
    }

    /// Names the keyring (never the key).
    public var description: String { "raw RSA keyring \(keyNamespace)/\(keyName) (\(padding))" }

    // Spec: framework/raw-rsa-keyring.md ("OnEncrypt").
    /// Adds this keyring's encrypted data key (generating the data key first if there is none).
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        guard let publicKey else {
            throw EnvelopeError(.keyringFailure, "\(self) has no public key and cannot encrypt. Give it the RSA public key.")
        }
        var materials = materials
        let dataKey = try materials.plaintextDataKey ?? RandomBytes.secure(count: materials.suite.dataKeyLength)
        let wrapped: [UInt8]
        do {
            wrapped = try publicKey.encrypt(dataKey, padding: padding)
        } catch {
            throw EnvelopeError.wrapping(error, "\(self) failed to wrap the data key (is the RSA key large enough for this padding?).", code: .keyringFailure)
        }
        materials.encryptedDataKeys.append(EncryptedDataKey(providerID: keyNamespace, providerInfo: Array(keyName.utf8), ciphertext: wrapped))
        materials.plaintextDataKey = dataKey
        return materials
    }

    // Spec: framework/raw-rsa-keyring.md ("OnDecrypt").
    /// Decrypts the first encrypted data key this keyring can unwrap.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try KeyringChecks.requireNoDataKey(materials, keyring: description)
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        let name = Array(keyName.utf8)
        for edk in encryptedDataKeys {
            func fail(_ reason: String) {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: description, reason: reason))
            }
            guard edk.providerID == keyNamespace else {
                fail("provider ID does not match this keyring's namespace \"\(keyNamespace)\""); continue
            }
            guard edk.providerInfo == name else {
                fail("key name does not match this keyring's key name \"\(keyName)\""); continue
            }
            guard let privateKey else {
                fail("this keyring has no private key"); continue
            }
            do {
                let key = try privateKey.decrypt(edk.ciphertext, padding: padding)
                guard key.count == materials.suite.dataKeyLength else {
                    fail("unwrapped key is \(key.count) bytes, expected \(materials.suite.dataKeyLength)"); continue
                }
                var result = materials
                result.plaintextDataKey = key
                result.dataKeyOrigin = DataKeyOrigin(decrypted: edk, keyring: description)
                return result
            } catch {
                causes.append(error)
                fail("RSA unwrap failed: wrong private key or padding (\(padding))")
            }
        }
        throw KeyringChecks.unableToDecrypt(failures, keyring: description, keyCount: encryptedDataKeys.count, causes: causes)
    }
}
