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

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal, kmsCallsMetric]
    let configuration = Benchmark.Configuration(metrics: metrics, scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 20_000)
    let plaintext = [UInt8](repeating: 0x42, count: 1024)
    let client = EnvelopeClient()

    for cached in [false, true] {
        let label = cached ? "with data-key cache" : "without cache"
        Benchmark("encrypt 1 KiB via local KMS, \(label)", configuration: configuration) { benchmark in
            let (key, transport) = try await makeKMS()
            let keyring = try KMSKeyring(keyARN: key, transport: transport)
            let manager: any EncryptionMaterialsManager = cached
                ? try CachingMaterialsManager(keyring: keyring, cache: LocalMaterialsCache(capacity: 100), maxAge: .seconds(300))
                : DefaultMaterialsManager(keyring: keyring)
            transport.reset()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await client.encrypt(plaintext, materialsManager: manager))
            }
            benchmark.stopMeasurement()
            benchmark.measurement(kmsCallsMetric, transport.totalCount / max(1, benchmark.scaledIterations.count))
        }
        Benchmark("decrypt 1 KiB via local KMS, \(label)", configuration: configuration) { benchmark in
            let (key, transport) = try await makeKMS()
            let keyring = try KMSKeyring(keyARN: key, transport: transport)
            let manager: any DecryptionMaterialsManager = cached
                ? try CachingMaterialsManager(keyring: keyring, cache: LocalMaterialsCache(capacity: 100), maxAge: .seconds(300))
                : DefaultMaterialsManager(keyring: keyring)
            let message = try await client.encrypt(plaintext, keyring: keyring).ciphertext
            transport.reset()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await client.decrypt(message, materialsManager: manager))
            }
            benchmark.stopMeasurement()
            benchmark.measurement(kmsCallsMetric, transport.totalCount / max(1, benchmark.scaledIterations.count))
        }
    }
}
