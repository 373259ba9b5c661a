import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing

// Issue 18, parts 1 and 2: metrics and spans after real round trips through the local KMS server
// (KMS over HTTP + SigV4). Each test passes its own backends (`EnvelopeObservability`), so tests
// run in parallel without bootstrapping the process-wide systems.

/// The metric dimensions as a dictionary, for readable expectations.
func dims(_ pairs: [(String, String)]) -> [String: String] {
    Dictionary(pairs, uniquingKeysWith: { $1 })
}

extension ServedKMS {
    /// A transport reporting to `observability`.
    func transport(_ key: LocalKMSAccessKey, observability: EnvelopeObservability) throws -> KMSHTTPTransport {
        // One attempt, with room for a loaded machine (the whole suite under TSan).
        let http = AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 1, attemptTimeout: 300, overallDeadline: 600), observability: observability)
        return KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey)),
            http: http)
    }
}

@Suite("Metrics and spans over the local KMS server", .serialized)
struct ObservabilityTests {
    @Test("every metric appears with its dimensions after a round trip: KMS requests, credentials, cache, messages")
    func metricsAfterRoundTrip() async throws {
        let served = try await ServedKMS.start()
        let metrics = TestMetrics()
        let observability = EnvelopeObservability(labelPrefix: "test_", metricsFactory: metrics)
        let kms = try served.transport(served.user1, observability: observability)
        var client = EnvelopeClient()
        client.observability = observability
        let keyring = try KMSKeyring(keyARN: served.key, transport: kms)
        let cache = LocalMaterialsCache(capacity: 1, observability: observability)
        let caching = try CachingMaterialsManager(keyring: keyring, cache: cache, maxAge: .seconds(600))
        let plaintext = Array(repeating: UInt8(0x41), count: 3000)

        // Miss (GenerateDataKey), hit, then another context: a miss whose entry evicts the first (capacity 1).
        let first = try await client.encrypt(plaintext, materialsManager: caching, encryptionContext: ["tenant": "a"])
        _ = try await client.encrypt(plaintext, materialsManager: caching, encryptionContext: ["tenant": "a"])
        _ = try await client.encrypt(plaintext, materialsManager: caching, encryptionContext: ["tenant": "b"])
        // An identity-KDF suite never uses the cache (a bypass).
        let legacy = try EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
        var legacyClient = legacy
        legacyClient.observability = observability
        _ = try await legacyClient.encrypt(plaintext, materialsManager: caching, suite: .aes256GCMNoKDF)
        // Decrypt (KMS Decrypt), and a tampered message that fails authentication.
        #expect(try await client.decrypt(first.ciphertext, keyring: keyring).plaintext == plaintext)
        var tampered = first.ciphertext
        tampered[tampered.count - 20] ^= 1
        await #expect(throws: EnvelopeError.self) { _ = try await client.decrypt(tampered, keyring: keyring) }
        // A KMS error: a principal the key policy does not allow.
        let denied = try served.transport(served.noAccess, observability: observability)
        await #expect(throws: KMSError.self) {
            _ = try await denied.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(served.key), numberOfBytes: 32))
        }
        await served.server.stop()

        // KMS requests: operation, outcome, latency.
        #expect(metrics.counterTotal(label: "test_aws_requests_total",
                                     dimensions: [("service", "KMS"), ("operation", "GenerateDataKey"), ("outcome", "success")]) == 3)
        #expect(metrics.counterTotal(label: "test_aws_requests_total",
                                     dimensions: [("service", "KMS"), ("operation", "Decrypt"), ("outcome", "success")]) == 2)
        #expect(metrics.counterTotal(label: "test_aws_requests_total",
                                     dimensions: [("service", "KMS"), ("operation", "GenerateDataKey"), ("outcome", "AccessDeniedException")]) == 1)
        let latencies = metrics.timers(label: "test_aws_request_duration")
        #expect(Set(latencies.map { dims($0.dimensions)["operation"] }) == ["GenerateDataKey", "Decrypt"])
        #expect(latencies.allSatisfy { $0.values.allSatisfy { $0 > 0 } })
        // Credentials: one fetch per transport (cached afterwards), by source.
        #expect(metrics.counterTotal(label: "test_credential_refreshes_total", dimensions: [("source", "explicit"), ("outcome", "success")]) == 2)
        // The data-key cache.
        #expect(metrics.counterTotal(label: "test_cache_hits_total") == 1)
        #expect(metrics.counterTotal(label: "test_cache_misses_total", dimensions: [("reason", "not-cached")]) == 2)
        #expect(metrics.counterTotal(label: "test_cache_bypasses_total", dimensions: [("reason", "identity-kdf")]) == 1)
        #expect(metrics.counterTotal(label: "test_cache_evictions_total", dimensions: [("reason", "capacity")]) == 1)
        #expect(try metrics.expectGauge("test_cache_entries").lastValue == 1)
        // Messages and bytes, by operation, suite and outcome.
        let committing = "0x0578", noKDF = "0x0078"
        #expect(metrics.counterTotal(label: "test_messages_total", dimensions: [("operation", "encrypt"), ("suite", committing), ("outcome", "success")]) == 3)
        #expect(metrics.counterTotal(label: "test_messages_total", dimensions: [("operation", "encrypt"), ("suite", noKDF), ("outcome", "success")]) == 1)
        #expect(metrics.counterTotal(label: "test_message_bytes_total", dimensions: [("operation", "encrypt"), ("suite", committing), ("outcome", "success")]) == 9000)
        #expect(metrics.counterTotal(label: "test_messages_total", dimensions: [("operation", "decrypt"), ("suite", committing), ("outcome", "success")]) == 1)
        #expect(metrics.counterTotal(label: "test_message_bytes_total", dimensions: [("operation", "decrypt"), ("suite", committing), ("outcome", "success")])
                == Int64(first.ciphertext.count))
        #expect(metrics.counterTotal(label: "test_messages_total", dimensions: [("operation", "decrypt"), ("suite", "unknown"), ("outcome", "authentication-failed")]) == 1)
        #expect(metrics.timers(label: "test_message_duration").count == 4)
    }

    @Test("span tree of one encrypt and one decrypt: caller → message span → KMS span, with attributes and no secrets")
    func spanTree() async throws {
        let served = try await ServedKMS.start()
        let tracer = InMemoryTracer()
        let observability = EnvelopeObservability(tracer: tracer)
        let kms = try served.transport(served.user1, observability: observability)
        var client = EnvelopeClient()
        client.observability = observability
        let keyring = try KMSKeyring(keyARN: served.key, transport: kms)
        let tap = DataKeyTap(keyring)
        let secretText = "SPAN-CANARY-plaintext-never-in-a-span"
        let plaintext = Array(secretText.utf8)

        let (encrypted, decrypted) = try await tracer.withSpan("caller") { _ in
            let encrypted = try await client.encrypt(plaintext, materialsManager: DefaultMaterialsManager(encryptionKeyring: tap),
                                                     encryptionContext: ["tenant": "t1"])
            let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring, encryptionContext: ["tenant": "t1"])
            return (encrypted, decrypted)
        }
        await served.server.stop()
        #expect(decrypted.plaintext == plaintext)

        let spans = tracer.finishedSpans
        func span(_ name: String) throws -> FinishedInMemorySpan {
            try #require(spans.first { $0.operationName == name }, "no span \(name) in \(spans.map(\.operationName))")
        }
        let caller = try span("caller"), encrypt = try span("envelope.encrypt"), decrypt = try span("envelope.decrypt")
        let generate = try span("KMS.GenerateDataKey"), kmsDecrypt = try span("KMS.Decrypt")
        #expect(spans.count == 5)
        // Parentage: the caller's task context flows into the message spans, and on into the KMS calls.
        #expect(encrypt.parentSpanID == caller.spanID)
        #expect(decrypt.parentSpanID == caller.spanID)
        #expect(generate.parentSpanID == encrypt.spanID)
        #expect(kmsDecrypt.parentSpanID == decrypt.spanID)
        #expect(Set(spans.map(\.traceID)).count == 1)
        // Attributes.
        for (kmsSpan, method) in [(generate, "GenerateDataKey"), (kmsDecrypt, "Decrypt")] {
            #expect(kmsSpan.kind == .client)
            #expect(kmsSpan.string("rpc.system") == "aws-api")
            #expect(kmsSpan.string("rpc.service") == "KMS")
            #expect(kmsSpan.string("rpc.method") == method)
            #expect(kmsSpan.string("aws.region") == "us-east-1")
            #expect(kmsSpan.string("aws.kms.key_id") == served.key.description)
            #expect(kmsSpan.int("http.response.status_code") == 200)
        }
        #expect(encrypt.string("envelope.operation") == "encrypt")
        #expect(encrypt.string("envelope.suite") == "0x0578")
        #expect(encrypt.int("envelope.frame_length") == 4096)
        #expect(decrypt.string("envelope.suite") == "0x0578")
        #expect(spans.allSatisfy { $0.status == nil })

        // No secret in anything a tracer is told: data key, plaintext, access key secret, EDK ciphertext.
        let text = recordedText(of: spans)
        var secrets = tap.dataKeys + [Array(served.user1.secretAccessKey.utf8), encrypted.encryptedDataKeys[0].ciphertext]
        secrets.append(plaintext)
        #expect(!tap.dataKeys.isEmpty)
        for secret in secrets {
            for spelling in spellings(secret) { #expect(!text.contains(spelling), "a secret appears in a span") }
        }
        #expect(!text.contains("SPAN-CANARY"))
    }

    @Test("a failed KMS call ends its span with an error status and the error code, no message text")
    func failedCallSpan() async throws {
        let served = try await ServedKMS.start()
        let tracer = InMemoryTracer()
        let denied = try served.transport(served.noAccess, observability: EnvelopeObservability(tracer: tracer))
        await #expect(throws: KMSError.self) {
            _ = try await denied.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(served.key), numberOfBytes: 32))
        }
        await served.server.stop()
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.operationName == "KMS.GenerateDataKey")
        #expect(span.status?.code == .error)
        #expect(span.string("error.type") == "AccessDeniedException")
        #expect(span.errors.isEmpty)
    }

    @Test("with no backend bootstrapped nothing is resolved: the client, cache and HTTP client keep no telemetry")
    func noBackendNoTelemetry() {
        #expect(EnvelopeObservability.default.activeMetricsFactory == nil)
        #expect(EnvelopeObservability.default.activeTracer == nil)
    }
}
