/// Requires certain encryption context keys; their pairs are authenticated but not stored in
/// the header, so a decryptor must supply them again.
///
/// Spec: framework/required-encryption-context-cmm.md.
public struct RequiredEncryptionContextMaterialsManager: EncryptionMaterialsManager, DecryptionMaterialsManager, CustomStringConvertible {
    private let encryptUnderlying: (any EncryptionMaterialsManager)?
    private let decryptUnderlying: (any DecryptionMaterialsManager)?
    /// The keys that must be present on encrypt and reproduced on decrypt.
    public let requiredKeys: [String]

    /// Wraps a manager that can both encrypt and decrypt.
    public init(underlying: any EncryptionMaterialsManager & DecryptionMaterialsManager, requiredKeys: [String]) {
        encryptUnderlying = underlying
        decryptUnderlying = underlying
        self.requiredKeys = requiredKeys
    }

    /// Wraps a default manager built with `keyring`.
    public init(keyring: any Keyring, requiredKeys: [String]) {
        self.init(underlying: DefaultMaterialsManager(keyring: keyring), requiredKeys: requiredKeys)
    }

    /// Wraps an encrypt-only manager.
    public init(encryptionUnderlying: any EncryptionMaterialsManager, requiredKeys: [String]) {
        encryptUnderlying = encryptionUnderlying
        decryptUnderlying = nil
        self.requiredKeys = requiredKeys
    }

    /// Wraps a decrypt-only manager.
    public init(decryptionUnderlying: any DecryptionMaterialsManager, requiredKeys: [String]) {
        encryptUnderlying = nil
        decryptUnderlying = decryptionUnderlying
        self.requiredKeys = requiredKeys
    }

    /// Names the required keys (not their values).
    public var description: String { "required-encryption-context materials manager(keys: \(requiredKeys.sorted()))" }

    // Spec: framework/required-encryption-context-cmm.md ("Get Encryption Materials").
    /// Returns encryption materials for the request.
    public func getEncryptionMaterials(_ request: EncryptionMaterialsRequest) async throws -> EncryptionMaterials {
        guard let underlying = encryptUnderlying else {
            throw EnvelopeError(.invalidArgument, "This materials manager was built for decryption only and cannot encrypt.")
        }
        for key in requiredKeys.sorted() where request.encryptionContext[key] == nil {
            throw EnvelopeError(.encryptionContextMismatch, "The encryption context lacks the required key \"\(key)\". Add it to the encryption context.")
        }
        var forwarded = request
        for key in requiredKeys where !forwarded.requiredEncryptionContextKeys.contains(key) {
            forwarded.requiredEncryptionContextKeys.append(key)
        }
        let materials = try await underlying.getEncryptionMaterials(forwarded)
        for key in requiredKeys where !materials.requiredEncryptionContextKeys.contains(key) {
            throw EnvelopeError(.keyringFailure, "The underlying materials manager dropped the required encryption context key \"\(key)\".")
        }
        return materials
    }

    // Spec: framework/required-encryption-context-cmm.md ("Decrypt Materials").
    /// Returns decryption materials for the request.
    public func decryptMaterials(_ request: DecryptionMaterialsRequest) async throws -> DecryptionMaterials {
        guard let underlying = decryptUnderlying else {
            throw EnvelopeError(.invalidArgument, "This materials manager was built for encryption only and cannot decrypt.")
        }
        for key in requiredKeys.sorted() where request.reproducedEncryptionContext[key] == nil {
            throw EnvelopeError(.encryptionContextMismatch, "The required encryption context key \"\(key)\" was not supplied to decrypt. Pass the encryption context used at encryption.")
        }
        let materials = try await underlying.decryptMaterials(request)
        for key in requiredKeys where materials.encryptionContext[key] == nil {
            throw EnvelopeError(.keyringFailure, "The underlying materials manager dropped the required encryption context key \"\(key)\".")
        }
        return materials
    }
}
