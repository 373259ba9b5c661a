import EnvelopeTestSupport
import Foundation
import Testing
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeCore

// Issue 8, item 5: the local KMS is shared by many concurrent callers (key creation, policy
// changes, data keys, decryption) without losing or corrupting state.

@Suite("Concurrency: local KMS under many tasks")
struct LocalKMSConcurrencyTests {
    @Test("48 tasks: envelope round trips through one local KMS while keys are created and policies read")
    func sharedLocalKMS() async throws {
        let story = try await CrossAccountStory.make()
        let kms = story.kms
        let keyring = LocalKMSBridgeKeyring(client: story.client(CrossAccountStory.user1), key: story.key, context: CrossAccountStory.context)
        let client = EnvelopeClient()
        let created = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<48 {
                group.addTask {
                    if task % 8 == 0 {
                        _ = try await kms.createKey(account: CrossAccountStory.third, region: CrossAccountStory.region)
                        _ = try await kms.getKeyPolicy(key: story.key)
                        return 1
                    }
                    for round in 0..<4 {
                        let plaintext = Array("task \(task) round \(round)".utf8)
                        let message = try await client.encrypt(plaintext, keyring: keyring).ciphertext
                        #expect(try await client.decrypt(message, keyring: keyring).plaintext == plaintext)
                    }
                    return 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(created == 6)
        #expect(try await kms.listKeys(account: CrossAccountStory.third).count == 6)
    }
}
