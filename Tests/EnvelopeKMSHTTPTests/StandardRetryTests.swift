import EnvelopeCore
import EnvelopeKMS
import EnvelopeTestSupport
@testable import EnvelopeKMSHTTP
import Foundation
import Logging
import NIOHTTP1
import Testing

/// The AWS SDKs' "standard" retry mode: attempts, quota, backoff bounds, what is never retried,
/// clock-skew correction, and the fate of an unreachable endpoint.
///
/// AWS SDKs and Tools reference guide, "Retry behavior":
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
/// (standard mode: 3 attempts by default, `AWS_MAX_ATTEMPTS` / `max_attempts`, retry quota,
/// jittered exponential backoff; the 500/5/10 token bucket and the 20 s cap as the AWS SDKs set them).
@Suite("Standard retry mode against scripted loopback servers", .serialized)
struct StandardRetryTests {
    static let describeOK = RetryTests.describeOK
    static let quiet = Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() }

    func kms(_ url: URL, _ http: AWSHTTPClient) throws -> KMSHTTPTransport {
        KMSHTTPTransport(
            region: "us-east-1", endpoint: KMSEndpoint(url: url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret-for-tests")),
            http: http, logger: Self.quiet)
    }

    func describe(_ kms: KMSHTTPTransport) async throws -> DescribeKeyResponse {
        try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(RetryTests.keyARN)))
    }

    /// `AWSHTTPClient.forTests`: recorded backoffs at their ceilings, the overall deadline on a clock
    /// that only the backoffs move. The attempt timeout is a generous guard: a loaded machine
    /// (parallel suites, TSan) must not reach it in tests about something else.
    func client(_ policy: RetryPolicy, quota: RetryQuota = RetryQuota(), sleeper: SleepRecorder, now: (@Sendable () -> Date)? = nil) -> AWSHTTPClient {
        var policy = policy
        policy.attemptTimeout = 120
        return AWSHTTPClient.forTests(policy, quota: quota, sleeper: sleeper, now: now)
    }

    @Test("max_attempts bounds the attempts, and each backoff is the capped exponential ceiling with full jitter", arguments: [1, 2, 3, 5])
    func attemptsAndBackoff(_ maxAttempts: Int) async throws {
        let server = try FaultServer(script: [.error(500, "InternalFailure")])
        defer { server.shutdown() }
        let sleeper = SleepRecorder()
        let policy = RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.1, maxBackoff: 0.25)
        let error = try await #require(throws: KMSError.self) { try await describe(try kms(server.url, client(policy, sleeper: sleeper))) }
        #expect(error.code.rawValue == "InternalFailure")
        #expect(server.requestCount == maxAttempts)
        #expect(sleeper.delays == Array([0.1, 0.2, 0.25, 0.25].prefix(maxAttempts - 1)))
    }

    @Test("the jitter is full: a backoff is anywhere in 0 … ceiling, and the ceiling is 20 s in the defaults")
    func jitterBounds() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 3 && policy.maxBackoff == 20)
        var draws: [ClosedRange<Double>] = []
        for attempt in 1...12 {
            _ = policy.backoff(afterAttempt: attempt) { range in draws.append(range); return range.lowerBound }
        }
        #expect(draws.allSatisfy { $0.lowerBound == 0 })
        #expect(draws.map(\.upperBound).max() == 20)
        // A jitter source that misbehaves (beyond the range) is clamped to the ceiling.
        #expect(policy.backoff(afterAttempt: 30) { _ in 1e9 } == 20)
        // A seeded source gives reproducible delays inside the bounds.
        var generator = SeededGenerator(seed: 42)
        for attempt in 1...10 {
            let delay = policy.backoff(afterAttempt: attempt) { Double.random(in: $0, using: &generator) }
            #expect(delay >= 0 && delay <= min(20, 0.1 * pow(2, Double(attempt - 1))))
        }
    }

    @Test("AWS_MAX_ATTEMPTS beats max_attempts; invalid values and unknown retry modes are configuration errors")
    func maxAttemptsConfiguration() throws {
        let box = try ConfigBox("[default]\nmax_attempts = 7\nretry_mode = adaptive\n")
        #expect(try RetryPolicy.configured(box.config()).maxAttempts == 7)
        #expect(try RetryPolicy.configured(box.config(["AWS_MAX_ATTEMPTS": "2"])).maxAttempts == 2)
        #expect(try RetryPolicy.configured(ConfigBox("").config()).maxAttempts == 3)
        let zero = try #require(throws: AWSConfigurationError.self) { try RetryPolicy.configured(box.config(["AWS_MAX_ATTEMPTS": "0"])) }
        #expect(zero.setting == "AWS_MAX_ATTEMPTS")
        let mode = try #require(throws: AWSConfigurationError.self) { try RetryPolicy.configured(box.config(["AWS_RETRY_MODE": "eager"])) }
        #expect(mode.setting == "AWS_RETRY_MODE")
        #expect(try RetryPolicy.configured(box.config(["AWS_RETRY_MODE": "legacy"])).maxAttempts == 7)
    }

    @Test("an empty retry quota stops retrying: 5 tokens per retry, 10 after a connection failure")
    func quotaExhaustion() async throws {
        let server = try FaultServer(script: [.error(503, "ServiceUnavailable")])
        defer { server.shutdown() }
        let quota = RetryQuota(capacity: 12)
        let http = client(RetryPolicy(maxAttempts: 10), quota: quota, sleeper: SleepRecorder())
        let error = try await #require(throws: KMSError.self) { try await describe(try kms(server.url, http)) }
        #expect(error.httpStatus == 503)
        #expect(server.requestCount == 3, "12 tokens pay two retries of 5")
        #expect(quota.available == 2)

        let closed = try closedPortURL()
        let refused = RetryQuota(capacity: 15)
        let failure = try await #require(throws: AWSTransportError.self) {
            try await describe(try kms(closed, client(RetryPolicy(maxAttempts: 10), quota: refused, sleeper: SleepRecorder())))
        }
        #expect(failure.stopReason == .retryQuotaExhausted)
        #expect(failure.attempts == 2, "15 tokens pay one retry of 10")
        #expect(refused.available == 5)
    }

    @Test("a success after retries gives the retry's cost back; a first-attempt success adds 1, up to the capacity")
    func quotaRefund() async throws {
        let server = try FaultServer(script: [.error(500, "InternalFailure"), Self.describeOK])
        defer { server.shutdown() }
        let quota = RetryQuota(capacity: 500)
        let transport = try kms(server.url, client(RetryPolicy(), quota: quota, sleeper: SleepRecorder()))
        _ = try await describe(transport)
        #expect(quota.available == 500)
        _ = quota.acquire(afterTimeout: true)
        #expect(quota.available == 490)
        _ = try await describe(transport)
        #expect(quota.available == 491)
    }

    @Test("LimitExceededException is a quota, not a transient fault: never retried")
    func limitExceededNotRetried() async throws {
        let server = try FaultServer(script: [.error(400, "LimitExceededException", "too many grants"), Self.describeOK])
        defer { server.shutdown() }
        let error = try await #require(throws: KMSError.self) {
            try await describe(try kms(server.url, client(RetryPolicy(maxAttempts: 5), sleeper: SleepRecorder())))
        }
        #expect(error.code == .limitExceeded)
        #expect(!error.isRetryable)
        #expect(server.requestCount == 1)
    }

    @Test("a TLS failure is never retried and names the URL (https spoken to a plain-HTTP server)")
    func tlsNotRetried() async throws {
        let server = try FaultServer(script: [Self.describeOK])
        defer { server.shutdown() }
        let https = try #require(URL(string: "https://127.0.0.1:\(server.url.port!)"))
        let error = try await #require(throws: AWSTransportError.self) {
            try await describe(try kms(https, client(RetryPolicy(maxAttempts: 5), sleeper: SleepRecorder())))
        }
        #expect(error.transportFailureKind == .tls)
        #expect(error.stopReason == .notRetryable)
        #expect(error.attempts == 1)
        #expect(error.url == https.absoluteString)
        #expect(server.connectionCount == 1)
    }

    @Test("a certificate that is not trusted (self-signed) is a TLS failure: not retried, URL named")
    func untrustedCertificateNotRetried() async throws {
        let server = try SelfSignedTLSServer()
        defer { server.stop() }
        let error = try await #require(throws: AWSTransportError.self) {
            try await describe(try kms(server.url, client(RetryPolicy(maxAttempts: 5), sleeper: SleepRecorder())))
        }
        #expect(error.transportFailureKind == .tls)
        #expect(error.stopReason == .notRetryable && error.attempts == 1)
        #expect(error.url == server.url.absoluteString)
        #expect(error.description.contains("TLS with \(server.url.absoluteString) failed"))
        #expect(try server.connectionCount() == 1)
    }

    /// A KMS fake whose clock is the real one while the client's runs an hour slow: it refuses a
    /// request signed more than 5 minutes off with `InvalidSignatureException` "Signature expired"
    /// and its `Date` (as KMS does), and answers a request signed at its own time.
    static func skewCheckingServer(serverNow: @escaping @Sendable () -> Date = { Date() }) throws -> FaultServer {
        try FaultServer(script: [.decide { headers in
            let amzDate = headers["X-Amz-Date"].first ?? ""
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let now = serverNow()
            if let signed = formatter.date(from: amzDate), abs(signed.timeIntervalSince(now)) < 300 { return describeOK }
            return .json(400, #"{"__type":"InvalidSignatureException","message":"Signature expired: \#(amzDate) is now earlier than the allowed window"}"#,
                         headers: [("Date", httpDate(now))])
        }])
    }

    @Test("a clock-skew error corrects the signing clock from the answer's Date and retries once")
    func clockSkewCorrected() async throws {
        let server = try Self.skewCheckingServer()
        defer { server.shutdown() }
        let sleeper = SleepRecorder()
        let http = client(RetryPolicy(maxAttempts: 1), sleeper: sleeper, now: { Date().addingTimeInterval(-3600) })
        let transport = try kms(server.url, http)
        let response = try await describe(transport)
        #expect(response.keyMetadata.arn == RetryTests.keyARN)
        #expect(server.requestCount == 2, "one refused, one retried with the corrected clock, even with max_attempts 1")
        #expect(abs(http.clockSkew.offset - 3600) < 60)
        #expect(sleeper.delays.isEmpty, "the skew retry does not back off")
        _ = try await describe(transport)
        #expect(server.requestCount == 3, "later calls sign with the corrected clock at once")
    }

    @Test("InvalidSignatureException with a Date that agrees with the clock is a bad signature: not retried")
    func badSignatureNotRetried() async throws {
        // The fake refuses every signature but sends a Date that agrees with our clock.
        let server = try FaultServer(script: [.json(400, #"{"__type":"InvalidSignatureException","message":"bad"}"#,
                                                    headers: [("Date", Self.httpDate(Date()))])])
        defer { server.shutdown() }
        let error = try await #require(throws: KMSError.self) {
            try await describe(try kms(server.url, client(RetryPolicy(maxAttempts: 3), sleeper: SleepRecorder())))
        }
        #expect(error.code.rawValue == "InvalidSignatureException")
        #expect(server.requestCount == 1)
    }

    @Test("an unreachable endpoint fails after its attempts as a typed connect error with the URL")
    func unreachable() async throws {
        let url = try closedPortURL()
        let policy = RetryPolicy(maxAttempts: 3, connectTimeout: 60)
        let sleeper = SleepRecorder()
        let error = try await #require(throws: AWSTransportError.self) {
            try await describe(try kms(url, client(policy, sleeper: sleeper)))
        }
        #expect(error.transportFailureKind == .connect)
        #expect(error.url == url.absoluteString)
        #expect(error.attempts == 3 && error.stopReason == .attemptsExhausted)
        #expect(error.description.contains("could not connect to \(url.absoluteString)"))
        // Three refused connects and two recorded backoffs: nothing waited for the 120 s attempt
        // timeout. (How long a refused connect takes is the machine's business, not asserted.)
        #expect(sleeper.delays.count == 2)
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE',' dd MMM yyyy HH':'mm':'ss 'GMT'"
        return formatter.string(from: date)
    }
}

