// Small-message rate through the in-process local KMS, with and without the data-key cache
// (issue 7). Each benchmark reports KMS calls per message beside time and allocations.
import Benchmark
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS

private let account: AWSAccountID = "109876543210"
private let user = AWSPrincipalARN("arn:aws:iam::109876543210:user/BenchUser")!
private let kmsCallsMetric = BenchmarkMetric.custom("KMS calls per message", polarity: .prefersSmaller, useScalingFactor: false)

/// A local KMS with one key the bench user may use, and a counting transport for that user.
private func makeKMS() async throws -> (KMSKeyARN, CountingKMSTransport) {
    let kms = try LocalKMS()
    let key = try await kms.createKey(account: account, userPrincipals: [user]).arn
    return (key, CountingKMSTransport(kms.client(principal: user)))
}

/// One local KMS, key, keyring and managers per benchmark, made on first use and kept across the
/// benchmark's samples (package-benchmark runs the closure once per sample), so the cache is warm
/// after the first message, as in a long-running service.
private final class Fixture: @unchecked Sendable {
    private let cached: Bool
    private var made: (transport: CountingKMSTransport, encryption: any EncryptionMaterialsManager,
                       decryption: any DecryptionMaterialsManager, message: [UInt8])?

    init(cached: Bool) { self.cached = cached }

    func get(_ plaintext: [UInt8]) async throws -> (CountingKMSTransport, any EncryptionMaterialsManager, any DecryptionMaterialsManager, [UInt8]) {
        if let made { return (made.transport, made.encryption, made.decryption, made.message) }
        let (key, transport) = try await makeKMS()
        let keyring = try KMSKeyring(keyARN: key, transport: transport)
        let encryption: any EncryptionMaterialsManager
        let decryption: any DecryptionMaterialsManager
        if cached {
            let manager = try CachingMaterialsManager(keyring: keyring, cache: LocalMaterialsCache(capacity: 100), maxAge: .seconds(300))
            encryption = manager
            decryption = manager
        } else {
            encryption = DefaultMaterialsManager(keyring: keyring)
            decryption = DefaultMaterialsManager(keyring: keyring)
        }
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: keyring).ciphertext
        made = (transport, encryption, decryption, message)
        return (transport, encryption, decryption, message)
    }
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal, kmsCallsMetric]
    let configuration = Benchmark.Configuration(metrics: metrics, scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 20_000)
    let plaintext = [UInt8](repeating: 0x42, count: 1024)
    let client = EnvelopeClient()

    for cached in [false, true] {
        let label = cached ? "with data-key cache" : "without cache"
        let encryptFixture = Fixture(cached: cached)
        let decryptFixture = Fixture(cached: cached)
        Benchmark("encrypt 1 KiB via local KMS, \(label)", configuration: configuration) { benchmark in
            let (transport, manager, _, _) = try await encryptFixture.get(plaintext)
            let before = transport.totalCount
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await client.encrypt(plaintext, materialsManager: manager))
            }
            benchmark.stopMeasurement()
            benchmark.measurement(kmsCallsMetric, transport.totalCount - before)
        }
        Benchmark("decrypt 1 KiB via local KMS, \(label)", configuration: configuration) { benchmark in
            let (transport, _, manager, message) = try await decryptFixture.get(plaintext)
            let before = transport.totalCount
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await client.decrypt(message, materialsManager: manager))
            }
            benchmark.stopMeasurement()
            benchmark.measurement(kmsCallsMetric, transport.totalCount - before)
        }
    }
}
