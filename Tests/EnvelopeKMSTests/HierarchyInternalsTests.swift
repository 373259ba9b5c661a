import EnvelopeCore
import EnvelopeCrypto
@testable import EnvelopeKMS
import EnvelopeTestSupport
import Foundation
import Testing

/// The hierarchical keyring's per-message shortcuts: the parsed version, the cache identifiers
/// computed once, and the cache's lock-only hit path.
@Suite("Hierarchical keyring internals")
struct HierarchyInternalsTests {
    let client = EnvelopeClient(commitmentPolicy: .requireEncryptRequireDecrypt)

    @Test("a branch key version parses either case, prints lower case, and round-trips through its 16 bytes")
    func versionForms() throws {
        let text = "0f1E2d3C-4b5a-6978-8796-a5b4c3d2e1f0"
        let version = try #require(BranchKeyVersion(text))
        #expect(version.text == text.lowercased())
        #expect(hexString(version.bytes) == "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        #expect(BranchKeyVersion(bytes: version.bytes) == version)
        #expect(version.withUnsafeBytes { Array($0) } == version.bytes)
        for bad in ["", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00",
                    "0f1e2d3c+4b5a-6978-8796-a5b4c3d2e1f0", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2é1f"] {
            #expect(BranchKeyVersion(bad) == nil, "\(bad)")
        }
    }

    @Test("the cache identifiers are the SHA-384 of the specification's fields (Cache Across Hierarchical Keyrings)")
    func identifierFormula() throws {
        let partition = Array("partition".utf8)
        let version = try #require(BranchKeyVersion("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"))
        let decrypt = try BranchKeyCacheIdentifier.version(version, partitionID: partition, logicalKeyStoreName: "store", branchKeyID: "bk")
        let encrypt = try BranchKeyCacheIdentifier.active(partitionID: partition, logicalKeyStoreName: "store", branchKeyID: "bk")
        let decryptInput = [0x02, 0x00, 0x02, 0x00] + partition + [0] + Array("store".utf8) + [0] + Array("bk".utf8) + [0]
            + Array("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".utf8)
        let encryptInput = [0x02, 0x00, 0x01, 0x00] + partition + [0] + Array("store".utf8) + [0] + Array("bk".utf8)
        #expect(decrypt.bytes == (try HashFunction.sha384.digest(decryptInput)))
        #expect(encrypt.bytes == (try HashFunction.sha384.digest(encryptInput)))
        #expect(decrypt != encrypt)
    }

