import Foundation
import Logging
import Testing
import EnvelopeCrypto
import EnvelopeCore
import EnvelopeKMS
@testable import EnvelopeKMSHTTP

// Issue 8, item 5: one HTTP transport, keyring and caching manager shared by many tasks.

func requireSendable<T: Sendable>(_: T.Type) {}

@Suite("Concurrency: KMS HTTP transport, KMS keyring and caches under many tasks")
struct TransportConcurrencyTests {
    @Test("transports, keyrings, caches and credential providers are Sendable")
    func sendable() {
        requireSendable(KMSHTTPTransport.self)
        requireSendable(AWSHTTPClient.self)
        requireSendable(StaticCredentialsProvider.self)
        requireSendable(KMSKeyring.self)
        requireSendable(CachingMaterialsManager.self)
        requireSendable(LocalMaterialsCache.self)
    }

    @Test("64 concurrent Decrypt calls through one transport (some throttled and retried) all succeed")
    func concurrentCalls() async throws {
        // Three throttled answers among the first requests; whichever calls get them retry (4 attempts
        // each, so even a call that got all three succeeds — the script is shared by concurrent calls).
        let script: [FaultServer.Behaviour] = [KMSOutageTests.decryptOK, KMSOutageTests.throttle, KMSOutageTests.decryptOK,
                                               KMSOutageTests.throttle, KMSOutageTests.decryptOK, KMSOutageTests.throttle,
                                               KMSOutageTests.decryptOK]
        let server = try FaultServer(script: script)
        defer { server.shutdown() }
        let transport = try KMSOutageTests.transport(server, attempts: 4)
        let keyring = try KMSKeyring(keyARN: KMSOutageTests.keyARN, transport: transport)
        let manager = try CachingMaterialsManager(keyring: keyring, cache: LocalMaterialsCache(capacity: 100), maxAge: .seconds(600))
        let client = EnvelopeClient()
        // Messages made with the same fixed data key but different contexts (distinct cache entries).
        let generating = try FaultServer(script: [KMSOutageTests.generateOK])
        defer { generating.shutdown() }
        let encryptKeyring = try KMSKeyring(keyARN: KMSOutageTests.keyARN, transport: try KMSOutageTests.transport(generating, attempts: 1))
        var messages: [([UInt8], [UInt8], EncryptionContext)] = []
        for i in 0..<16 {
            let plaintext = Array("message \(i)".utf8)
            let context: EncryptionContext = ["n": "\(i)"]
            messages.append((try await client.encrypt(plaintext, keyring: encryptKeyring, encryptionContext: context).ciphertext, plaintext, context))
        }
        let frozen = messages
        let decrypted = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<64 {
                group.addTask {
                    let (ciphertext, plaintext, _) = frozen[task % frozen.count]
                    let direct = try await client.decrypt(ciphertext, keyring: keyring).plaintext
                    let cached = try await client.decrypt(ciphertext, materialsManager: manager).plaintext
                    #expect(direct == plaintext)
                    #expect(cached == plaintext)
                    return 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(decrypted == 64)
        // 64 direct calls plus at most one per message for the cache (concurrent misses may duplicate a few).
        #expect(server.receivedTargets.allSatisfy { $0 == "TrentService.Decrypt" })
        #expect(server.requestCount >= 64 + 16)
    }
}
