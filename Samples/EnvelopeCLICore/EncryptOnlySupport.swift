import EnvelopeCore

// TEMPORARY until branch keyrings (EncryptOnlyClient) is merged.
enum EncryptOnlySupport {
    static func encryptionMaterialsManager(keyring: any EncryptionKeyring, encryptOnly: Bool) throws(CLIError) -> any EncryptionMaterialsManager {
        DefaultMaterialsManager(encryptionKeyring: keyring)
    }
}