/// A URL on 127.0.0.1 whose port was just closed.
func closedPortURL() throws -> URL {
    URL(string: "http://127.0.0.1:\(try closedLoopbackPort())")!
}

/// SplitMix64: a seeded generator for reproducible jitter.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A temporary `~/.aws/config` and the environment pointing at it.
struct ConfigBox {
    let directory: URL

    init(_ config: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("awsconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: directory.appendingPathComponent("config"))
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": directory.path, "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path,
         "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path].merging(extra) { $1 }
    }

    func config(_ extra: [String: String] = [:], profile: String? = nil) -> AWSSharedConfig {
        AWSSharedConfig(profile: profile, environment: environment(extra))
    }
}

/// `KMSHTTPTransport.standard` wires the settings end to end: the endpoint from a `[services]`
/// section and `max_attempts` from the profile reach a loopback fake.
@Suite("KMSHTTPTransport.standard: configured endpoint and max_attempts reach the wire", .serialized)
struct StandardTransportConfigurationTests {
    @Test("[services] kms.endpoint_url and max_attempts = 2 from the profile; AWS_MAX_ATTEMPTS overrides")
    func endToEnd() async throws {
        let server = try FaultServer(script: [.error(500, "InternalFailure")])
        defer { server.shutdown() }
        let box = try ConfigBox("""
            [profile dev]
            region = us-east-1
            max_attempts = 2
            services = fake
            aws_access_key_id = AKIDTEST
            aws_secret_access_key = secret-for-tests

            [services fake]
            kms =
              endpoint_url = \(server.url.absoluteString)
            """)
        let transport = try KMSHTTPTransport.standard(profile: "dev", environment: box.environment())
        #expect(transport.endpoint.url == server.url)
        #expect(transport.http.retryPolicy.maxAttempts == 2)
        _ = try await #require(throws: KMSError.self) { try await transport.describeKey(DescribeKeyRequest(keyId: .keyARN(RetryTests.keyARN))) }
        // The request reached the [services] endpoint; the exact count is pinned with an injected
        // sleeper in `attemptsAndBackoff` (here the real clock and the 30 s overall deadline apply,
        // which a heavily loaded machine can reach before the second attempt).
        #expect((1...2).contains(server.requestCount))
        let overridden = try KMSHTTPTransport.standard(profile: "dev", environment: box.environment(["AWS_MAX_ATTEMPTS": "5"]))
        #expect(overridden.http.retryPolicy.maxAttempts == 5)
    }
}
