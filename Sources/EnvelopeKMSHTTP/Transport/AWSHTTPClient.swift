import AsyncHTTPClient
import EnvelopeCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A response as read from the wire.
public struct AWSHTTPResponse: Sendable {
    /// HTTP status code.
    public let status: Int
    /// Response headers.
    public let headers: [(name: String, value: String)]
    /// The complete body.
    public let body: [UInt8]
}

/// Sends signed AWS requests over AsyncHTTPClient (pooled, reused connections) with retries as
/// the AWS SDKs' standard mode: ``RetryPolicy`` (attempts, capped full-jitter backoff, timeouts),
/// a ``RetryQuota`` shared by the client's calls, and clock-skew correction (``ClockSkew``).
///
/// Used by the KMS transport and by STS. Every attempt's outcome is logged on the caller's logger
/// (debug for failures and retries, trace for successes); credentials never are.
public struct AWSHTTPClient: Sendable {
    /// The AsyncHTTPClient used (default: one shared per connect timeout, that fails a request at
    /// once when its connection cannot be opened, so that the retry policy alone decides).
    public let httpClient: HTTPClient
    /// The retry policy applied to each call.
    public let retryPolicy: RetryPolicy
    /// Largest accepted response body.
    public let maxResponseBytes: Int
    /// The retry quota shared by every call (and every copy) of this client.
    public let retryQuota: RetryQuota
    /// The signing clock's learnt offset, shared like the quota.
    public let clockSkew: ClockSkew
    let sleep: @Sendable (TimeInterval) async throws -> Void
    let jitter: @Sendable (ClosedRange<Double>) -> Double
    let now: @Sendable () -> Date
    /// Where calls (and the transport's credential refreshes) report metrics and spans.
    public let observability: EnvelopeObservability
    /// `observability` resolved; nil when nothing is bootstrapped.
    let telemetry: EnvelopeTelemetry?

