import EnvelopeCore
import EnvelopeKMS

// TEMPORARY until branch keyrings (KMS keyrings) is merged.
enum KMSKeyringFactory {
    static func encryptionKeyrings(keys: [KMSKeyIdentifier], region: String?, profile: String?, backend: KMSBackend, principal: AWSPrincipalARN?) throws(CLIError) -> [any EncryptionKeyring] {
        throw CLIError(.unavailable, "KMS keyrings are not available in this build")
    }
    static func decryptionKeyrings(keys: [KMSKeyIdentifier], region: String?, profile: String?, backend: KMSBackend, principal: AWSPrincipalARN?) throws(CLIError) -> [any DecryptionKeyring] {
        throw CLIError(.unavailable, "KMS keyrings are not available in this build")
    }
    static func discoveryKeyring(accounts: [String], partition: String?, backend: KMSBackend, principal: AWSPrincipalARN?) throws(CLIError) -> any DecryptionKeyring {
        throw CLIError(.unavailable, "KMS keyrings are not available in this build")
    }
}
