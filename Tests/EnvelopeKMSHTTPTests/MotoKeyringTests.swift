import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import Foundation
import Testing

/// A whole message through the KMS keyrings with moto as KMS (SigV4 checked).
@Suite("KMS keyrings against moto", .serialized)
struct MotoKeyringTests {
    @Test("encrypt by alias ARN, decrypt strict by key ARN and by discovery")
    func messageRoundTrip() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await MotoTransportTests().allowed()
        let client = EnvelopeClient()
        let plaintext = [UInt8](repeating: 0x5A, count: 10_000)
        let alias = try KMSKeyIdentifier(parsing: "arn:aws:kms:us-east-1:\(MotoTransportTests.account):alias/envelope-1")
        let encrypted = try await client.encrypt(
            plaintext, keyring: KMSEncryptionKeyring(keyID: alias, transport: kms),
            encryptionContext: ["tenant": "moto"], frameLength: 1024)
        #expect(encrypted.header.encryptedDataKeys.first.map { String(decoding: $0.providerInfo, as: UTF8.self) } == moto.key1.description)

        let strict = try await client.decrypt(encrypted.ciphertext, keyring: try KMSStrictDecryptionKeyring(keyARN: moto.key1, transport: kms))
        #expect(strict.plaintext == plaintext)
        #expect(strict.encryptionContext["tenant"] == "moto")

        let discovery = try KMSDiscoveryKeyring(
            transport: kms, filter: .accounts([AWSAccountID(rawValue: MotoTransportTests.account)!], partition: .aws))
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: discovery).plaintext == plaintext)
    }

    @Test("a strict keyring for another key tries nothing and reports the message's key ARN")
    func otherKeyReported() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await MotoTransportTests().allowed()
        let client = EnvelopeClient()
        let encrypted = try await client.encrypt([1, 2, 3], keyring: KMSEncryptionKeyring(keyID: .keyARN(moto.key1), transport: kms))
        let error = try await #require(throws: EnvelopeError.self) {
            try await client.decrypt(encrypted.ciphertext, keyring: try KMSStrictDecryptionKeyring(keyARN: moto.key2, transport: kms))
        }
        #expect(error.code == .unableToDecryptDataKey)
        #expect(error.dataKeyFailures.contains { $0.keyName == moto.key1.description })
    }
}
