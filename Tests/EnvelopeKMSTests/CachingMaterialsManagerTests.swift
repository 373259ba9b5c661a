import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import Testing

@Suite("Data-key caching materials manager (KMS calls counted)")
struct CachingMaterialsManagerTests {
    static let account: AWSAccountID = "111122223333"
    static let dev = AWSPrincipalARN("arn:aws:iam::111122223333:user/Dev")!
    static let context: EncryptionContext = ["tenant": "blue"]

    struct Setup {
        let key: KMSKeyARN
        let transport: CountingKMSTransport
        let keyring: KMSKeyring
    }

    static func setup() async throws -> Setup {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: account, userPrincipals: [dev]).arn
        let transport = CountingKMSTransport(kms.client(principal: dev))
        return Setup(key: key, transport: transport, keyring: try KMSKeyring(keyARN: key, transport: transport))
    }

    let client = EnvelopeClient()

    @Test("N messages under one data key make one GenerateDataKey call, and every message decrypts")
    func oneCallForNMessages() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300))
        var messages: [EncryptResult] = []
        for _ in 0..<20 { messages.append(try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context)) }
        #expect(s.transport.count(.generateDataKey) == 1)
        #expect(Set(messages.map { $0.header.encryptedDataKeys[0].ciphertext }).count == 1, "one data key")
        #expect(Set(messages.map(\.header.messageID)).count == 20, "twenty distinct messages")
        let stats = await cache.statistics
        #expect(stats.hits == 19 && stats.misses == 1 && stats.bypassCount == 0)
        for message in messages {
            #expect(try await client.decrypt(message.ciphertext, keyring: s.keyring).plaintext == samplePlaintext)
        }
        // Another encryption context is another entry, another data key.
        _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: ["tenant": "green"])
        #expect(s.transport.count(.generateDataKey) == 2)
    }

    @Test("The message limit forces a new data key every N messages")
    func messageLimit() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300), maxMessagesPerDataKey: 5)
        for _ in 0..<20 { _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context) }
        #expect(s.transport.count(.generateDataKey) == 4)
        let stats = await cache.statistics
        #expect(stats.misses == 4 && stats.hits == 16)
        #expect(stats.missReasons[.messageLimitReached] == 3)
        #expect(stats.evictions[.messageLimit] == 3)
    }

    @Test("The byte limit forces a new data key; a message longer than the limit bypasses the cache")
    func byteLimit() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300), maxBytesPerDataKey: 250)
        let hundred = Array(samplePlaintext[0..<100])
        for _ in 0..<20 { _ = try await client.encrypt(hundred, materialsManager: cmm, encryptionContext: Self.context) }
        #expect(s.transport.count(.generateDataKey) == 10, "250 bytes per key: two 100-byte messages each")
        #expect(await cache.statistics.missReasons[.byteLimitReached] == 9)
        for _ in 0..<2 { _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context) }
        #expect(s.transport.count(.generateDataKey) == 12)
        #expect(await cache.statistics.bypasses[.plaintextLongerThanByteLimit] == 2)
    }

    @Test("An entry older than the maximum age is not used again")
    func maxAge() async throws {
        let s = try await Self.setup()
        let clock = ManualClock()
        let cache = LocalMaterialsCache(now: { clock.now })
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(60))
        for _ in 0..<3 { _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context) }
        #expect(s.transport.count(.generateDataKey) == 1)
        clock.advance(by: .seconds(59))
        _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context)
        #expect(s.transport.count(.generateDataKey) == 1)
        clock.advance(by: .seconds(1))
        _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context)
        #expect(s.transport.count(.generateDataKey) == 2)
        #expect(await cache.statistics.missReasons[.expired] == 1)
        #expect(throws: EnvelopeError.self) { try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .zero) }
    }

    @Test("Many concurrent tasks: counters add up and concurrent misses share one KMS call", arguments: [UInt64(1) << 32, 10])
    func concurrency(maxMessages: UInt64) async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300), maxMessagesPerDataKey: maxMessages)
        let tasks = 200
        let client = client
        let results = try await withThrowingTaskGroup(of: EncryptResult.self) { group in
            for _ in 0..<tasks {
                group.addTask { try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: Self.context, suite: .aes256GCMHKDFSHA512CommitKey) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let stats = await cache.statistics
        let expectedKeys = Int((UInt64(tasks) + maxMessages - 1) / maxMessages)
        #expect(stats.hits + stats.misses + stats.bypassCount == tasks)
        #expect(stats.misses == expectedKeys)
        #expect(s.transport.count(.generateDataKey) == expectedKeys)
        #expect(Set(results.map { $0.header.encryptedDataKeys[0].ciphertext }).count == expectedKeys)
        // No data key encrypted more messages than allowed.
        let perKey = Dictionary(grouping: results, by: { $0.header.encryptedDataKeys[0].ciphertext }).values.map(\.count)
        #expect(perKey.allSatisfy { UInt64($0) <= maxMessages })
        for message in results.prefix(5) {
            #expect(try await client.decrypt(message.ciphertext, keyring: s.keyring).plaintext == samplePlaintext)
        }
    }

    @Test("Identity-KDF suites and streams of unknown length are never cached; each bypass is counted with its reason")
    func bypasses() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300))
        let legacy = EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
        for _ in 0..<3 { _ = try await legacy.encrypt(samplePlaintext, materialsManager: cmm, suite: .aes256GCMNoKDF) }
        #expect(s.transport.count(.generateDataKey) == 3)
        for _ in 0..<2 {
            let stream = client.encryptStream(AsyncStream<[UInt8]> { $0.yield(samplePlaintext); $0.finish() }, materialsManager: cmm)
            for try await _ in stream {}
        }
        #expect(s.transport.count(.generateDataKey) == 5)
        let stats = await cache.statistics
        #expect(stats.bypasses == [.identityKDF: 3, .unknownPlaintextLength: 2])
        #expect(stats.hits == 0 && stats.misses == 0 && stats.entryCount == 0)
    }

    @Test("Decrypt materials are cached per message keys and context; a mismatching reproduced context is still refused")
    func decryptCaching() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300))
        let message = try await client.encrypt(samplePlaintext, keyring: s.keyring, encryptionContext: Self.context)
        for _ in 0..<10 {
            #expect(try await client.decrypt(message.ciphertext, materialsManager: cmm).plaintext == samplePlaintext)
        }
        #expect(s.transport.count(.decrypt) == 1)
        #expect(await cache.statistics.hits == 9)
        // Another message (other encrypted data key) is another entry.
        let other = try await client.encrypt(samplePlaintext, keyring: s.keyring, encryptionContext: Self.context)
        _ = try await client.decrypt(other.ciphertext, materialsManager: cmm)
        #expect(s.transport.count(.decrypt) == 2)
        #expect(try await client.decrypt(message.ciphertext, materialsManager: cmm, encryptionContext: Self.context).plaintext == samplePlaintext)
        let error = try #require(await caughtError(EnvelopeError.self) {
            try await client.decrypt(message.ciphertext, materialsManager: cmm, encryptionContext: ["tenant": "green"])
        })
        #expect(error.code == .encryptionContextMismatch)
        let strict = EnvelopeClient(commitmentPolicy: .requireEncryptRequireDecrypt)
        let legacyMessage = try await EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
            .encrypt(samplePlaintext, keyring: s.keyring, suite: .aes256GCMHKDFSHA384ECDSAP384)
        _ = try await EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt).decrypt(legacyMessage.ciphertext, materialsManager: cmm)
        let refused = try #require(await caughtError(EnvelopeError.self) { try await strict.decrypt(legacyMessage.ciphertext, materialsManager: cmm) })
        #expect(refused.code == .commitmentPolicyViolation, "a cached entry never bypasses the commitment policy")
    }

    @Test("Partitions: managers share entries only with the same partition ID")
    func partitions() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache()
        let a = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300))
        let b = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300))
        _ = try await client.encrypt(samplePlaintext, materialsManager: a, encryptionContext: Self.context)
        _ = try await client.encrypt(samplePlaintext, materialsManager: b, encryptionContext: Self.context)
        #expect(s.transport.count(.generateDataKey) == 2)
        let c = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300), partitionID: "shared")
        let d = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300), partitionID: "shared")
        _ = try await client.encrypt(samplePlaintext, materialsManager: c, encryptionContext: Self.context)
        _ = try await client.encrypt(samplePlaintext, materialsManager: d, encryptionContext: Self.context)
        #expect(s.transport.count(.generateDataKey) == 3)
    }

    @Test("Capacity: the least recently used entry is evicted")
    func lruCapacity() async throws {
        let s = try await Self.setup()
        let cache = LocalMaterialsCache(capacity: 2)
        let cmm = try CachingMaterialsManager(keyring: s.keyring, cache: cache, maxAge: .seconds(300))
        for tenant in ["a", "b", "a", "c", "a", "b"] {
            _ = try await client.encrypt(samplePlaintext, materialsManager: cmm, encryptionContext: ["tenant": tenant])
        }
        // a miss, b miss, a hit, c miss (evicts b), a hit, b miss (evicts c)
        #expect(s.transport.count(.generateDataKey) == 4)
        let stats = await cache.statistics
        #expect(stats.evictions[.capacity] == 2)
        #expect(stats.entryCount == 2)
    }

    @Test("A failing KMS call is reported to the caller and nothing is cached")
    func failureNotCached() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: Self.account, userPrincipals: [Self.dev]).arn
        let outsider = CountingKMSTransport(kms.client(principal: AWSPrincipalARN("arn:aws:iam::111122223333:user/Outsider")!))
        let cache = LocalMaterialsCache()
        let cmm = try CachingMaterialsManager(keyring: try KMSKeyring(keyARN: key, transport: outsider), cache: cache, maxAge: .seconds(300))
        for _ in 0..<2 {
            let error = try #require(await caughtError(EnvelopeError.self) { try await client.encrypt(samplePlaintext, materialsManager: cmm) })
            #expect(error.kmsDataKeyErrors.first?.kmsError?.code == .accessDenied)
        }
        #expect(outsider.count(.generateDataKey) == 2)
        #expect(await cache.count == 0)
    }
}
