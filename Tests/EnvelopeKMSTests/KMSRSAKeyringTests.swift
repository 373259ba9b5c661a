import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import Testing

/// The KMS RSA keyring (spec framework/aws-kms/aws-kms-rsa-keyring.md) against the in-process
/// local KMS, on the cross-account story with an RSA key pair (``RSAKeyPairStory``).
@Suite("KMS RSA keyring")
struct KMSRSAKeyringTests {
    static let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
    static let context: EncryptionContext = ["purpose": "rsa keyring test", "Department": "IT"]

    @Test("ExternalUser: resolving by alias ARN (one GetPublicKey), encrypt with no KMS call, decrypt through kms:Decrypt",
          arguments: KMSEncryptionAlgorithm.rsaAlgorithms)
    func roundTrip(_ algorithm: KMSEncryptionAlgorithm) async throws {
        let story = try await RSAKeyPairStory.make()
        let transport = CountingKMSTransport(story.client(CrossAccountStory.externalUser))
        let keyring = try await KMSRSAKeyring.resolving(.aliasARN(story.aliasARN), encryptionAlgorithm: algorithm, transport: transport)
        #expect(keyring.keyARN == story.key)
        #expect(transport.counts == [.getPublicKey: 1])
        let client = EnvelopeClient()
        var messages: [EncryptResult] = []
        for _ in 0..<3 {
            messages.append(try await client.encrypt(samplePlaintext, keyring: keyring, encryptionContext: Self.context, suite: Self.suite))
        }
        #expect(transport.totalCount == 1, "encrypting uses the public key only")
        let edk = try #require(messages[0].header.encryptedDataKeys.first)
        #expect(edk.providerID == "aws-kms-rsa")
        #expect(String(decoding: edk.providerInfo, as: UTF8.self) == story.key.description)
        #expect(edk.ciphertext.count == 256)

        // A decrypt-only keyring: the key ARN and a transport, no public key.
        let decryptOnly = try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: algorithm, publicKey: nil, transport: transport)
        for message in messages {
            let decrypted = try await client.decrypt(message.ciphertext, keyring: decryptOnly)
            #expect(decrypted.plaintext == samplePlaintext)
            #expect(decrypted.encryptionContext["purpose"] == "rsa keyring test")
        }
        #expect(transport.count(.decrypt) == 3)
        let encryptOnly = try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: algorithm, publicKey: keyring.publicKey, transport: nil)
        let error = try await #require(throws: EnvelopeError.self) { try await client.decrypt(messages[0].ciphertext, keyring: encryptOnly) }
        #expect(error.code == .keyringFailure)
    }

    /// Test-vector spec aws-kms-rsa-keyring: "The Aws Kms Rsa Keyring does not support asymmetric
    /// signing" (the MPL refuses such suites on encrypt and on decrypt).
    @Test("a signed suite is refused on encrypt and on decrypt, with signedSuiteRefused")
    func signedSuiteRefused() async throws {
        let story = try await RSAKeyPairStory.make()
        let keyring = try await KMSRSAKeyring.resolving(.keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA256, transport: story.client(CrossAccountStory.ownerRoot))
        let encrypt = try await #require(throws: EnvelopeError.self) {
            try await EnvelopeClient().encrypt(samplePlaintext, keyring: keyring, suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384)
        }
        #expect(encrypt.code == .signedSuiteRefused)
        let defaultSuite = try await #require(throws: EnvelopeError.self) { try await EnvelopeClient().encrypt(samplePlaintext, keyring: keyring) }
        #expect(defaultSuite.code == .signedSuiteRefused, "the default suite 0x0578 signs")
        let materials = DecryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384, encryptionContext: Self.context)
        let decrypt = try await #require(throws: EnvelopeError.self) { try await keyring.onDecrypt(materials, encryptedDataKeys: []) }
        #expect(decrypt.code == .signedSuiteRefused)
    }

    @Test("wrong algorithm on decrypt, a tampered EDK, another encryption context: each EDK fails with its KMS or digest reason")
    func failures() async throws {
        let story = try await RSAKeyPairStory.make()
        let owner = story.client(CrossAccountStory.ownerRoot)
        let keyring = try await KMSRSAKeyring.resolving(.keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA256, transport: owner)
        let materials = try await keyring.onEncrypt(EncryptionMaterials(suite: Self.suite, encryptionContext: Self.context))
        let edk = try #require(materials.encryptedDataKeys.first)
        let fresh = DecryptionMaterials(suite: Self.suite, encryptionContext: Self.context)

        let sha1 = try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: .rsaesOAEPSHA1, publicKey: nil, transport: owner)
        let wrongAlgorithm = try await #require(throws: EnvelopeError.self) { try await sha1.onDecrypt(fresh, encryptedDataKeys: [edk]) }
        #expect(wrongAlgorithm.code == .unableToDecryptDataKey)
        #expect(wrongAlgorithm.kmsDataKeyErrors.map { $0.kmsError?.code } == [.invalidCiphertext])

        var bytes = edk.ciphertext
        bytes[17] ^= 0x80
        let tampered = EncryptedDataKey(providerID: edk.providerID, providerInfo: edk.providerInfo, ciphertext: bytes)
        let tamperedError = try await #require(throws: EnvelopeError.self) { try await keyring.onDecrypt(fresh, encryptedDataKeys: [tampered]) }
        #expect(tamperedError.kmsDataKeyErrors.map { $0.kmsError?.code } == [.invalidCiphertext])

        // KMS decrypts, but the digest binds the context: another context is refused by the keyring.
        let otherContext = DecryptionMaterials(suite: Self.suite, encryptionContext: ["purpose": "something else"])
        let mismatch = try await #require(throws: EnvelopeError.self) { try await keyring.onDecrypt(otherContext, encryptedDataKeys: [edk]) }
        #expect(mismatch.code == .unableToDecryptDataKey)
        let reasons = mismatch.kmsDataKeyErrors.map(\.reason)
        #expect(reasons.count == 1)
        if case .encryptionContextDigestMismatch? = reasons.first {} else { Issue.record("expected a digest mismatch, got \(reasons)") }

        // The untouched EDK after the failures still decrypts (the tampered copy is tried first and reported).
        let decrypted = try await keyring.onDecrypt(fresh, encryptedDataKeys: [tampered, edk])
        #expect(decrypted.plaintextDataKey == materials.plaintextDataKey)
        #expect(decrypted.dataKeyOrigin?.providerID == "aws-kms-rsa")
    }

    @Test("EDKs of other providers and keys are skipped with reasons; a non-ARN provider info is a malformed message")
    func filtering() async throws {
        let story = try await RSAKeyPairStory.make()
        let owner = story.client(CrossAccountStory.ownerRoot)
        let keyring = try await KMSRSAKeyring.resolving(.keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA256, transport: owner)
        let other = try await story.kms.createKey(account: CrossAccountStory.owner, keySpec: .rsa2048)
        let otherKeyring = try await KMSRSAKeyring.resolving(.keyARN(other.arn), encryptionAlgorithm: .rsaesOAEPSHA256, transport: owner)
        let foreign = try await otherKeyring.onEncrypt(EncryptionMaterials(suite: Self.suite, encryptionContext: Self.context))
        let fresh = DecryptionMaterials(suite: Self.suite, encryptionContext: Self.context)
        let kmsEDK = EncryptedDataKey(providerID: "aws-kms", providerInfo: Array(story.key.description.utf8), ciphertext: [1, 2, 3])
        let counting = CountingKMSTransport(owner)
        let strict = try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: .rsaesOAEPSHA256, publicKey: nil, transport: counting)
        let error = try await #require(throws: EnvelopeError.self) {
            try await strict.onDecrypt(fresh, encryptedDataKeys: foreign.encryptedDataKeys + [kmsEDK])
        }
        #expect(error.dataKeyFailures.count == 2)
        #expect(error.dataKeyFailures.allSatisfy { $0.reason.hasPrefix("skipped:") })
        #expect(counting.totalCount == 0, "no KMS call for keys that are not the configured one")
        let malformed = EncryptedDataKey(providerID: "aws-kms-rsa", providerInfo: Array("alias/RSAKey".utf8), ciphertext: [1])
        let bad = try await #require(throws: EnvelopeError.self) { try await strict.onDecrypt(fresh, encryptedDataKeys: [malformed]) }
        #expect(bad.code == .malformedMessage)
    }

    @Test("configuration errors: symmetric algorithm, a symmetric KMS key, a key that is not the public key's size, neither key nor transport")
    func configuration() async throws {
        let story = try await RSAKeyPairStory.make()
        let owner = story.client(CrossAccountStory.ownerRoot)
        let symmetric = try #require(throws: EnvelopeError.self) {
            try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: .symmetricDefault, publicKey: nil, transport: owner)
        }
        #expect(symmetric.code == .invalidArgument)
        let neither = try #require(throws: EnvelopeError.self) {
            try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: .rsaesOAEPSHA1, publicKey: nil, transport: nil)
        }
        #expect(neither.code == .invalidArgument)
        let weak = try RSAPrivateKey(generatingBits: 1024).publicKey
        let weakError = try #require(throws: EnvelopeError.self) {
            try KMSRSAKeyring(keyARN: story.key, encryptionAlgorithm: .rsaesOAEPSHA1, publicKey: weak, transport: nil)
        }
        #expect(weakError.code == .invalidArgument)
        let symmetricKey = try await story.kms.createKey(account: CrossAccountStory.owner)
        let notRSA = try await #require(throws: EnvelopeError.self) {
            try await KMSRSAKeyring.resolving(.keyARN(symmetricKey.arn), encryptionAlgorithm: .rsaesOAEPSHA256, transport: owner)
        }
        #expect(notRSA.code == .keyringFailure)
        #expect(notRSA.kmsDataKeyErrors.first?.kmsError?.code == .unsupportedOperation)
        let denied = try await #require(throws: EnvelopeError.self) {
            try await KMSRSAKeyring.resolving(.keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA256, transport: story.client(CrossAccountStory.bob))
        }
        #expect(denied.kmsDataKeyErrors.first?.kmsError?.code == .accessDenied)
    }
}
