import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Testing

/// Issue 15, point 7: a message with thousands of encrypted data keys naming the reader's KMS key
/// must not cost thousands of KMS Decrypt calls.
@Suite("KMS call amplification")
struct KMSCallAmplificationTests {
    static let account: AWSAccountID = "111122223333"
    static let dev = AWSPrincipalARN("arn:aws:iam::111122223333:user/Dev")!

    /// Encrypts with a real KMS keyring, then adds forged encrypted data keys naming `key`:
    /// `before` of them ahead of the real one (when `real` is set), the rest after.
    struct ForgingKeyring: EncryptionKeyring {
        let real: KMSKeyring?
        let key: KMSKeyARN
        let forged: [[UInt8]]

        func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
            var materials = materials
            materials.plaintextDataKey = try RandomBytes.secure(count: materials.suite.dataKeyLength)
            let forgedKeys = forged.map { EncryptedDataKey(providerID: "aws-kms", providerInfo: Array(key.description.utf8), ciphertext: $0) }
            materials.encryptedDataKeys = forgedKeys
            if let real { materials = try await real.onEncrypt(materials) }
            return materials
        }
    }

    static func setup() async throws -> (KMSKeyARN, CountingKMSTransport, KMSKeyring) {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: account, userPrincipals: [dev]).arn
        let transport = CountingKMSTransport(kms.client(principal: dev))
        return (key, transport, try KMSKeyring(keyARN: key, transport: transport))
    }

    @Test("Identical encrypted data keys cost one KMS call")
    func identicalKeysOnce() async throws {
        let (key, transport, keyring) = try await Self.setup()
        let forged = [[UInt8]](repeating: [UInt8](repeating: 7, count: 40), count: 1000)
        let message = try await EnvelopeClient().encrypt([1, 2, 3], keyring: ForgingKeyring(real: nil, key: key, forged: forged)).ciphertext
        transport.reset()
        let error = await caughtError(EnvelopeError.self) { _ = try await EnvelopeClient().decrypt(message, keyring: keyring) }
        #expect(error?.code == .unableToDecryptDataKey)
        #expect(transport.count(.decrypt) == 1)
    }

    @Test("Distinct failing encrypted data keys stop after the default number of failed calls")
    func failuresBounded() async throws {
        let (key, transport, keyring) = try await Self.setup()
        let forged = (0..<50).map { i in [UInt8](repeating: UInt8(i), count: 40) }
        let message = try await EnvelopeClient().encrypt([1, 2, 3], keyring: ForgingKeyring(real: nil, key: key, forged: forged)).ciphertext
        transport.reset()
        let error = await caughtError(EnvelopeError.self) { _ = try await EnvelopeClient().decrypt(message, keyring: keyring) }
        #expect(error?.code == .unableToDecryptDataKey)
        #expect(transport.count(.decrypt) == 10)
        #expect(error?.dataKeyFailures.count == 50, "every key is still reported")
    }
}
