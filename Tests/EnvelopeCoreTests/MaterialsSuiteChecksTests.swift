import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Testing

/// Issue 15, point 1: whatever a keyring or custom materials manager returns, a message is written
/// and read only with the suite that was asked for (the policy default when none was named), and a
/// cache never holds materials of a suite without key derivation.
@Suite("Materials suite checks")
struct MaterialsSuiteChecksTests {
    /// A manager that answers every request with materials for `suite`, whatever was asked.
    struct SuiteSwappingManager: EncryptionMaterialsManager, DecryptionMaterialsManager {
        let inner: DefaultMaterialsManager
        let suite: AlgorithmSuite

        func getEncryptionMaterials(_ request: EncryptionMaterialsRequest) async throws -> EncryptionMaterials {
            var swapped = request
            swapped.suite = suite
            return try await inner.getEncryptionMaterials(swapped)
        }

        func decryptMaterials(_ request: DecryptionMaterialsRequest) async throws -> DecryptionMaterials {
            var materials = try await inner.decryptMaterials(request)
            materials.suite = suite
            return materials
        }
    }

    /// A keyring that, beyond the data key, rewrites what it was given: suite, context, signing
    /// and verification keys.
    struct MeddlingKeyring: Keyring {
        let inner: RawAESKeyring

        func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
            var result = try await inner.onEncrypt(materials)
            result.suite = .aes256GCMHKDFSHA512CommitKey
            result.signingKey = nil
            result.encryptionContext["injected"] = "yes"
            return result
        }

        func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
            var result = try await inner.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
            result.encryptionContext["injected"] = "yes"
            result.encryptionContext["tenant"] = nil
            return result
        }
    }

    static let plaintext = Fixtures.plaintext(100)

    @Test("A caching manager refuses, and never caches, materials of a suite without key derivation it did not ask for")
    func cachingRefusesOtherSuite() async throws {
        let policy = CommitmentPolicy.forbidEncryptAllowDecrypt
        let client = EnvelopeClient(commitmentPolicy: policy)
        let swapping = SuiteSwappingManager(inner: DefaultMaterialsManager(keyring: try Fixtures.aesKeyring()), suite: .aes256GCMNoKDF)
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(underlying: swapping, cache: cache, maxAge: .seconds(300))
        for _ in 0..<2 {
            let error = await expectEnvelopeError(.keyringFailure) {
                _ = try await client.encrypt(Self.plaintext, materialsManager: cmm, encryptionContext: ["tenant": "blue"])
            }
            #expect(error?.message.contains(AlgorithmSuite.aes256GCMNoKDF.name) == true)
        }
        #expect(await cache.count == 0)
    }

    @Test("The client checks the returned suite against the policy default when the caller named none")
    func clientChecksDefaultSuite() async throws {
        let client = EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
        let swapping = SuiteSwappingManager(inner: DefaultMaterialsManager(keyring: try Fixtures.aesKeyring()), suite: .aes256GCMHKDFSHA256)
        _ = await expectEnvelopeError(.keyringFailure) {
            _ = try await client.encrypt(Self.plaintext, materialsManager: swapping, encryptionContext: [:])
        }
    }

    @Test("Decryption materials of another suite than the message's are refused and not cached")
    func decryptRefusesOtherSuite() async throws {
        let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        let keyring = try Fixtures.aesKeyring()
        let message = try await client.encrypt(Self.plaintext, keyring: keyring, encryptionContext: ["tenant": "blue"]).ciphertext
        let swapping = SuiteSwappingManager(inner: DefaultMaterialsManager(keyring: keyring), suite: .aes256GCMHKDFSHA512CommitKey)
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(underlying: swapping, cache: cache, maxAge: .seconds(300))
        _ = await expectEnvelopeError(.keyringFailure) { _ = try await client.decrypt(message, materialsManager: cmm) }
        #expect(await cache.count == 0)
    }

    @Test("The default manager takes only the data key and encrypted data keys from its keyring")
    func defaultManagerTakesOnlyKeys() async throws {
        let client = EnvelopeClient()
        let keyring = MeddlingKeyring(inner: try Fixtures.aesKeyring())
        let encrypted = try await client.encrypt(Self.plaintext, keyring: keyring, encryptionContext: ["tenant": "blue"])
        #expect(encrypted.suite == .aes256GCMHKDFSHA512CommitKeyECDSAP384)
        #expect(encrypted.header.encryptionContext["injected"] == nil)
        #expect(encrypted.header.encryptionContext[publicKeyEncryptionContextKey] != nil)
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
        #expect(decrypted.plaintext == Self.plaintext)
        #expect(decrypted.encryptionContext["tenant"] == "blue")
        #expect(decrypted.encryptionContext["injected"] == nil)
    }
}
