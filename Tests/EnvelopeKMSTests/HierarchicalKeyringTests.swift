import Foundation
import Testing
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeTestSupport

@Suite("Hierarchical keyring")
struct HierarchicalKeyringTests {
    static let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
    static let context: EncryptionContext = ["purpose": "test", "tenant": "a"]
    let client = EnvelopeClient(commitmentPolicy: .requireEncryptRequireDecrypt)

    static func encryptionMaterials(_ context: EncryptionContext = context) -> EncryptionMaterials {
        EncryptionMaterials(suite: suite, encryptionContext: context)
    }

    static func decryptionMaterials(_ context: EncryptionContext = context) -> DecryptionMaterials {
        DecryptionMaterials(suite: suite, encryptionContext: context)
    }

    @Test("round trip through the client; the EDK has the specified layout")
    func roundTrip() async throws {
        let store = InMemoryBranchKeyStore()
        let version = store.add(id: "bk-1")
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60))
        let plaintext = Array("hello, hierarchy".utf8)
        let encrypted = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: Self.context)
        let edk = try #require(encrypted.header.encryptedDataKeys.first)
        #expect(edk.providerID == "aws-kms-hierarchy")
        #expect(edk.providerInfo == Array("bk-1".utf8))
        let expectedLength = 16 + 12 + 16 + 32 + 16
        #expect(edk.ciphertext.count == expectedLength, "salt, IV, version, 32-byte key, tag")
        let versionBytes = Array(edk.ciphertext[28..<44])
        #expect(hexString(versionBytes) == version.replacingOccurrences(of: "-", with: ""))
        #expect(HierarchicalKeyring.branchKey(of: edk)?.identifier == "bk-1")
        #expect(HierarchicalKeyring.branchKey(of: edk)?.version == version)
        #expect(HierarchicalKeyring.branchKey(of: EncryptedDataKey(providerID: "aws-kms", providerInfo: [], ciphertext: edk.ciphertext)) == nil)
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
        #expect(decrypted.plaintext == plaintext)
        #expect(decrypted.dataKeyOrigin?.notes == ["branch key version \(version)"])
    }

    @Test("the cache TTL is honoured: one store call per TTL window and branch key, on each side")
    func ttl() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(now: { clock.now })
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60), cache: cache)
        var messages: [[UInt8]] = []
        for _ in 0..<20 { messages.append(try await client.encrypt([1, 2, 3], keyring: keyring).ciphertext) }
        for m in messages { _ = try await client.decrypt(m, keyring: keyring) }
        #expect(store.activeCallCount == 1)
        #expect(store.versionCallCount == 1)
        clock.advance(by: .seconds(59))
        _ = try await client.decrypt(try await client.encrypt([1], keyring: keyring).ciphertext, keyring: keyring)
        #expect(store.callCount == 2, "still inside the window")
        clock.advance(by: .seconds(1))
        _ = try await client.decrypt(try await client.encrypt([1], keyring: keyring).ciphertext, keyring: keyring)
        #expect(store.activeCallCount == 2)
        #expect(store.versionCallCount == 2)
        #expect(await cache.statistics.evictions == 2, "both expired entries were removed")
    }

    @Test("a keyring with a shorter TTL does not use an older entry of a shared cache")
    func sharedCacheTTL() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(now: { clock.now })
        let long = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(600), cache: cache, partitionID: "p")
        let short = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(10), cache: cache, partitionID: "p")
        _ = try await long.onEncrypt(Self.encryptionMaterials())
        _ = try await short.onEncrypt(Self.encryptionMaterials())
        #expect(store.activeCallCount == 1, "same partition and store: one shared entry")
        clock.advance(by: .seconds(11))
        _ = try await short.onEncrypt(Self.encryptionMaterials())
        #expect(store.activeCallCount == 2, "too old for the 10-second keyring")
        let other = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(600), cache: cache)
        _ = try await other.onEncrypt(Self.encryptionMaterials())
        #expect(store.activeCallCount == 3, "a keyring without the partition ID shares nothing")
    }

    @Test("concurrent misses for one branch key make one store call")
    func coalescing() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(now: { clock.now })
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60), cache: cache)
        store.closeGate()
        let tasks = 50
        try await withThrowingTaskGroup(of: EncryptionMaterials.self) { group in
            for _ in 0..<tasks { group.addTask { try await keyring.onEncrypt(Self.encryptionMaterials()) } }
            // Every task reaches the cache before the one store call may answer (no timing bet:
            // the counter says when all are waiting).
            while await cache.statistics.coalescedWaits < tasks - 1 { await Task.yield() }
            store.openGate()
            var count = 0
            for try await m in group { #expect(m.encryptedDataKeys.count == 1); count += 1 }
            #expect(count == tasks)
        }
        #expect(store.activeCallCount == 1)
        let stats = await cache.statistics
        #expect(stats.misses == 1 && stats.coalescedWaits == tasks - 1)
    }

    @Test("the cache holds at most its capacity; the least recently used branch key goes, and its key is wiped")
    func sizeBound() async throws {
        let store = InMemoryBranchKeyStore()
        for i in 0..<5 { store.add(id: "bk-\(i)") }
        let clock = ManualClock()
        let cache = BranchKeyMaterialsCache(capacity: 3, now: { clock.now })
        let supplier = EncryptionContextBranchKeyIDSupplier(contextKey: "tenant", branchKeyIdentifiers: Dictionary(uniqueKeysWithValues: (0..<5).map { ("t\($0)", "bk-\($0)") }))
        let keyring = try HierarchicalKeyring(store: store, branchKeyIDSupplier: supplier, ttl: .seconds(60), cache: cache)
        for i in 0..<5 { _ = try await keyring.onEncrypt(Self.encryptionMaterials(["tenant": "t\(i)"])) }
        #expect(await cache.count == 3)
        #expect(await cache.statistics.evictions == 2)
        #expect(store.activeCallCount == 5)
        _ = try await keyring.onEncrypt(Self.encryptionMaterials(["tenant": "t4"]))
        #expect(store.activeCallCount == 5, "bk-4 is still cached")
        _ = try await keyring.onEncrypt(Self.encryptionMaterials(["tenant": "t0"]))
        #expect(store.activeCallCount == 6, "bk-0 was evicted")

        // Wiped on eviction: the evicted branch key's guarded bytes are freed (deinit zeroes them)
        // once no operation holds it.
        let lone = BranchKeyMaterialsCache(capacity: 1, now: { clock.now })
        let single = try HierarchicalKeyring(store: store, branchKeyIDSupplier: supplier, ttl: .seconds(60), cache: lone)
        _ = try await single.onEncrypt(Self.encryptionMaterials(["tenant": "t1"]))
        weak var first = store.lastReturnedKey
        #expect(first != nil, "held by the cache only")
        _ = try await single.onEncrypt(Self.encryptionMaterials(["tenant": "t2"]))
        #expect(first == nil, "the evicted branch key was released (and so wiped)")
    }

    @Test("a supplier picks each tenant's branch key, on encrypt and on decrypt")
    func supplier() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-a")
        store.add(id: "bk-b")
        let supplier = EncryptionContextBranchKeyIDSupplier(contextKey: "tenant", branchKeyIdentifiers: ["a": "bk-a", "b": "bk-b"])
        let keyring = try HierarchicalKeyring(store: store, branchKeyIDSupplier: supplier, ttl: .seconds(60))
        let a = try await client.encrypt([1], keyring: keyring, encryptionContext: ["tenant": "a"])
        let b = try await client.encrypt([2], keyring: keyring, encryptionContext: ["tenant": "b"])
        let infoA: [[UInt8]] = a.header.encryptedDataKeys.map(\.providerInfo)
        let infoB: [[UInt8]] = b.header.encryptedDataKeys.map(\.providerInfo)
        #expect(infoA == [Array("bk-a".utf8)])
        #expect(infoB == [Array("bk-b".utf8)])
        #expect(try await client.decrypt(a.ciphertext, keyring: keyring).plaintext == [1])
        #expect(try await client.decrypt(b.ciphertext, keyring: keyring).plaintext == [2])

        // A context that names no tenant, or an unknown one: a typed failure, materials untouched.
        let cases: [(EncryptionContext, BranchKeyIDSupplierError.Reason)] = [
            (EncryptionContext(["x": "y"]), .missingContextKey("tenant")),
            (EncryptionContext(["tenant": "c"]), .unknownTenant(contextKey: "tenant")),
        ]
        for (context, expected) in cases {
            let error = await caughtError(EnvelopeError.self) { try await keyring.onEncrypt(Self.encryptionMaterials(context)) }
            #expect(error?.code == .keyringFailure)
            let record = error?.causes.first as? HierarchicalKeyringError
            guard case .supplierFailed(let inner)? = record?.reason else { Issue.record("no supplier failure"); continue }
            #expect((inner as? BranchKeyIDSupplierError)?.reason == expected)
        }
    }

    @Test("a message under another branch key (or another store's key) fails with a typed record per EDK")
    func wrongBranchKey() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        store.add(id: "bk-2")
        let one = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60))
        let two = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-2", ttl: .seconds(60))
        let message = try await client.encrypt([1, 2, 3], keyring: one, encryptionContext: Self.context)
        let skipped = await caughtError(EnvelopeError.self) { try await client.decrypt(message.ciphertext, keyring: two) }
        #expect(skipped?.code == .unableToDecryptDataKey)
        #expect(skipped?.dataKeyFailures.count == 1)
        #expect(skipped?.dataKeyFailures.first?.reason.contains("not this keyring's branch key") == true)

        // Same branch key ID, but the store holds different key bytes for that version.
        let edk = try #require(message.header.encryptedDataKeys.first)
        let version = HierarchyVersionText.of(edk)
        let impostor = InMemoryBranchKeyStore()
        impostor.add(id: "bk-1", version: version)
        let wrong = try HierarchicalKeyring(store: impostor, branchKeyIdentifier: "bk-1", ttl: .seconds(60))
        let failed = await caughtError(EnvelopeError.self) { try await client.decrypt(message.ciphertext, keyring: wrong) }
        #expect(failed?.code == .unableToDecryptDataKey)
        let record = failed?.causes.first as? HierarchicalKeyringError
        #expect(record?.branchKeyVersion == version)
        guard case .unwrapFailed? = record?.reason else { Issue.record("expected unwrapFailed, got \(String(describing: record))"); return }

        // The store does not know the version: the store's own error is kept, typed.
        let empty = try HierarchicalKeyring(store: InMemoryBranchKeyStore(), branchKeyIdentifier: "bk-1", ttl: .seconds(60))
        let missing = await caughtError(EnvelopeError.self) { try await client.decrypt(message.ciphertext, keyring: empty) }
        guard case .storeFailed(let inner)? = (missing?.causes.first as? HierarchicalKeyringError)?.reason else { Issue.record("expected storeFailed"); return }
        #expect(inner is InMemoryBranchKeyStore.NotFound)
    }

    @Test("tampered EDK fields are refused and the materials are left unchanged",
          arguments: ["provider-id", "provider-info", "salt", "iv", "version", "wrapped-key", "tag", "truncated", "context"])
    func tampered(field: String) async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60))
        let encrypted = try await keyring.onEncrypt(Self.encryptionMaterials())
        var edk = try #require(encrypted.encryptedDataKeys.first)
        var context = Self.context
        func flip(_ i: Int) { var c = edk.ciphertext; c[i] ^= 0x01; edk = EncryptedDataKey(providerID: edk.providerID, providerInfo: edk.providerInfo, ciphertext: c) }
        switch field {
        case "provider-id": edk = EncryptedDataKey(providerID: "aws-kms", providerInfo: edk.providerInfo, ciphertext: edk.ciphertext)
        case "provider-info": edk = EncryptedDataKey(providerID: edk.providerID, providerInfo: Array("bk-2".utf8), ciphertext: edk.ciphertext)
        case "salt": flip(3)
        case "iv": flip(20)
        case "version": flip(40)
        case "wrapped-key": flip(50)
        case "tag": flip(edk.ciphertext.count - 1)
        case "truncated": edk = EncryptedDataKey(providerID: edk.providerID, providerInfo: edk.providerInfo, ciphertext: Array(edk.ciphertext.dropLast()))
        default: context["purpose"] = "other"
        }
        let materials = Self.decryptionMaterials(context)
        let error = await caughtError(EnvelopeError.self) { try await keyring.onDecrypt(materials, encryptedDataKeys: [edk]) }
        #expect(error?.code == .unableToDecryptDataKey)
        #expect(error?.dataKeyFailures.count == 1)
        #expect(materials.plaintextDataKey == nil)
        // The untampered EDK still decrypts to the same data key.
        let good = try await keyring.onDecrypt(Self.decryptionMaterials(), encryptedDataKeys: encrypted.encryptedDataKeys)
        #expect(good.plaintextDataKey == encrypted.plaintextDataKey)
    }

    @Test("branch key rotation: old messages still decrypt, new ones use the new version")
    func rotation() async throws {
        let store = InMemoryBranchKeyStore()
        let v1 = store.add(id: "bk-1")
        let clock = ManualClock()
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(60),
                                              cache: BranchKeyMaterialsCache(now: { clock.now }))
        let old = try await client.encrypt([1], keyring: keyring)
        let v2 = store.add(id: "bk-1")
        clock.advance(by: .seconds(60))
        let new = try await client.encrypt([2], keyring: keyring)
        #expect(HierarchyVersionText.of(old.header.encryptedDataKeys[0]) == v1)
        #expect(HierarchyVersionText.of(new.header.encryptedDataKeys[0]) == v2)
        #expect(try await client.decrypt(old.ciphertext, keyring: keyring).plaintext == [1])
        #expect(try await client.decrypt(new.ciphertext, keyring: keyring).plaintext == [2])
    }

    @Test("configuration errors: TTL of zero, empty branch key ID, data key already present")
    func configuration() async throws {
        let store = InMemoryBranchKeyStore()
        store.add(id: "bk-1")
        #expect(throws: EnvelopeError.self) { try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .zero) }
        #expect(throws: EnvelopeError.self) { try HierarchicalKeyring(store: store, branchKeyIdentifier: "", ttl: .seconds(1)) }
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: "bk-1", ttl: .seconds(1))
        let encrypted = try await keyring.onEncrypt(Self.encryptionMaterials())
        var materials = Self.decryptionMaterials()
        materials.plaintextDataKey = encrypted.plaintextDataKey
        let error = await caughtError(EnvelopeError.self) { try await keyring.onDecrypt(materials, encryptedDataKeys: encrypted.encryptedDataKeys) }
        #expect(error?.code == .keyringFailure)
    }
}

/// The branch key version an EDK of the hierarchical keyring names.
enum HierarchyVersionText {
    static func of(_ edk: EncryptedDataKey) -> String { HierarchicalKeyring.branchKey(of: edk)?.version ?? "not a hierarchy EDK" }
}
