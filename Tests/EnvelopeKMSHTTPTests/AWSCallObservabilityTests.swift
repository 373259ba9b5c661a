import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import InMemoryTracing
import MetricsTestKit
import Testing

// Issue 18, parts 1 and 2, for the AWS call layer every service client shares (AWSHTTPClient):
// retries and throttles against a scripted server, and a whole round trip through moto.

@Suite("AWS call metrics and spans", .serialized)
struct AWSCallObservabilityTests {
    @Test("a throttled, then failing, then successful call: one request, two retries by reason, one throttle, one span")
    func retriesAndThrottles() async throws {
        let server = try FaultServer(script: [
            .error(429, "ThrottlingException", "Rate exceeded"), .error(503, "KMSInternalException"), RetryTests.describeOK,
        ])
        defer { server.shutdown() }
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let observability = EnvelopeObservability(metricsFactory: metrics, tracer: tracer)
        let kms = KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests")),
            http: AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxBackoff: 0.01, attemptTimeout: 120, overallDeadline: 600),
                                sleep: { _ in }, observability: observability))
        _ = try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(RetryTests.keyARN)))

        let call = [("service", "KMS"), ("operation", "DescribeKey")]
        #expect(metrics.counterTotal(label: "envelopekit_aws_requests_total", dimensions: call + [("outcome", "success")]) == 1)
        #expect(metrics.counterTotal(label: "envelopekit_aws_throttles_total", dimensions: call) == 1)
        #expect(metrics.counterTotal(label: "envelopekit_aws_retries_total", dimensions: call + [("reason", "ThrottlingException")]) == 1)
        #expect(metrics.counterTotal(label: "envelopekit_aws_retries_total", dimensions: call + [("reason", "KMSInternalException")]) == 1)
        #expect(try metrics.expectTimer("envelopekit_aws_request_duration", call + [("outcome", "success")]).values.count == 1)
        #expect(metrics.counterTotal(label: "envelopekit_credential_refreshes_total", dimensions: [("source", "explicit"), ("outcome", "success")]) == 1)

        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["KMS.DescribeKey"])
        #expect(spans.first?.string("aws.kms.key_id") == RetryTests.keyARN.description)
        #expect(spans.first?.int("http.response.status_code") == 200)
        #expect(!recordedText(of: spans).contains("secret-for-tests"))
    }

    @Test("a call that gives up counts once with the last error code as its outcome")
    func exhaustedOutcome() async throws {
        let server = try FaultServer(script: [.error(429, "ThrottlingException"), .error(429, "ThrottlingException")])
        defer { server.shutdown() }
        let metrics = TestMetrics()
        let kms = KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests")),
            http: AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.001, attemptTimeout: 120, overallDeadline: 600),
                                sleep: { _ in }, observability: EnvelopeObservability(labelPrefix: "x.", metricsFactory: metrics)))
        await #expect(throws: KMSError.self) { _ = try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(RetryTests.keyARN))) }
        let call = [("service", "KMS"), ("operation", "DescribeKey")]
        #expect(metrics.counterTotal(label: "x.aws_requests_total", dimensions: call + [("outcome", "ThrottlingException")]) == 1)
        #expect(metrics.counterTotal(label: "x.aws_throttles_total", dimensions: call) == 2)
        #expect(metrics.counterTotal(label: "x.aws_retries_total") == 1)
    }

    @Test("moto: metrics of a message round trip (KMS requests, credentials, messages) and the span tree")
    func motoRoundTrip() async throws {
        let moto = try await MotoFixture.shared.start()
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let observability = EnvelopeObservability(metricsFactory: metrics, tracer: tracer)
        func transport(_ id: String, _ secret: String) throws -> KMSHTTPTransport {
            KMSHTTPTransport(
                region: "us-east-1",
                endpoint: KMSEndpoint(url: URL(string: moto.endpoint)!, signingRegion: "us-east-1"),
                credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: id, secretAccessKey: secret)),
                http: AWSHTTPClient(retryPolicy: .none, observability: observability))
        }
        let kms = try transport(moto.allowedId, moto.allowedSecret)
        var client = EnvelopeClient()
        client.observability = observability
        let keyring = try KMSKeyring(keyARN: moto.key1, transport: kms)
        let plaintext = [UInt8](repeating: 0x5A, count: 5000)
        let encrypted = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["tenant": "moto"])
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: keyring).plaintext == plaintext)
        let denied = try transport(moto.deniedId, moto.deniedSecret)
        await #expect(throws: KMSError.self) {
            _ = try await denied.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(moto.key1), numberOfBytes: 32))
        }

        func requests(_ operation: String, _ outcome: String) -> Int64 {
            metrics.counterTotal(label: "envelopekit_aws_requests_total", dimensions: [("service", "KMS"), ("operation", operation), ("outcome", outcome)])
        }
        #expect(requests("GenerateDataKey", "success") == 1)
        #expect(requests("Decrypt", "success") == 1)
        #expect(requests("GenerateDataKey", "AccessDenied") == 1)  // moto's code (AWS: AccessDeniedException)
        #expect(metrics.timers(label: "envelopekit_aws_request_duration").count == 3)
        #expect(metrics.counterTotal(label: "envelopekit_credential_refreshes_total", dimensions: [("source", "explicit"), ("outcome", "success")]) == 2)
        #expect(metrics.counterTotal(label: "envelopekit_messages_total", dimensions: [("operation", "encrypt"), ("suite", "0x0578"), ("outcome", "success")]) == 1)
        #expect(metrics.counterTotal(label: "envelopekit_message_bytes_total", dimensions: [("operation", "encrypt"), ("suite", "0x0578"), ("outcome", "success")]) == 5000)
        #expect(metrics.counterTotal(label: "envelopekit_messages_total", dimensions: [("operation", "decrypt"), ("suite", "0x0578"), ("outcome", "success")]) == 1)

        let spans = tracer.finishedSpans
        let encrypt = try #require(spans.first { $0.operationName == "envelope.encrypt" })
        let generate = try #require(spans.first { $0.operationName == "KMS.GenerateDataKey" && $0.status == nil })
        #expect(generate.parentSpanID == encrypt.spanID)
        #expect(generate.string("aws.kms.key_id") == moto.key1.description)
        let text = recordedText(of: spans)
        #expect(!text.contains(moto.allowedSecret))
        #expect(!text.contains(hexString(plaintext.prefix(16))))
    }

    @Test("a DynamoDB JSON 1.0 call through the shared client: DynamoDB spans and metrics, described by the caller or from the wire")
    func dynamoDBCalls() async throws {
        let server = try FaultServer(script: [.json(200, "{}"), .error(400, "ConditionalCheckFailedException", "The conditional request failed")])
        defer { server.shutdown() }
        let metrics = TestMetrics(), tracer = InMemoryTracer()
        let http = AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 1, attemptTimeout: 120, overallDeadline: 600), sleep: { _ in },
                                 observability: EnvelopeObservability(metricsFactory: metrics, tracer: tracer))
        let credentials = StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests"))
        func send(_ method: String, call: AWSCallDescription?) async throws {
            let target = "DynamoDB_20120810.\(method)"
            _ = try await http.send(operation: target, url: server.url,
                                    headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", target)],
                                    body: Array(#"{"TableName":"branch-keys"}"#.utf8), signer: SigV4Signer(region: "eu-west-1", service: "dynamodb"),
                                    credentials: credentials, logger: StandardRetryTests.quiet, call: call)
        }
        // Described by the caller (as a DynamoDB client does), then from the target and the signer alone.
        try await send("GetItem", call: AWSCallDescription(service: "DynamoDB", method: "GetItem", region: "eu-west-1",
                                                           attributes: ["aws.dynamodb.table_names": "branch-keys"]))
        await #expect(throws: AWSCallError.self) { try await send("PutItem", call: nil) }

        let get = try #require(tracer.finishedSpans.first { $0.operationName == "DynamoDB.GetItem" })
        let put = try #require(tracer.finishedSpans.first { $0.operationName == "DynamoDB.PutItem" })
        for (span, method) in [(get, "GetItem"), (put, "PutItem")] {
            #expect(span.kind == .client)
            #expect(span.string("rpc.system") == "aws-api")
            #expect(span.string("rpc.service") == "DynamoDB")
            #expect(span.string("rpc.method") == method)
            #expect(span.string("aws.region") == "eu-west-1")
        }
        #expect(get.string("aws.dynamodb.table_names") == "branch-keys")
        #expect(put.string("error.type") == "ConditionalCheckFailedException")
        let service = ("service", "DynamoDB")
        #expect(metrics.counterTotal(label: "envelopekit_aws_requests_total", dimensions: [service, ("operation", "GetItem"), ("outcome", "success")]) == 1)
        #expect(metrics.counterTotal(label: "envelopekit_aws_requests_total",
                                     dimensions: [service, ("operation", "PutItem"), ("outcome", "ConditionalCheckFailedException")]) == 1)
        #expect(metrics.timers(label: "envelopekit_aws_request_duration").count == 2)
    }
}
