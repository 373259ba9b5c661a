import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import Foundation
import Testing

/// Whole messages through the KMS keyrings, with KMS reached over HTTP + SigV4 on the local server.
@Suite("KMS keyrings over the local KMS server", .serialized)
struct KeyringOverWireTests {
    @Test("encrypt by alias ARN, decrypt with a strict keyring; the EDK names the key ARN")
    func messageRoundTrip() async throws {
        let served = try await ServedKMS.start()
        let kms = try served.transport(served.user1.accessKeyId, served.user1.secretAccessKey)
        let client = EnvelopeClient()
        let plaintext = Array("a message whose data key came over the wire".utf8)
        let encrypted = try await client.encrypt(
            plaintext, keyring: KMSEncryptionKeyring(keyID: try KMSKeyIdentifier(parsing: served.aliasARN), transport: kms),
            encryptionContext: ["purpose": "wire-test"])
        #expect(encrypted.header.encryptedDataKeys.map(\.providerID) == ["aws-kms"])
        #expect(encrypted.header.encryptedDataKeys.first.map { String(decoding: $0.providerInfo, as: UTF8.self) } == served.key.description)

        let strict = try KMSStrictDecryptionKeyring(keyARN: served.key, transport: kms)
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: strict)
        #expect(decrypted.plaintext == plaintext)
        #expect(decrypted.encryptionContext["purpose"] == "wire-test")
        await served.server.stop()
    }

    @Test("a principal without kms:Decrypt gets a per-key AccessDeniedException report")
    func deniedDecryptReport() async throws {
        let served = try await ServedKMS.start()
        let user1 = try served.transport(served.user1.accessKeyId, served.user1.secretAccessKey)
        let noAccess = try served.transport(served.noAccess.accessKeyId, served.noAccess.secretAccessKey)
        let client = EnvelopeClient()
        let encrypted = try await client.encrypt([1, 2, 3], keyring: KMSEncryptionKeyring(keyID: .keyARN(served.key), transport: user1))
        let error = try await #require(throws: EnvelopeError.self) {
            try await client.decrypt(encrypted.ciphertext, keyring: try KMSStrictDecryptionKeyring(keyARN: served.key, transport: noAccess))
        }
        #expect(error.code == .unableToDecryptDataKey)
        let report = error.dataKeyFailures.map(\.reason).joined(separator: "\n")
        #expect(error.dataKeyFailures.contains { $0.keyName == served.key.description })
        #expect(report.contains("AccessDeniedException"))
        #expect(report.contains("kms:Decrypt"))
        await served.server.stop()
    }
}