    /// Creates a client; `httpClient` (if given) stays the caller's to shut down. Each call reports
    /// metrics and a span to `observability` (default: the bootstrapped backends).
    public init(httpClient: HTTPClient? = nil, retryPolicy: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 1 << 20, retryQuota: RetryQuota = RetryQuota(),
                observability: EnvelopeObservability = .default) {
        self.init(
            httpClient: httpClient, retryPolicy: retryPolicy, maxResponseBytes: maxResponseBytes, retryQuota: retryQuota,
            sleep: { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000)) },
            jitter: { Double.random(in: $0) }, now: { Date() }, observability: observability)
    }

    /// A client with an injected sleeper, jitter source and clock (tests: no real waiting, exact backoffs).
    init(
        httpClient: HTTPClient? = nil, retryPolicy: RetryPolicy, maxResponseBytes: Int = 1 << 20, retryQuota: RetryQuota = RetryQuota(),
        clockSkew: ClockSkew = ClockSkew(),
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void,
        jitter: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
        now: @escaping @Sendable () -> Date = { Date() },
        observability: EnvelopeObservability = .default
    ) {
        self.observability = observability
        self.telemetry = EnvelopeTelemetry(observability)
        self.httpClient = httpClient ?? Self.sharedHTTPClient(connectTimeout: retryPolicy.connectTimeout)
        self.retryPolicy = retryPolicy
        self.maxResponseBytes = maxResponseBytes
        self.retryQuota = retryQuota
        self.clockSkew = clockSkew
        self.sleep = sleep
        self.jitter = jitter
        self.now = now
    }

    /// Signs (freshly on every attempt) and sends `POST url` with `headers` and `body`; returns the
    /// first 2xx response, or throws `AWSCallError` with the last failure.
    ///
    /// The call is one span (`call`'s service and method, e.g. `KMS.GenerateDataKey` or
    /// `DynamoDB.GetItem`, a child of the caller's task's context) and counts in the request,
    /// latency, retry and throttle metrics under `call`'s service and method: nothing here is
    /// specific to KMS. Without `call` it is described from the signer's service name and the
    /// method in `operation` (see ``AWSCallDescription``).
    public func send(
        operation: String,
        url: URL,
        headers: [(name: String, value: String)],
        body: [UInt8],
        signer: SigV4Signer,
        credentials: any AWSCredentialsProvider,
        logger: Logger,
        call: AWSCallDescription? = nil
    ) async throws -> AWSHTTPResponse {
        guard let telemetry else {
            return try await sendAttempts(operation: operation, url: url, headers: headers, body: body, signer: signer,
                                          credentials: credentials, logger: logger, recorder: nil)
        }
        let described = call ?? AWSCallDescription(operation: operation, signer: signer)
        let recorder = AWSCallRecorder(telemetry: telemetry, call: described)
        let start = ContinuousClock.now
        do {
            let response = try await telemetry.withSpan(described.spanName, kind: .client, attributes: described.spanAttributes) { span in
                let response = try await sendAttempts(operation: operation, url: url, headers: headers, body: body, signer: signer,
                                                      credentials: credentials, logger: logger, recorder: recorder)
                span?.attributes["http.response.status_code"] = response.status
                return response
            }
            recorder.finished(outcome: "success", since: start)
            return response
        } catch {
            recorder.finished(outcome: EnvelopeObservability.outcome(of: error), since: start)
            throw error
        }
    }

    private func sendAttempts(
        operation: String,
        url: URL,
        headers: [(name: String, value: String)],
        body: [UInt8],
        signer: SigV4Signer,
        credentials: any AWSCredentialsProvider,
        logger: Logger,
        recorder: AWSCallRecorder?
    ) async throws -> AWSHTTPResponse {
        let urlText = url.absoluteString
        let deadline = now().addingTimeInterval(retryPolicy.overallDeadline)
        var attempt = 0
        var skewRetried = false
        var lastRetryCost: Int?
        var lastFailure: AWSCallError.Failure = .transport(AWSTransportError(operation: operation, url: urlText, detail: .timeout(seconds: 0)))
        func stop(_ reason: AWSRetryStopReason, attempts: Int) -> AWSCallError {
            var failure = lastFailure
            if case .transport(let error) = failure { failure = .transport(error.after(attempts: attempts, stopReason: reason)) }
            return AWSCallError(operation: operation, url: urlText, failure: failure, attempts: attempts, stopReason: reason)
        }
        while true {
            attempt += 1
            let remaining = deadline.timeIntervalSince(now())
            if remaining <= 0 { throw stop(.deadlineReached, attempts: attempt - 1) }
            let creds: AWSCredentials
            do {
                creds = try await credentials.credentials(logger: logger)
            } catch let error as AWSCredentialsError {
                lastFailure = .credentials(error)
                throw stop(.notRetryable, attempts: attempt - 1)
            } catch let error as AWSCallError {
                // A provider that calls AWS itself (STS) and did not wrap its failure.
                lastFailure = .credentials(AWSCredentialsError(.assumeRoleFailed, error.description))
                throw stop(.notRetryable, attempts: attempt - 1)
            }
            var metadata: Logger.Metadata = [
                "aws.operation": "\(operation)", "aws.attempt": "\(attempt)", "aws.endpoint": "\(url.host ?? "")",
            ]
            let timeout = min(retryPolicy.attemptTimeout, remaining)
            let retryable: Bool
            var costsLikeTimeout = false
            do {
                let response = try await attemptOnce(
                    url: url, headers: headers, body: body, signer: signer, credentials: creds,
                    date: clockSkew.signingDate(now: now()), timeout: timeout)
                metadata["http.status"] = "\(response.status)"
                if (200..<300).contains(response.status) {
                    logger.trace("AWS attempt succeeded", metadata: metadata)
                    retryQuota.succeeded(lastRetryCost: lastRetryCost)
                    return response
                }
                let error = AWSErrorResponse.decode(status: response.status, headers: response.headers, body: response.body)
                metadata["aws.error"] = "\(error.code)"
                lastFailure = .service(error)
                if AWSErrorResponse.throttlingCodes.contains(error.code) || error.status == 429 { recorder?.throttled() }
                if !skewRetried, clockSkew.correct(code: error.code, headers: response.headers, now: now()) {
                    // The signing clock was off: retry once at once with the corrected clock; this
                    // extra attempt costs neither an attempt of the policy nor the quota.
                    skewRetried = true
                    attempt -= 1
                    metadata["aws.clock_offset_s"] = "\(Int(clockSkew.offset))"
                    logger.debug("AWS attempt failed on clock skew, retrying with the corrected clock", metadata: metadata)
                    continue
                }
                retryable = error.isRetryable
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let failure = Self.classify(error, operation: operation, url: urlText, timeout: timeout)
                metadata["aws.error"] = "\(failure.transportFailureKind.rawValue)"
                lastFailure = .transport(failure)
                switch failure.detail {
                case .connect, .timeout: retryable = true; costsLikeTimeout = true
                case .tls, .malformedResponse: retryable = false
                }
            }
            guard retryable else {
                logger.debug("AWS attempt failed, not retryable", metadata: metadata)
                throw stop(.notRetryable, attempts: attempt)
            }
            guard attempt < retryPolicy.maxAttempts else {
                logger.debug("AWS attempt failed, no attempts left", metadata: metadata)
                throw stop(.attemptsExhausted, attempts: attempt)
            }
            if retryPolicy.usesRetryQuota {
                guard let cost = retryQuota.acquire(afterTimeout: costsLikeTimeout) else {
                    logger.debug("AWS attempt failed, retry quota exhausted", metadata: metadata)
                    throw stop(.retryQuotaExhausted, attempts: attempt)
                }
                lastRetryCost = cost
            }
            let delay = retryPolicy.backoff(afterAttempt: attempt, random: jitter)
            if now().addingTimeInterval(delay) >= deadline {
                logger.debug("AWS attempt failed, overall deadline reached", metadata: metadata)
                throw stop(.deadlineReached, attempts: attempt)
            }
            metadata["aws.backoff_ms"] = "\(Int(delay * 1000))"
            recorder?.retrying(after: metadata["aws.error"].map { "\($0)" } ?? "unknown")
            logger.debug("AWS attempt failed, retrying", metadata: metadata)
            try await sleep(delay)
        }
    }

    func attemptOnce(
        url: URL,
        headers: [(name: String, value: String)],
        body: [UInt8],
        signer: SigV4Signer,
        credentials: AWSCredentials,
        date: Date,
        timeout: TimeInterval
    ) async throws -> AWSHTTPResponse {
        guard let host = url.host else { throw HTTPClientError.emptyHost }
        var hostHeader = host
        if let port = url.port, !((url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80)) {
            hostHeader += ":\(port)"
        }
        let path = url.path.isEmpty ? "/" : url.path
        var toSign = SigV4Request(method: "POST", path: path, headers: [("Host", hostHeader)] + headers, body: body)
        _ = try signer.sign(&toSign, credentials: credentials, date: date)

        let signedHeaders = toSign.headers
        let urlString = url.absoluteString
        let nanos = Int64(min(timeout, 86_400) * 1_000_000_000)
        let maxBytes = maxResponseBytes
        let client = httpClient
        return try await withThrowingTaskGroup(of: AWSHTTPResponse?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: urlString)
                request.method = .POST
                for header in signedHeaders { request.headers.add(name: header.name, value: header.value) }
                request.headers.add(name: "User-Agent", value: "EnvelopeKit/1.0 (swift; AsyncHTTPClient)")
                request.body = .bytes(body)
                let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanos))
                let buffer = try await response.body.collect(upTo: maxBytes)
                return AWSHTTPResponse(
                    status: Int(response.status.code),
                    headers: response.headers.map { ($0.name, $0.value) },
                    body: Array(buffer.readableBytesView))
            }
            group.addTask {
                // Belt and braces: the attempt ends at its timeout even if the body stalls.
                try await Task.sleep(nanoseconds: UInt64(nanos) + 50_000_000)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return response
        }
    }

    /// What an error of the HTTP stack means for the call: could not connect (refused, reset,
    /// unreachable), timed out, TLS failed, or the answer was not HTTP. By type, never by text.
    static func classify(_ error: any Error, operation: String, url: String, timeout: TimeInterval) -> AWSTransportError {
        let detail: AWSTransportError.Detail
        if let http = error as? HTTPClientError {
            switch http {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                detail = .timeout(seconds: timeout)
            default:
                detail = .connect(underlying: http)
            }
        } else if isTLSError(error) {
            detail = .tls(underlying: error)
        } else if error is HTTPParserError {
            detail = .malformedResponse(status: 0, what: "is not HTTP")
        } else if error is NIOTooManyBytesError {
            detail = .malformedResponse(status: 0, what: "is larger than the accepted maximum")
        } else {
            detail = .connect(underlying: error)
        }
        return AWSTransportError(operation: operation, url: url, detail: detail)
    }

    /// Whether `error` comes from the TLS layer (swift-nio-ssl's error types: handshake, certificate
    /// verification, host name). Decided by the type's module, as this target does not link NIOSSL
    /// itself (it comes in through AsyncHTTPClient).
    static func isTLSError(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("NIOSSL.")
    }

    /// One AsyncHTTPClient per connect timeout, living as long as the process (like
    /// `HTTPClient.shared`): it does not retry failed connection attempts itself, so an unreachable
    /// endpoint fails each attempt within the connect timeout and the retry policy decides.
    static func sharedHTTPClient(connectTimeout: TimeInterval) -> HTTPClient {
        let millis = Int64((connectTimeout * 1000).rounded())
        return SharedClients.instance.client(connectMillis: millis)
    }
}

/// The process-wide AsyncHTTPClients of ``AWSHTTPClient``, one per connect timeout.
private final class SharedClients: @unchecked Sendable {
    static let instance = SharedClients()
    private let lock = NSLock()
    private var clients: [Int64: HTTPClient] = [:]

    func client(connectMillis millis: Int64) -> HTTPClient {
        lock.withLock {
            if let client = clients[millis] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout.connect = .milliseconds(millis)
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[millis] = client
            return client
        }
    }
}
