import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Testing

/// Issue 15, point 8: strings a message's author chose (provider IDs, key names, context keys) are
/// escaped and truncated before they reach an error message or a log.
@Suite("Attacker-supplied header strings in errors")
struct UntrustedHeaderTextTests {
    /// Adds an encrypted data key with the given provider ID and key name (and a data key).
    struct NamedEDKKeyring: EncryptionKeyring {
        let providerID: String
        let keyName: String

        func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
            var materials = materials
            materials.plaintextDataKey = try RandomBytes.secure(count: materials.suite.dataKeyLength)
            materials.encryptedDataKeys.append(EncryptedDataKey(providerID: providerID, providerInfo: Array(keyName.utf8), ciphertext: [1, 2, 3]))
            return materials
        }
    }

    static let hostile = "evil\u{202E}txt.exe\u{1B}[31m\r\nFAKE LOG LINE\u{2066}" + String(repeating: "x", count: 5000)

    @Test("Provider IDs and key names are escaped and truncated in the error")
    func escapedInErrors() async throws {
        let client = EnvelopeClient()
        let message = try await client.encrypt(Fixtures.plaintext(10), keyring: NamedEDKKeyring(providerID: Self.hostile, keyName: Self.hostile)).ciphertext
        let error = await caughtError(EnvelopeError.self) { _ = try await client.decrypt(message, keyring: try Fixtures.aesKeyring()) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(error?.code == .unableToDecryptDataKey)
        for bad in ["\u{202E}", "\u{1B}", "\r", "\u{2066}", "FAKE LOG LINE\n"] {
            #expect(!text.contains(bad), "raw \(bad.unicodeScalars.map { $0.value }) in the error")
        }
        #expect(!text.contains(String(repeating: "x", count: 300)), "not truncated")
        #expect(text.contains("evil\\u{202E}txt.exe\\u{1B}[31m\\u{D}\\u{A}FAKE LOG LINE\\u{2066}"))
    }
}
