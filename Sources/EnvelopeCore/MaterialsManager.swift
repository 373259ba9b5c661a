/// Produces encryption materials for a message. Spec: framework/cmm-interface.md.
public protocol EncryptionMaterialsManager: Sendable {
    /// Returns materials with a data key, encrypted data keys and (signed suites) a signing key.
    func getEncryptionMaterials(_ request: EncryptionMaterialsRequest) async throws -> EncryptionMaterials
}

/// Produces decryption materials for a parsed message header. Spec: framework/cmm-interface.md.
public protocol DecryptionMaterialsManager: Sendable {
    /// Returns materials with the plaintext data key and (signed suites) the verification key.
    func decryptMaterials(_ request: DecryptionMaterialsRequest) async throws -> DecryptionMaterials
}
