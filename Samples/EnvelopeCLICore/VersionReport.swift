import EnvelopeCore
import EnvelopeCrypto
import Foundation

/// What `envelope --version` prints: the version, the commit it was built from, the crypto
/// libraries it runs on and the suite encrypt uses by default.
enum VersionReport {
    static var text: String {
        let suite = CommitmentPolicy.requireEncryptRequireDecrypt.defaultSuite
        return """
            envelope \(EnvelopeCLI.version)
            commit: \(buildGitCommit)
            OpenSSL: \(CryptoLibraryVersions.openSSL)
            libsodium: \(CryptoLibraryVersions.libsodium)
            default suite: \(suite.name) (\(String(format: "0x%04X", suite.id)))
            """
    }
}
