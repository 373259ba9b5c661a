import Foundation
import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

@Suite("Commitment policy, limits and refusals")
struct PolicyAndLimitTests {
    @Test("encrypting a committing suite under forbid-encrypt-allow-decrypt is refused", arguments: AlgorithmSuite.all.filter(\.isCommitting))
    func forbidRefusesCommitting(suite: AlgorithmSuite) async throws {
        let client = EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
        _ = await expectEnvelopeError(.commitmentPolicyViolation) { _ = try await client.encrypt([1], keyring: try Fixtures.aesKeyring(), suite: suite) }
    }

    @Test("encrypting a legacy suite under the require policies is refused",
          arguments: AlgorithmSuite.all.filter { !$0.isCommitting }, [CommitmentPolicy.requireEncryptAllowDecrypt, .requireEncryptRequireDecrypt])
    func requireRefusesLegacy(suite: AlgorithmSuite, policy: CommitmentPolicy) async throws {
        let client = EnvelopeClient(commitmentPolicy: policy)
        _ = await expectEnvelopeError(.commitmentPolicyViolation) { _ = try await client.encrypt([1], keyring: try Fixtures.aesKeyring(), suite: suite) }
    }

    @Test("forbid-encrypt-allow-decrypt defaults to a v1 suite and still decrypts v2 messages")
    func forbidDefaults() async throws {
        let keyring = try Fixtures.aesKeyring()
        let forbid = EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
        let legacy = try await forbid.encrypt([1, 2, 3], keyring: keyring)
        #expect(legacy.header.version == 1)
        #expect(!legacy.header.suite.isCommitting)
        let modern = try await EnvelopeClient().encrypt([4, 5], keyring: keyring)
        #expect(try await forbid.decrypt(modern.ciphertext, keyring: keyring).plaintext == [4, 5])
    }

    @Test("maximum encrypted data keys: encrypt refuses, decrypt refuses while parsing")
    func maxEncryptedDataKeys() async throws {
        let multi = try MultiKeyring(generator: try Fixtures.aesKeyring(), children: [try Fixtures.aesKeyring(name: "b"), try Fixtures.aesKeyring(name: "c")])
        _ = await expectEnvelopeError(.tooManyEncryptedDataKeys) { _ = try await EnvelopeClient(maxEncryptedDataKeys: 2).encrypt([1], keyring: multi) }
        let message = try await EnvelopeClient(maxEncryptedDataKeys: 3).encrypt([1], keyring: multi).ciphertext
        #expect(try await EnvelopeClient(maxEncryptedDataKeys: 3).decrypt(message, keyring: multi).plaintext == [1])
        _ = await expectEnvelopeError(.tooManyEncryptedDataKeys) { _ = try await EnvelopeClient(maxEncryptedDataKeys: 2).decrypt(message, keyring: multi) }
        // Enforced as soon as the count is read: a header cut right after the EDK count already fails.
        let header = try #require(try message.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }.header)
        let countOffset = 1 + 2 + 32 + 2 + header.serializedEncryptionContext.count
        #expect(Array(message[countOffset..<(countOffset + 2)]) == [0, 3])
        let prefix = Array(message[0..<(countOffset + 2)])
        #expect(throws: EnvelopeError.self) { _ = try prefix.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: 2) } }
        #expect(try prefix.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: 3) }.needsMore)
    }

    @Test("encryption context keys with the reserved prefix are refused", arguments: ["aws-crypto-public-key", "aws-crypto-anything"])
    func reservedPrefix(key: String) async throws {
        _ = await expectEnvelopeError(.encryptionContextMismatch) {
            _ = try await EnvelopeClient().encrypt([1], keyring: try Fixtures.aesKeyring(), encryptionContext: [key: "x"])
        }
        _ = await expectEnvelopeError(.encryptionContextMismatch) {
            _ = try await EnvelopeClient().encrypt([1], keyring: try Fixtures.aesKeyring(), encryptionContext: [key: "x"], suite: .aes256GCMHKDFSHA512CommitKey)
        }
    }

    @Test("frame lengths outside 1...2^31-1 are refused", arguments: [0, -1, Int(Int32.max) + 1])
    func frameLengthBounds(frameLength: Int) async throws {
        _ = await expectEnvelopeError(.invalidArgument) { _ = try await EnvelopeClient().encrypt([1], keyring: try Fixtures.aesKeyring(), frameLength: frameLength) }
    }

    @Test("a base64-encoded message gets a specific error", arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes128GCMNoKDF])
    func base64Detection(suite: AlgorithmSuite) async throws {
        let client = EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt)
        let keyring = try Fixtures.aesKeyring()
        let message = try await client.encrypt([1, 2, 3], keyring: keyring, suite: suite).ciphertext
        let encoded = Array(Data(message).base64EncodedString().utf8)
        _ = await expectEnvelopeError(.base64EncodedMessage) { _ = try await client.decrypt(encoded, keyring: keyring) }
    }

    @Test("suite names: ESDK, specification and hex spellings")
    func suiteNames() {
        #expect(AlgorithmSuite.all.count == 11)
        #expect(Set(AlgorithmSuite.all.map(\.id)).count == 11)
        for suite in AlgorithmSuite.all {
            #expect(AlgorithmSuite.named(suite.name) == suite)
            #expect(AlgorithmSuite.withID(suite.id) == suite)
            #expect(AlgorithmSuite.named("0x" + suite.idHex) == suite)
        }
        #expect(AlgorithmSuite.named("ALG_AES_256_GCM_IV12_TAG16_NO_KDF") == .aes256GCMNoKDF)
        #expect(AlgorithmSuite.named("ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384") == .aes256GCMHKDFSHA512CommitKeyECDSAP384)
        #expect(AlgorithmSuite.named("ALG_AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256") == .aes128GCMHKDFSHA256ECDSAP256)
        #expect(AlgorithmSuite.named("AES_192_GCM_HKDF_SHA384_ECDSA_P384") == .aes192GCMHKDFSHA384ECDSAP384)
        #expect(AlgorithmSuite.named("nope") == nil)
        #expect(AlgorithmSuite.withID(0) == nil)
    }

    @Test("the client never writes key material or plaintext into errors or descriptions")
    func redaction() async throws {
        let keyring = try Fixtures.aesKeyring()
        #expect(!"\(keyring)".contains("SecureBytes"))
        let error = await expectEnvelopeError(.unableToDecryptDataKey) {
            let message = try await EnvelopeClient().encrypt(Array("TOP-SECRET".utf8), keyring: keyring).ciphertext
            _ = try await EnvelopeClient().decrypt(message, keyring: try Fixtures.aesKeyring(seed: 42))
        }
        #expect(!(error?.description.contains("TOP-SECRET") ?? true))
    }
}

extension HeaderCodec.ParseResult {
    var header: MessageHeader? { if case .header(let h) = self { h } else { nil } }
    var needsMore: Bool { if case .needMoreBytes = self { true } else { false } }
}
