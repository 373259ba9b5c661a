import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

@Suite("Retries, deadlines and fault handling against a scripted server", .serialized)
struct RetryTests {
    static let keyARN = try! KMSKeyARN(parsing: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    static let describeOK = FaultServer.Behaviour.json(200, """
        {"KeyMetadata":{"AWSAccountId":"111122223333","KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab",\
        "Arn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",\
        "CreationDate":1.7E9,"Enabled":true,"KeyState":"Enabled","KeyUsage":"ENCRYPT_DECRYPT"}}
        """)

    func transport(_ server: FaultServer, _ policy: RetryPolicy, logger: Logger = Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() }) throws -> KMSHTTPTransport {
        KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests")),
            http: AWSHTTPClient(retryPolicy: policy),
            logger: logger)
    }

    func describe(_ kms: KMSHTTPTransport) async throws -> DescribeKeyResponse {
        try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(Self.keyARN)))
    }

    @Test("429 ThrottlingException, 500 and 503 are retried until success; each attempt is logged")
    func retriesThrottlingAndServerErrors() async throws {
        let server = try FaultServer(script: [
            .error(429, "ThrottlingException", "Rate exceeded"), .answer(status: 500, headers: [], body: ""),
            .error(503, "com.amazonaws.kms#KMSInternalException"), Self.describeOK,
        ])
        defer { server.shutdown() }
        let logs = LogRecorder()
        // Generous limits: on a loaded machine (TSan) the default 30 s overall deadline was reached after the first attempt.
        let kms = try transport(server, RetryPolicy(maxAttempts: 4, baseDelay: 0.001, maxBackoff: 0.01, attemptTimeout: 120, overallDeadline: 600), logger: logs.logger())
        let response = try await describe(kms)
        #expect(response.keyMetadata.arn == Self.keyARN)
        #expect(server.requestCount == 4)
        #expect(server.receivedTargets.allSatisfy { $0 == "TrentService.DescribeKey" })
        #expect(logs.messages.filter { $0 == "AWS attempt failed, retrying" }.count == 3)
        #expect(logs.messages.filter { $0 == "AWS attempt succeeded" }.count == 1)
        #expect(logs.text.contains("ThrottlingException"))
        #expect(logs.text.contains("KMSInternalException"))
        #expect(!logs.text.contains("secret-for-tests"))
    }

    @Test("a reset connection is retried")
    func retriesConnectionReset() async throws {
        let server = try FaultServer(script: [.reset, Self.describeOK])
        defer { server.shutdown() }
        let response = try await describe(try transport(server, RetryPolicy(maxAttempts: 3, baseDelay: 0.001)))
        #expect(response.keyMetadata.arn == Self.keyARN)
        #expect(server.requestCount == 2)
    }

    @Test("a stalled attempt times out and is retried")
    func retriesStall() async throws {
        let server = try FaultServer(script: [.stall, Self.describeOK])
        defer { server.shutdown() }
        // The timeout is generous so that the second (answered) attempt never times out on a
        // loaded machine while the whole suite runs in parallel.
        let response = try await describe(try transport(server, RetryPolicy(maxAttempts: 3, baseDelay: 0.001, attemptTimeout: 2)))
        #expect(response.keyMetadata.arn == Self.keyARN)
        #expect(server.requestCount == 2)
    }

    @Test("after maxAttempts the last service error surfaces")
    func attemptsExhausted() async throws {
        let server = try FaultServer(script: [.error(500, "InternalFailure"), .error(503, "ServiceUnavailable", "try later")])
        defer { server.shutdown() }
        let error = try await #require(throws: KMSError.self) {
            try await describe(try transport(server, RetryPolicy(maxAttempts: 3, baseDelay: 0.001)))
        }
        #expect(error.code.rawValue == "ServiceUnavailable")
        #expect(error.message == "try later")
        #expect(error.httpStatus == 503)
        #expect(server.requestCount == 3)
    }

    @Test("the overall deadline stops retries and surfaces the last (timeout) error")
    func deadline() async throws {
        let server = try FaultServer(script: [.stall])
        defer { server.shutdown() }
        let policy = RetryPolicy(maxAttempts: 1000, baseDelay: 0.001, maxBackoff: 0.01, attemptTimeout: 0.3, overallDeadline: 1.0)
        let error = try await #require(throws: AWSTransportError.self) { try await describe(try transport(server, policy)) }
        #expect(error.stopReason == .deadlineReached)
        #expect(error.transportFailureKind == .timeout)
        #expect(error.url == server.url.absoluteString)
        #expect(error.attempts >= 1 && error.attempts < 1000)
        #expect(server.requestCount == error.attempts)
    }

    @Test("4xx client errors are never retried", arguments: [
        ("ValidationException", 400), ("AccessDeniedException", 400), ("NotFoundException", 400),
        ("IncorrectKeyException", 400), ("UnrecognizedClientException", 400),
    ])
    func clientErrorsNotRetried(_ error: (String, Int)) async throws {
        let server = try FaultServer(script: [.error(error.1, error.0), Self.describeOK])
        defer { server.shutdown() }
        let thrown = try await #require(throws: KMSError.self) {
            try await describe(try transport(server, RetryPolicy(maxAttempts: 5, baseDelay: 0.001)))
        }
        #expect(thrown.code.rawValue == error.0)
        #expect(server.requestCount == 1)
    }

    @Test("connection refused is retried and then surfaces as a network error")
    func connectionRefused() async throws {
        let server = try FaultServer(script: [Self.describeOK])
        let url = server.url
        server.shutdown()
        let kms = KMSHTTPTransport(
            region: "us-east-1", endpoint: KMSEndpoint(url: url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "s")),
            http: AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.001, attemptTimeout: 0.5, overallDeadline: 600)))
        let error = try await #require(throws: AWSTransportError.self) { try await describe(kms) }
        #expect(error.transportFailureKind == .connect)
        #expect(error.attempts == 2)
        #expect(error.stopReason == .attemptsExhausted)
    }

    @Test("sequential calls reuse one pooled connection")
    func connectionReuse() async throws {
        let server = try FaultServer(script: [Self.describeOK])
        defer { server.shutdown() }
        let kms = try transport(server, RetryPolicy(maxAttempts: 1))
        for _ in 0..<5 { _ = try await describe(kms) }
        #expect(server.requestCount == 5)
        #expect(server.connectionCount == 1)
    }

    @Test("the backoff is full jitter, capped and exponential")
    func backoffBounds() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.1, maxBackoff: 1.0)
        #expect(policy.backoff(afterAttempt: 1) { $0.upperBound } == 0.1)
        #expect(policy.backoff(afterAttempt: 3) { $0.upperBound } == 0.4)
        #expect(policy.backoff(afterAttempt: 8) { $0.upperBound } == 1.0)
        #expect(policy.backoff(afterAttempt: 8) { $0.lowerBound } == 0)
    }
}
