import EnvelopeCore
import EnvelopeKMS
import EnvelopeTestSupport
import Testing

/// The hierarchical keyring over the specification's branch key store (in-memory DynamoDB, the
/// local KMS): the KMS and DynamoDB calls it makes per TTL window, and rotation through the store.
@Suite("Hierarchical keyring over the branch key store")
struct HierarchicalKeyringStoreTests {
    @Test("per TTL window and branch key: one GetItem and one kms:Decrypt per cache entry, however many messages")
    func callsPerTTLWindow() async throws {
        let setup = try await BranchKeyStoreTests.setup()
        let id = try await setup.store.createKey()
        let clock = ManualClock()
        let keyring = try HierarchicalKeyring(store: setup.store, branchKeyIdentifier: id, ttl: .seconds(300),
                                              cache: BranchKeyMaterialsCache(now: { clock.now }))
        let client = EnvelopeClient()
        setup.kms.reset()
        let getItemsBefore = await setup.dynamoDB.callCount("GetItem")
        for window in 1...3 {
            var messages: [[UInt8]] = []
            for _ in 0..<100 { messages.append(try await client.encrypt([7], keyring: keyring, encryptionContext: ["w": "\(window)"]).ciphertext) }
            for m in messages { _ = try await client.decrypt(m, keyring: keyring) }
            // Two cache entries per window (the active version to encrypt, the version to decrypt).
            #expect(setup.kms.totalCount == 2 * window, "KMS calls after window \(window)")
            #expect(setup.kms.count(.decrypt) == 2 * window)
            #expect(await setup.dynamoDB.callCount("GetItem") - getItemsBefore == 2 * window, "GetItem calls after window \(window)")
            clock.advance(by: .seconds(300))
        }
    }

    @Test("rotation through the store: old messages decrypt, new ones use the new version once the TTL passed")
    func rotation() async throws {
        let setup = try await BranchKeyStoreTests.setup()
        let id = try await setup.store.createKey()
        let clock = ManualClock()
        let keyring = try HierarchicalKeyring(store: setup.store, branchKeyIdentifier: id, ttl: .seconds(60),
                                              cache: BranchKeyMaterialsCache(now: { clock.now }))
        let client = EnvelopeClient()
        let old = try await client.encrypt([1], keyring: keyring)
        try await setup.store.versionKey(branchKeyIdentifier: id)
        let stillOld = try await client.encrypt([2], keyring: keyring)
        #expect(HierarchyVersionText.of(stillOld.header.encryptedDataKeys[0]) == HierarchyVersionText.of(old.header.encryptedDataKeys[0]),
                "the cached active version is used until the TTL passes")
        clock.advance(by: .seconds(60))
        let new = try await client.encrypt([3], keyring: keyring)
        let active = try await setup.store.activeBranchKey(branchKeyIdentifier: id).branchKeyVersion
        #expect(HierarchyVersionText.of(new.header.encryptedDataKeys[0]) == active)
        #expect(HierarchyVersionText.of(old.header.encryptedDataKeys[0]) != active)
        for (message, expected) in [(old, [UInt8(1)]), (stillOld, [2]), (new, [3])] {
            #expect(try await client.decrypt(message.ciphertext, keyring: keyring).plaintext == expected)
        }
    }
}
