/// Which encrypted data key a keyring decrypted, and how it found it (for example an alias that was
/// resolved to its key ARN when the keyring was built).
///
/// Set by keyrings on ``DecryptionMaterials/dataKeyOrigin`` and reported in ``DecryptResult/dataKeyOrigin``.
/// Contains identifiers only, never key material.
public struct DataKeyOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The provider ID of the encrypted data key that was decrypted (`aws-kms` for KMS).
    public let providerID: String
    /// The key name or key ARN of that encrypted data key.
    public let keyName: String
    /// The keyring that decrypted it.
    public let keyring: String
    /// How the keyring got there, e.g. `alias arn:…:alias/X resolved to arn:…:key/… (DescribeKey)`.
    public let notes: [String]
    /// The encrypted data key of the message that was decrypted.
    public let encryptedDataKey: EncryptedDataKey?

    /// Creates a record.
    public init(providerID: String, keyName: String, keyring: String, notes: [String] = [], encryptedDataKey: EncryptedDataKey? = nil) {
        self.providerID = providerID
        self.keyName = keyName
        self.keyring = keyring
        self.notes = notes
        self.encryptedDataKey = encryptedDataKey
    }

    /// The record for `edk`, decrypted by `keyring`.
    public init(decrypted edk: EncryptedDataKey, keyring: String, notes: [String] = []) {
        self.init(providerID: edk.providerID, keyName: edk.keyName, keyring: keyring, notes: notes, encryptedDataKey: edk)
    }

    /// One line: provider, key, keyring and notes.
    public var description: String {
        "provider \"\(UntrustedText.escaped(providerID))\" key \"\(UntrustedText.escaped(keyName))\" (\(keyring))" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
    }
}
