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

    /// A transport on `AWSHTTPClient.forTests`: backoffs recorded by `sleeper`, the overall deadline on
    /// its clock (frozen unless the sleeper's attempt cost moves it). Only the attempt timeout is
    /// real time, and the policies below keep it a generous guard unless the test is about it.
    func transport(_ server: FaultServer, _ policy: RetryPolicy, sleeper: SleepRecorder = SleepRecorder(),
                   logger: Logger = Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() }) throws -> KMSHTTPTransport {
        try transport(server.url, policy, sleeper: sleeper, logger: logger)
    }

    func transport(_ url: URL, _ policy: RetryPolicy, sleeper: SleepRecorder = SleepRecorder(),
                   logger: Logger = Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() }) throws -> KMSHTTPTransport {
        KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests")),
            http: AWSHTTPClient.forTests(policy, sleeper: sleeper),
            logger: logger)
    }

    /// `attempts` attempts with a generous attempt timeout (a guard against a hung server, never
    /// reached by an answered request however slow the machine).
    static func patient(_ attempts: Int) -> RetryPolicy {
        RetryPolicy(maxAttempts: attempts, baseDelay: 0.001, maxBackoff: 0.01, attemptTimeout: 120)
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
        // The overall deadline (30 s by default) runs on the frozen test clock: a loaded machine
        // (TSan) used to reach it on the real clock after the first attempt.
        let kms = try transport(server, Self.patient(4), logger: logs.logger())
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
        let response = try await describe(try transport(server, Self.patient(3)))
        #expect(response.keyMetadata.arn == Self.keyARN)
        #expect(server.requestCount == 2)
    }

    @Test("a stalled attempt times out and is retried")
    func retriesStall() async throws {
        let server = try FaultServer(script: [.stall, Self.describeOK])
        defer { server.shutdown() }
        // The attempt timeout is real time (the stall needs it). Attempts that a slow machine lets
        // time out too are simply retried (the script answers every request after the stall), so
        // the test holds at any speed: the call succeeds after the stalled attempt, in 2 attempts or more.
        var policy = Self.patient(10)
        policy.attemptTimeout = 1
        let response = try await describe(try transport(server, policy))
        #expect(response.keyMetadata.arn == Self.keyARN)
        #expect(server.requestCount >= 2)
    }

    @Test("after maxAttempts the last service error surfaces")
    func attemptsExhausted() async throws {
        let server = try FaultServer(script: [.error(500, "InternalFailure"), .error(503, "ServiceUnavailable", "try later")])
        defer { server.shutdown() }
        let error = try await #require(throws: KMSError.self) {
            try await describe(try transport(server, Self.patient(3)))
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
        // The deadline is measured on the test clock, which each failed attempt moves by 4 s: attempts
        // start at 0, 4 and 8 s of a 10 s deadline, so exactly 3 fit, however long each really took.
        // (Each stalled attempt really lasts its 0.3 s attempt timeout.)
        let sleeper = SleepRecorder(attemptCost: 4)
        let policy = RetryPolicy(maxAttempts: 1000, baseDelay: 0.001, maxBackoff: 0.01, attemptTimeout: 0.3, overallDeadline: 10)
        let error = try await #require(throws: AWSTransportError.self) { try await describe(try transport(server, policy, sleeper: sleeper)) }
        #expect(error.stopReason == .deadlineReached)
        #expect(error.transportFailureKind == .timeout)
        #expect(error.url == server.url.absoluteString)
        #expect(error.attempts == 3)
        #expect(sleeper.delays.count == 3)
        // A request the 0.3 s timeout overtook on a slow machine never reached the server.
        #expect((1...3).contains(server.requestCount))
    }

    @Test("4xx client errors are never retried", arguments: [
        ("ValidationException", 400), ("AccessDeniedException", 400), ("NotFoundException", 400),
        ("IncorrectKeyException", 400), ("UnrecognizedClientException", 400),
    ])
    func clientErrorsNotRetried(_ error: (String, Int)) async throws {
        let server = try FaultServer(script: [.error(error.1, error.0), Self.describeOK])
        defer { server.shutdown() }
        let thrown = try await #require(throws: KMSError.self) {
            try await describe(try transport(server, Self.patient(5)))
        }
        #expect(thrown.code.rawValue == error.0)
        #expect(server.requestCount == 1)
    }

    @Test("connection refused is retried and then surfaces as a network error")
    func connectionRefused() async throws {
        let server = try FaultServer(script: [Self.describeOK])
        let url = server.url
        server.shutdown()
        // A refused connect is a connect error whatever it costs; the generous timeouts keep a slow
        // machine from turning it into a timeout.
        var policy = Self.patient(2)
        policy.connectTimeout = 60
        let error = try await #require(throws: AWSTransportError.self) { try await describe(try transport(url, policy)) }
        #expect(error.transportFailureKind == .connect)
        #expect(error.attempts == 2)
        #expect(error.stopReason == .attemptsExhausted)
    }

    @Test("sequential calls reuse one pooled connection")
    func connectionReuse() async throws {
        let server = try FaultServer(script: [Self.describeOK])
        defer { server.shutdown() }
        let kms = try transport(server, Self.patient(1))
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
