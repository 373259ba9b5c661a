import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Testing

/// Issue 15, point 8: expired cache entries hold plaintext data keys, so they go as soon as the
/// cache is used again (or pruned), not only when something new is inserted.
@Suite("Materials cache hygiene")
struct CacheHygieneTests {
    static let plaintext = Fixtures.plaintext(100)

    @Test("A cache hit removes the other entries that expired")
    func pruneOnAccess() async throws {
        let clock = ManualClock()
        let cache = LocalMaterialsCache(now: { clock.now })
        let keyring = try Fixtures.aesKeyring()
        let shortLived = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(10))
        let longLived = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(1000))
        let client = EnvelopeClient()
        _ = try await client.encrypt(Self.plaintext, materialsManager: longLived, encryptionContext: ["a": "1"])
        _ = try await client.encrypt(Self.plaintext, materialsManager: shortLived, encryptionContext: ["a": "1"])
        #expect(await cache.count == 2)
        clock.advance(by: .seconds(20))
        // A hit on the long-lived entry: nothing is inserted, the expired entry still goes.
        _ = try await client.encrypt(Self.plaintext, materialsManager: longLived, encryptionContext: ["a": "1"])
        #expect(await cache.count == 1)
        let stats = await cache.statistics
        #expect(stats.hits == 1 && stats.evictions[.expired] == 1)
    }

    @Test("A decrypt hit removes the other entries that expired")
    func pruneOnDecryptAccess() async throws {
        let clock = ManualClock()
        let cache = LocalMaterialsCache(now: { clock.now })
        let keyring = try Fixtures.aesKeyring()
        let client = EnvelopeClient()
        let one = try await client.encrypt(Self.plaintext, keyring: keyring, encryptionContext: ["a": "1"]).ciphertext
        let two = try await client.encrypt(Self.plaintext, keyring: keyring, encryptionContext: ["a": "2"]).ciphertext
        let shortLived = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(10))
        let longLived = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(1000))
        _ = try await client.decrypt(one, materialsManager: longLived)
        _ = try await client.decrypt(two, materialsManager: shortLived)
        #expect(await cache.count == 2)
        clock.advance(by: .seconds(20))
        _ = try await client.decrypt(one, materialsManager: longLived)
        #expect(await cache.count == 1)
    }
}
