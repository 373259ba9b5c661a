import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

@Suite("Round trips")
struct RoundTripTests {
    static let committing = AlgorithmSuite.all.filter(\.isCommitting)
    static let legacy = AlgorithmSuite.all.filter { !$0.isCommitting }

    @Test("every committing suite round-trips under the default policy", arguments: committing, [1, 4096, 100])
    func committingSuites(suite: AlgorithmSuite, frameLength: Int) async throws {
        let client = EnvelopeClient()
        let keyring = try Fixtures.aesKeyring()
        for size in [0, 1, 99, 100, 300, 5000] {
            let plaintext = Fixtures.plaintext(size)
            let result = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["purpose": "test", "ü": "ñ"], suite: suite, frameLength: frameLength)
            #expect(result.ciphertext.first == 2)
            #expect(result.header.suite == suite)
            let decrypted = try await client.decrypt(result.ciphertext, keyring: keyring)
            #expect(decrypted.plaintext == plaintext)
            #expect(decrypted.suite == suite)
            #expect(decrypted.encryptionContext["purpose"] == "test")
            #expect(decrypted.encryptionContext["aws-crypto-public-key"] != nil || !suite.isSigned)
            #expect(decrypted.frameLength == frameLength)
        }
    }

    @Test("every legacy suite round-trips under forbid-encrypt-allow-decrypt", arguments: legacy, [1, 4096, 100])
    func legacySuites(suite: AlgorithmSuite, frameLength: Int) async throws {
        let client = EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
        let keyring = try Fixtures.aesKeyring(bits: 128)
        for size in [0, 1, 100, 250] {
            let plaintext = Fixtures.plaintext(size, seed: 3)
            let result = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["a": "b"], suite: suite, frameLength: frameLength)
            #expect(result.ciphertext.prefix(2) == [1, 0x80])
            let decrypted = try await client.decrypt(result.ciphertext, keyring: keyring)
            #expect(decrypted.plaintext == plaintext)
            #expect(decrypted.suite == suite)
            // A legacy message also decrypts under require-encrypt-allow-decrypt, but not the default.
            let allow = try await EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt).decrypt(result.ciphertext, keyring: keyring)
            #expect(allow.plaintext == plaintext)
            _ = await expectEnvelopeError(.commitmentPolicyViolation) { _ = try await EnvelopeClient().decrypt(result.ciphertext, keyring: keyring) }
        }
    }

    @Test("default suite is 0x0578 and default frame length 4096")
    func defaults() async throws {
        let result = try await EnvelopeClient().encrypt(Fixtures.plaintext(10), keyring: try Fixtures.aesKeyring())
        #expect(result.header.suite.id == 0x0578)
        #expect(result.header.frameLength == 4096)
        #expect(result.header.messageID.count == 32)
    }

    @Test("an exact multiple of the frame length ends with an empty final frame")
    func exactMultiple() async throws {
        let client = EnvelopeClient()
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(300)
        let result = try await client.encrypt(plaintext, keyring: keyring, suite: .aes256GCMHKDFSHA512CommitKey, frameLength: 100)
        let headerLength = result.ciphertext.count - 3 * (BodyCodec.regularFrameOverhead + 100) - BodyCodec.finalFrameOverhead
        #expect(headerLength > 0)
        // The final frame: marker, seq 4, IV, length 0, tag.
        let final = Array(result.ciphertext.suffix(BodyCodec.finalFrameOverhead))
        #expect(final.prefix(8) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 4])
        #expect(final[20..<24] == [0, 0, 0, 0])
        #expect(try await client.decrypt(result.ciphertext, keyring: keyring).plaintext == plaintext)
    }

    @Test("raw AES 128/192/256 keyrings", arguments: [128, 192, 256])
    func rawAES(bits: Int) async throws {
        let keyring = try Fixtures.aesKeyring(bits: bits)
        let client = EnvelopeClient()
        let plaintext = Fixtures.plaintext(1000)
        let result = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["k": "v"])
        let edk = try #require(result.header.encryptedDataKeys.first)
        #expect(edk.providerID == "test-ns")
        #expect(edk.providerInfo.count == "test-key".utf8.count + 20)
        #expect(edk.keyName == "test-key")
        #expect(try await client.decrypt(result.ciphertext, keyring: keyring).plaintext == plaintext)
        // A different key of the same name fails, listing the EDK.
        let other = try Fixtures.aesKeyring(bits: bits, seed: 99)
        let error = await expectEnvelopeError(.unableToDecryptDataKey) { _ = try await client.decrypt(result.ciphertext, keyring: other) }
        #expect(error?.dataKeyFailures.first?.keyName == "test-key")
    }

    @Test("raw RSA keyring with every padding", arguments: RSAPadding.allCases)
    func rawRSA(padding: RSAPadding) async throws {
        let keyring = try Fixtures.rsaKeyring(padding: padding)
        let client = EnvelopeClient()
        let plaintext = Fixtures.plaintext(777)
        let result = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["k": "v"])
        #expect(result.header.encryptedDataKeys.first?.providerInfo == Array("rsa-key".utf8))
        #expect(try await client.decrypt(result.ciphertext, keyring: keyring).plaintext == plaintext)
        // Public-only encrypts, private-only decrypts.
        let publicOnly = try RawRSAKeyring(keyNamespace: "rsa-ns", keyName: "rsa-key", padding: padding, publicKey: Fixtures.rsaKey.publicKey, privateKey: nil)
        let privateOnly = try RawRSAKeyring(keyNamespace: "rsa-ns", keyName: "rsa-key", padding: padding, publicKey: nil, privateKey: Fixtures.rsaKey)
        let second = try await client.encrypt(plaintext, keyring: publicOnly)
        #expect(try await client.decrypt(second.ciphertext, keyring: privateOnly).plaintext == plaintext)
        _ = await expectEnvelopeError(.unableToDecryptDataKey) { _ = try await client.decrypt(second.ciphertext, keyring: publicOnly) }
    }

    @Test("multi-keyring: every member can decrypt alone")
    func multiKeyring() async throws {
        let aes = try Fixtures.aesKeyring()
        let aes2 = try Fixtures.aesKeyring(bits: 128, name: "second")
        let rsa = try Fixtures.rsaKeyring()
        let multi = try MultiKeyring(generator: aes, children: [rsa, aes2])
        let client = EnvelopeClient()
        let plaintext = Fixtures.plaintext(5000)
        let result = try await client.encrypt(plaintext, keyring: multi, encryptionContext: ["x": "y"])
        #expect(result.header.encryptedDataKeys.count == 3)
        for keyring in [aes, aes2, rsa] as [any Keyring] {
            #expect(try await client.decrypt(result.ciphertext, keyring: keyring).plaintext == plaintext)
        }
        #expect(try await client.decrypt(result.ciphertext, keyring: multi).plaintext == plaintext)
        // A multi-keyring whose members all fail reports every member's cause.
        let wrong = try MultiKeyring(generator: try Fixtures.aesKeyring(seed: 1), children: [try Fixtures.aesKeyring(bits: 128, name: "nope")])
        let error = await expectEnvelopeError(.unableToDecryptDataKey) { _ = try await client.decrypt(result.ciphertext, keyring: wrong) }
        #expect(error?.causes.count == 2)
        #expect((error?.dataKeyFailures.count ?? 0) == 6)
        #expect(throws: EnvelopeError.self) { try MultiKeyring(generator: nil, children: []) }
    }

    @Test("required encryption context CMM: pairs authenticated, not stored")
    func requiredContext() async throws {
        let keyring = try Fixtures.aesKeyring()
        let cmm = RequiredEncryptionContextMaterialsManager(keyring: keyring, requiredKeys: ["tenant"])
        let client = EnvelopeClient()
        let plaintext = Fixtures.plaintext(123)
        let result = try await client.encrypt(plaintext, materialsManager: cmm, encryptionContext: ["tenant": "acme", "stored": "yes"])
        #expect(result.header.encryptionContext["tenant"] == nil)
        #expect(result.header.encryptionContext["stored"] == "yes")
        let decrypted = try await client.decrypt(result.ciphertext, materialsManager: cmm, encryptionContext: ["tenant": "acme"])
        #expect(decrypted.plaintext == plaintext)
        #expect(decrypted.encryptionContext["tenant"] == "acme")
        // Both results name the pair that was authenticated but not stored, and the EDK used.
        #expect(result.requiredEncryptionContextKeys == ["tenant"])
        #expect(result.encryptionContext["tenant"] == "acme")
        #expect(decrypted.requiredEncryptionContextKeys == ["tenant"])
        #expect(decrypted.decryptedDataKey == result.encryptedDataKeys.first)
        #expect(decrypted.dataKeyOrigin?.keyring == keyring.description)
        #expect(try await client.decrypt(try await client.encrypt(plaintext, keyring: keyring).ciphertext, keyring: keyring)
                    .requiredEncryptionContextKeys.isEmpty)
        // The plain keyring with the right reproduced context works too; a wrong value fails the header tag.
        #expect(try await client.decrypt(result.ciphertext, keyring: keyring, encryptionContext: ["tenant": "acme"]).plaintext == plaintext)
        _ = await expectEnvelopeError(.encryptionContextMismatch) { _ = try await client.decrypt(result.ciphertext, materialsManager: cmm) }
        _ = await expectEnvelopeError(.unableToDecryptDataKey) { _ = try await client.decrypt(result.ciphertext, keyring: keyring, encryptionContext: ["tenant": "evil"]) }
        _ = await expectEnvelopeError(.encryptionContextMismatch) { _ = try await client.encrypt(plaintext, materialsManager: cmm, encryptionContext: ["stored": "yes"]) }
        _ = await expectEnvelopeError(.encryptionContextMismatch) { _ = try await client.decrypt(result.ciphertext, keyring: keyring, encryptionContext: ["stored": "no"]) }
    }
}
