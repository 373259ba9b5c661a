import Foundation
import Logging
import Testing
import EnvelopeCrypto
import EnvelopeCore
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport

// Issue 8, item 6: KMS outages seen through the caching materials manager. The fault server
// (FaultServer.swift) plays KMS: it answers GenerateDataKey / Decrypt with one fixed data key, or
// throttles. Time is a manual clock injected into the cache (no sleeping, no timing assertions).

@Suite("KMS outages through the caching materials manager (fault server)")
struct KMSOutageTests {
    static let keyARN = try! KMSKeyARN(parsing: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    static let dataKey: [UInt8] = (0..<32).map { UInt8($0) &* 3 &+ 1 }
    static let blob: [UInt8] = Array("fixed-ciphertext-blob-for-the-fault-server".utf8)
    static let generateOK = FaultServer.Behaviour.json(200, """
        {"CiphertextBlob":"\(Data(blob).base64EncodedString())","KeyId":"\(keyARN)","Plaintext":"\(Data(dataKey).base64EncodedString())"}
        """)
    static let decryptOK = FaultServer.Behaviour.json(200, """
        {"KeyId":"\(keyARN)","Plaintext":"\(Data(dataKey).base64EncodedString())","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}
        """)
    static let throttle = FaultServer.Behaviour.error(400, "ThrottlingException", "Rate exceeded")

    static func transport(_ server: FaultServer, attempts: Int) throws -> KMSHTTPTransport {
        KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests")),
            // Backoffs recorded, the overall deadline on a frozen test clock, a generous attempt timeout:
            // a loaded machine (TSan, parallel builds) cannot turn a throttle into a timeout.
            http: AWSHTTPClient.forTests(RetryTests.patient(attempts)),
            logger: Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Decrypts every message later, through a healthy KMS and no cache.
    static func decryptLater(_ messages: [(ciphertext: [UInt8], plaintext: [UInt8])]) async throws {
        let healthy = try FaultServer(script: [decryptOK])
        defer { healthy.shutdown() }
        let keyring = try KMSKeyring(keyARN: keyARN, transport: try transport(healthy, attempts: 1))
        for (ciphertext, plaintext) in messages {
            #expect(try await EnvelopeClient().decrypt(ciphertext, keyring: keyring).plaintext == plaintext)
        }
        #expect(healthy.requestCount == messages.count)
        #expect(healthy.receivedTargets.allSatisfy { $0 == "TrentService.Decrypt" })
    }

    @Test("KMS throttles after the first data key: 200 messages keep working on the cached key; after it expires encryption fails cleanly; every message decrypts later")
    func throttledThenExpired() async throws {
        let server = try FaultServer(script: [Self.generateOK, Self.throttle])
        defer { server.shutdown() }
        let clock = ManualClock()
        let cache = LocalMaterialsCache(capacity: 10, now: { clock.now })
        let keyring = try KMSKeyring(keyARN: Self.keyARN, transport: try Self.transport(server, attempts: 3))
        let manager = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(300), maxMessagesPerDataKey: 1000)
        let client = EnvelopeClient()
        var produced: [(ciphertext: [UInt8], plaintext: [UInt8])] = []
        for i in 0..<200 {
            let plaintext = Array("message \(i)".utf8)
            produced.append((try await client.encrypt(plaintext, materialsManager: manager, encryptionContext: ["batch": "1"]).ciphertext, plaintext))
            clock.advance(by: .seconds(1))
        }
        #expect(server.requestCount == 1, "cached key used while KMS throttles")
        // The cached key expires (age > 300 s): KMS is asked, throttles on every attempt, the call fails cleanly.
        clock.advance(by: .seconds(200))
        var failures = 0
        for i in 0..<5 {
            do {
                let message = try await client.encrypt(Array("late \(i)".utf8), materialsManager: manager, encryptionContext: ["batch": "1"])
                Issue.record("encrypted \(message.ciphertext.count) bytes without a data key")
            } catch {
                failures += 1
                #expect("\(error)".contains("Throttling"), "the error names the cause: \(error)")
            }
        }
        #expect(failures == 5)
        #expect(server.requestCount == 1 + 5 * 3)
        try await Self.decryptLater(produced)
    }

    @Test("KMS throttles intermittently: with retries and a 10-message key limit, 120 messages all succeed and all decrypt later")
    func intermittentThrottling() async throws {
        // Each GenerateDataKey is throttled twice before it succeeds (the transport retries 3 times).
        let server = try FaultServer(script: Array(repeating: [Self.throttle, Self.throttle, Self.generateOK], count: 20).flatMap { $0 })
        defer { server.shutdown() }
        let cache = LocalMaterialsCache(capacity: 10)
        let keyring = try KMSKeyring(keyARN: Self.keyARN, transport: try Self.transport(server, attempts: 3))
        let manager = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(600), maxMessagesPerDataKey: 10)
        let client = EnvelopeClient()
        var produced: [(ciphertext: [UInt8], plaintext: [UInt8])] = []
        for i in 0..<120 {
            let plaintext = Array("message \(i)".utf8)
            produced.append((try await client.encrypt(plaintext, materialsManager: manager).ciphertext, plaintext))
        }
        #expect(server.requestCount == 12 * 3, "one data key per 10 messages, each after two throttles")
        try await Self.decryptLater(produced)
    }

    @Test("concurrent encryptions through one caching manager while KMS throttles: none fails, one data key")
    func concurrentWhileThrottling() async throws {
        let server = try FaultServer(script: [Self.generateOK, Self.throttle])
        defer { server.shutdown() }
        let keyring = try KMSKeyring(keyARN: Self.keyARN, transport: try Self.transport(server, attempts: 2))
        let manager = try CachingMaterialsManager(keyring: keyring, cache: LocalMaterialsCache(capacity: 10), maxAge: .seconds(600))
        let client = EnvelopeClient()
        // Warm the cache, then 32 tasks × 5 messages.
        let first = try await client.encrypt([0], materialsManager: manager).ciphertext
        let produced = try await withThrowingTaskGroup(of: [(ciphertext: [UInt8], plaintext: [UInt8])].self) { group in
            for task in 0..<32 {
                group.addTask {
                    var out: [(ciphertext: [UInt8], plaintext: [UInt8])] = []
                    for round in 0..<5 {
                        let plaintext = Array("task \(task) round \(round)".utf8)
                        out.append((try await client.encrypt(plaintext, materialsManager: manager).ciphertext, plaintext))
                    }
                    return out
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(produced.count == 160)
        #expect(server.requestCount == 1)
        try await Self.decryptLater(produced + [(first, [0])])
    }
}
