import EnvelopeCore

/// A strict KMS keyring with both sides: encrypts under one key and decrypts only what that key
/// encrypted.
///
/// Spec: framework/aws-kms/aws-kms-keyring.md (and aws-kms-mrk-keyring.md when multi-Region aware).
/// The encrypt side uses the identifier as configured (so an alias follows re-pointing); the
/// decrypt side uses the key ARN, resolved once when the keyring is built.
public struct KMSKeyring: Keyring, CustomStringConvertible {
    /// The encrypt side.
    public let encryption: KMSEncryptionKeyring
    /// The decrypt side.
    public private(set) var decryption: KMSStrictDecryptionKeyring

    /// See ``KMSStrictDecryptionKeyring/maxFailedDecryptAttempts`` (default 10).
    public var maxFailedDecryptAttempts: Int {
        get { decryption.maxFailedDecryptAttempts }
        set { decryption.maxFailedDecryptAttempts = newValue }
    }

    /// A keyring for `keyARN`.
    public init(keyARN: KMSKeyARN, transport: any KMSTransport, grantTokens: [String] = [], multiRegionAware: Bool = false) throws {
        encryption = try KMSEncryptionKeyring(keyID: .keyARN(keyARN), transport: transport, grantTokens: grantTokens)
        decryption = try KMSStrictDecryptionKeyring(keyARN: keyARN, transport: transport, grantTokens: grantTokens, multiRegionAware: multiRegionAware)
    }

    /// A keyring for any identifier; aliases and key IDs are resolved for the decrypt side with
    /// one DescribeKey call, and refused with the reason when they cannot be.
    public static func resolving(_ identifier: KMSKeyIdentifier, transport: any KMSTransport, grantTokens: [String] = [],
                                 multiRegionAware: Bool = false) async throws -> KMSKeyring {
        let decryption = try await KMSStrictDecryptionKeyring.resolving(identifier, transport: transport, grantTokens: grantTokens,
                                                                        multiRegionAware: multiRegionAware)
        let encryption = try KMSEncryptionKeyring(keyID: identifier, transport: transport, grantTokens: grantTokens)
        return KMSKeyring(encryption: encryption, decryption: decryption)
    }

    private init(encryption: KMSEncryptionKeyring, decryption: KMSStrictDecryptionKeyring) {
        self.encryption = encryption
        self.decryption = decryption
    }

    /// `KMS keyring(KEY)`.
    public var description: String { decryption.description.replacingOccurrences(of: "strict KMS keyring", with: "KMS keyring") }

    /// See ``KMSEncryptionKeyring/onEncrypt(_:)``.
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        try await encryption.onEncrypt(materials)
    }

    /// See ``KMSStrictDecryptionKeyring/onDecrypt(_:encryptedDataKeys:)``.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try await decryption.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys, label: description)
    }
}
