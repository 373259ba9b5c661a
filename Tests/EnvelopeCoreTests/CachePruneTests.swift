import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Testing

/// `LocalMaterialsCache.pruneExpired()` (issue 15, point 8), callable by a periodic task, and the
/// cache's refusal to store materials of a suite without key derivation (point 1).
@Suite("Materials cache pruning API")
struct CachePruneTests {
    @Test("pruneExpired() frees the expired entries of an idle cache and counts them")
    func pruneWhenIdle() async throws {
        let clock = ManualClock()
        let cache = LocalMaterialsCache(now: { clock.now })
        let cmm = try CachingMaterialsManager(keyring: try Fixtures.aesKeyring(), cache: cache, maxAge: .seconds(10))
        let client = EnvelopeClient()
        for value in ["1", "2", "3"] {
            _ = try await client.encrypt(Fixtures.plaintext(10), materialsManager: cmm, encryptionContext: ["a": value])
        }
        #expect(await cache.pruneExpired() == 0)
        clock.advance(by: .seconds(10))
        #expect(await cache.pruneExpired() == 3)
        #expect(await cache.count == 0)
        #expect(await cache.statistics.evictions[.expired] == 3)
        #expect(await cache.pruneExpired() == 0)
    }

    @Test("The cache itself never stores materials of a suite without key derivation")
    func cacheRefusesIdentityKDF() async throws {
        let cache = LocalMaterialsCache()
        var materials = EncryptionMaterials(suite: .aes256GCMNoKDF, encryptionContext: [:])
        materials.plaintextDataKey = try RandomBytes.secure(count: 32)
        let frozen = materials
        let limits = LocalMaterialsCache.EncryptionLimits(maxAge: .seconds(60), maxMessages: 10, maxBytes: 1000)
        _ = try await cache.encryptionMaterials(id: [1], plaintextLength: 1, limits: limits) { frozen }
        #expect(await cache.count == 0)
    }
}
