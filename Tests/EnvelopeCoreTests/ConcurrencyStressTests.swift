import Foundation
import Testing
import EnvelopeTestSupport
import EnvelopeCrypto
@testable import EnvelopeCore

// Issue 8, item 5: one client and its keyrings shared by many concurrent tasks (also run under
// the thread sanitizer by scripts/test-tsan.sh).

func requireSendable<T: Sendable>(_: T.Type) {}

@Suite("Concurrency: shared client and keyrings under many tasks")
struct ConcurrencyStressTests {
    @Test("the public client, keyrings, managers, materials and results are Sendable")
    func sendable() {
        requireSendable(EnvelopeClient.self)
        requireSendable(RawAESKeyring.self)
        requireSendable(RawRSAKeyring.self)
        requireSendable(MultiKeyring.self)
        requireSendable(DefaultMaterialsManager.self)
        requireSendable(EncryptionMaterials.self)
        requireSendable(DecryptionMaterials.self)
        requireSendable(EncryptResult.self)
        requireSendable(DecryptResult.self)
        requireSendable(DecryptionLimits.self)
        requireSendable(SecureBytes.self)
        requireSendable(EnvelopeError.self)
    }

    @Test("64 tasks share one client and keyrings: one-shot and streaming round trips all succeed, tampering always fails")
    func sharedClient() async throws {
        let client = try EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt, maxEncryptedDataKeys: 4)
        let aes = try Fixtures.aesKeyring()
        let multi = try MultiKeyring(generator: aes, children: [try Fixtures.rsaKeyring()])
        let keyrings: [any Keyring] = [aes, multi]
        let suites: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey]
        let outcomes = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<64 {
                group.addTask {
                    var checks = 0
                    for round in 0..<6 {
                        let keyring = keyrings[(task + round) % keyrings.count]
                        let suite = suites[(task * 7 + round) % suites.count]
                        let plaintext = Fixtures.plaintext(100 + (task * 131 + round * 17) % 5000, seed: UInt32(task * 100 + round))
                        let message = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["task": "\(task)"],
                                                               suite: suite, frameLength: 256).ciphertext
                        #expect(try await client.decrypt(message, keyring: keyring).plaintext == plaintext)
                        let streamed = await collect(client.decryptStream(ChunkedBytes(message, sizes: [97, 1000]), keyring: keyring))
                        #expect(streamed.error == nil)
                        #expect(streamed.chunks.flatMap { $0 } == plaintext)
                        var tampered = message
                        tampered[message.count / 2] ^= 0x10
                        await #expect(throws: EnvelopeError.self) { _ = try await client.decrypt(tampered, keyring: keyring) }
                        checks += 1
                    }
                    return checks
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(outcomes == 64 * 6)
    }

    @Test("many streams decrypt concurrently from one shared message, each with its own iterator")
    func sharedMessageManyStreams() async throws {
        let client = EnvelopeClient()
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(50_000)
        let message = try await client.encrypt(plaintext, keyring: keyring, frameLength: 1000).ciphertext
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for i in 0..<32 {
                group.addTask {
                    var out: [UInt8] = []
                    for try await chunk in client.decryptStream(ChunkedBytes(message, sizes: [1 + i * 37]), keyring: keyring) { out += chunk }
                    return out
                }
            }
            for try await out in group { #expect(out == plaintext) }
        }
    }
}