    @Test("the decrypt-side cache identifier is computed once per branch key version, not per message")
    func identifierComputedOnce() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        let clock = ManualClock()
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60),
                                              cache: BranchKeyMaterialsCache(now: { clock.now }))
        var messages: [[UInt8]] = []
        for _ in 0..<10 { messages.append(try await client.encrypt([1], keyring: keyring).ciphertext) }
        for m in messages { _ = try await client.decrypt(m, keyring: keyring) }
        #expect(keyring.computedCacheIdentifierCount == 1, "one version decrypted ten times (encrypt's identifier is fixed)")
        store.add(id: "bk-1")
        clock.advance(by: .seconds(60))
        let new = try await client.encrypt([2], keyring: keyring).ciphertext
        _ = try await client.decrypt(new, keyring: keyring)
        _ = try await client.decrypt(messages[0], keyring: keyring)
        #expect(keyring.computedCacheIdentifierCount == 2, "a second version")
        #expect(store.versionCallCount == 3, "each version once per TTL window")

        // A supplier keyring keeps identifiers per branch key ID (encrypt and decrypt side).
        store.add(id: "bk-2")
        let supplier = EncryptionContextBranchKeyIDSupplier(contextKey: "tenant", branchKeyIdentifiers: ["a": "bk-1", "b": "bk-2"])
        let tenants = try HierarchicalKeyring(store: store, branchKeyIDSupplier: supplier, ttl: .seconds(60))
        for _ in 0..<3 {
            for tenant in ["a", "b"] {
                let m = try await client.encrypt([3], keyring: tenants, encryptionContext: ["tenant": tenant]).ciphertext
                #expect(try await client.decrypt(m, keyring: tenants).plaintext == [3])
            }
        }
        #expect(tenants.computedCacheIdentifierCount == 4, "two branch keys, each an active and a version identifier")
    }

    @Test("keyrings sharing a cache and a partition ID share decrypt entries (their identifiers agree)")
    func sharedDecryptEntries() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        // No time passes on this clock: the count below does not depend on how fast the machine is.
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(now: { clock.now })
        let one = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60), cache: cache, partitionID: "p")
        let two = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60), cache: cache, partitionID: "p")
        let message = try await client.encrypt([1], keyring: one).ciphertext
        _ = try await client.decrypt(message, keyring: one)
        _ = try await client.decrypt(message, keyring: two)
        #expect(store.versionCallCount == 1)
    }

    /// A cache entry for a test branch key.
    private static func entry() throws -> CachedBranchKey {
        try CachedBranchKey(BranchKeyMaterials(branchKeyIdentifier: "bk", branchKeyVersion: UUID().uuidString.lowercased(),
                                               encryptionContext: [:], branchKey: RandomBytes.secure(count: 32)))
    }

    @Test("a hit from the lock path honours the asking keyring's TTL (injected clock)")
    func lockPathTTL() async throws {
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(now: { clock.now })
        let id = try BranchKeyCacheIdentifier.active(partitionID: [1], logicalKeyStoreName: "s", branchKeyID: "bk")
        let fetches = LockedState(0)
        let fetch: @Sendable () async throws -> CachedBranchKey = {
            fetches.withLock { $0 += 1 }
            return try Self.entry()
        }
        let first = try await cache.materials(id: id, ttl: .seconds(60), fetch: fetch)
        clock.advance(by: .seconds(59))
        let hit = try await cache.materials(id: id, ttl: .seconds(60), fetch: fetch)
        #expect(hit === first)
        #expect(fetches.withLock { $0 } == 1)
        // A keyring with a 30-second TTL does not take the 59-second-old entry; it replaces it.
        let younger = try await cache.materials(id: id, ttl: .seconds(30), fetch: fetch)
        #expect(younger !== first)
        #expect(fetches.withLock { $0 } == 2)
        clock.advance(by: .seconds(29))
        let refreshed = try await cache.materials(id: id, ttl: .seconds(60), fetch: fetch)
        #expect(refreshed === younger, "29 seconds old: inside a 60-second TTL")
        clock.advance(by: .seconds(1))
        let expired = try await cache.materials(id: id, ttl: .seconds(60), fetch: fetch)
        #expect(expired !== younger, "30 seconds old: expired under the TTL of the keyring that stored it")
        #expect(fetches.withLock { $0 } == 3)
        let stats = await cache.statistics
        #expect(stats.hits == 2 && stats.misses == 3 && stats.evictions == 2 && stats.entryCount == 1)
    }

    @Test("concurrent hits and expiries keep one store call per TTL window (lock path and actor together)")
    func concurrentHits() async throws {
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(capacity: 4, now: { clock.now })
        let ids = try (0..<8).map { try BranchKeyCacheIdentifier.active(partitionID: [1], logicalKeyStoreName: "s", branchKeyID: "bk-\($0)") }
        let fetches = LockedState(0)
        let fetch: @Sendable () async throws -> CachedBranchKey = {
            fetches.withLock { $0 += 1 }
            return try Self.entry()
        }
        for window in 0..<3 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<64 {
                    group.addTask { _ = try await cache.materials(id: ids[task % 4], ttl: .seconds(10), fetch: fetch) }
                }
                try await group.waitForAll()
            }
            #expect(fetches.withLock { $0 } == 4 * (window + 1), "one store call per entry and window")
            clock.advance(by: .seconds(10))
        }
        // Over capacity: the least recently used entries go.
        for id in ids { _ = try await cache.materials(id: id, ttl: .seconds(10), fetch: fetch) }
        #expect(await cache.count == 4)
    }
}
