import EnvelopeCrypto

/// Wraps data keys with an RSA public key and unwraps them with the private key.
///
/// Either key may be absent: a public-only keyring can only encrypt, a private-only one only decrypt.
/// Spec: framework/raw-rsa-keyring.md.
///
/// With PKCS #1 v1.5 padding, unwrapping uses implicit rejection: an encrypted data key of this
/// keyring's namespace and name that does not unwrap (bad padding, a key of the wrong length, or
/// a key wrapped for another RSA key) yields a key derived from the private key and the
/// ciphertext, and the message then fails at its header authentication tag, exactly as a message
/// with a wrong key does. No error says which of these happened (no padding oracle). A consequence:
/// such an encrypted data key is never skipped in favour of a later one.
///
/// Keys under 2048 bits are refused unless `allowWeakKeys` is true.
public struct RawRSAKeyring: Keyring, CustomStringConvertible {
    /// The key namespace, stored as the EDK provider ID.
    public let keyNamespace: String
    /// The key name, stored as the EDK provider info.
    public let keyName: String
    /// The padding scheme (PKCS #1 v1.5 or OAEP with MGF1 of the same hash).
    public let padding: RSAPadding
    private let publicKey: RSAPublicKey?
    private let privateKey: RSAPrivateKey?

    /// The smallest RSA modulus accepted without `allowWeakKeys`: 2048 bits.
    public static let minimumKeyBits = 2048

    /// Creates a keyring; at least one of the keys must be given.
    /// - Parameters:
    ///   - keyNamespace: the provider ID written into encrypted data keys (the key's namespace).
    ///   - keyName: the key's name, written into encrypted data keys and matched on decrypt.
    ///   - padding: the RSA padding that wraps data keys.
    ///   - publicKey: the key that wraps (encrypt); nil to derive it from `privateKey`.
    ///   - privateKey: the key that unwraps (decrypt), and wraps too when `publicKey` is nil.
    ///   - allowWeakKeys: accept keys under ``minimumKeyBits`` (e.g. to decrypt old messages); off
    ///     by default.
    public init(keyNamespace: String, keyName: String, padding: RSAPadding, publicKey: RSAPublicKey?, privateKey: RSAPrivateKey?,
                allowWeakKeys: Bool = false) throws {
        guard publicKey != nil || privateKey != nil else {
            throw EnvelopeError(.invalidArgument, "A raw RSA keyring needs a public key (to encrypt), a private key (to decrypt), or both.")
        }
        let bits = min(publicKey?.bits ?? Int.max, privateKey?.bits ?? Int.max)
        guard allowWeakKeys || bits >= Self.minimumKeyBits else {
            throw EnvelopeError(.invalidArgument, "The RSA key has \(bits) bits; keys under \(Self.minimumKeyBits) bits are refused. Use a key of 2048 bits or more, or pass allowWeakKeys: true if you must use this one.")
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
            let length = materials.suite.dataKeyLength
            let key: SecureBytes
            if padding == .pkcs1 {
                // Implicit rejection: never fails for the ciphertext (see the type's documentation).
                do {
                    key = try privateKey.unwrapPKCS1(edk.ciphertext, expectedLength: length)
                } catch {
                    throw EnvelopeError.wrapping(error, "\(self) could not run RSA decryption in the crypto library. Retry; if it persists, report it.")
                }
            } else {
                // One reason for every OAEP failure, without lengths.
                guard let unwrapped = try? privateKey.decrypt(edk.ciphertext, padding: padding), unwrapped.count == length else {
                    fail("RSA unwrap failed: wrong private key, padding or ciphertext"); continue
                }
                key = unwrapped
            }
            var result = materials
            result.plaintextDataKey = key
            result.dataKeyOrigin = DataKeyOrigin(decrypted: edk, keyring: description)
            return result
        }
        throw KeyringChecks.unableToDecrypt(failures, keyring: description, keyCount: encryptedDataKeys.count)
    }
}
