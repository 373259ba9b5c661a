import AsyncHTTPClient
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

/// Sends signed AWS requests over AsyncHTTPClient (pooled, reused connections) with retries.
///
/// Used by the KMS transport and by STS AssumeRole. Every attempt's outcome is logged on the
/// caller's logger (debug for failures and retries, trace for successes); credentials never are.
public struct AWSHTTPClient: Sendable {
    /// The AsyncHTTPClient used (default: `HTTPClient.shared`).
    public let httpClient: HTTPClient
    /// The retry policy applied to each call.
    public let retryPolicy: RetryPolicy
    /// Largest accepted response body.
    public let maxResponseBytes: Int
    let sleep: @Sendable (TimeInterval) async throws -> Void

    /// Creates a client over `httpClient` (its lifetime stays the caller's).
    public init(httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 1 << 20) {
        self.init(httpClient: httpClient, retryPolicy: retryPolicy, maxResponseBytes: maxResponseBytes) { seconds in
            try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
        }
    }

    init(httpClient: HTTPClient, retryPolicy: RetryPolicy, maxResponseBytes: Int, sleep: @escaping @Sendable (TimeInterval) async throws -> Void) {
        self.httpClient = httpClient
        self.retryPolicy = retryPolicy
        self.maxResponseBytes = maxResponseBytes
        self.sleep = sleep
    }

    /// Signs (freshly on every attempt) and sends `POST url` with `headers` and `body`; returns the
    /// first 2xx response, or throws `AWSCallError` with the last failure.
    public func send(
        operation: String,
        url: URL,
        headers: [(name: String, value: String)],
        body: [UInt8],
        signer: SigV4Signer,
        credentials: any AWSCredentialsProvider,
        logger: Logger
    ) async throws -> AWSHTTPResponse {
        let start = Date()
        let deadline = start.addingTimeInterval(retryPolicy.overallDeadline)
        var attempt = 0
        var lastFailure: AWSCallError.Failure = .network("no attempt made")
        while true {
            attempt += 1
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                throw AWSCallError(operation: operation, failure: lastFailure, attempts: attempt - 1, stopReason: .deadlineReached)
            }
            let creds: AWSCredentials
            do {
                creds = try await credentials.credentials(logger: logger)
            } catch let error as AWSCredentialsError {
                throw AWSCallError(operation: operation, failure: .credentials(error), attempts: attempt - 1, stopReason: .notRetryable)
            } catch let error as AWSCallError {
                throw AWSCallError(operation: operation, failure: .credentials(AWSCredentialsError(.assumeRoleFailed, error.description)), attempts: attempt - 1, stopReason: .notRetryable)
            }
            var metadata: Logger.Metadata = [
                "aws.operation": "\(operation)", "aws.attempt": "\(attempt)", "aws.endpoint": "\(url.host ?? "")",
            ]
            let timeout = min(retryPolicy.attemptTimeout, remaining)
            let retryable: Bool
            do {
                let response = try await attemptOnce(
                    url: url, headers: headers, body: body, signer: signer, credentials: creds, timeout: timeout)
                metadata["http.status"] = "\(response.status)"
                if (200..<300).contains(response.status) {
                    logger.trace("AWS attempt succeeded", metadata: metadata)
                    return response
                }
                let error = AWSErrorResponse.decode(status: response.status, headers: response.headers, body: response.body)
                metadata["aws.error"] = "\(error.code)"
                lastFailure = .service(error)
                retryable = error.isRetryable
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let text = Self.describe(error, timeout: timeout)
                metadata["aws.error"] = "\(text)"
                lastFailure = .network(text)
                retryable = true
            }
            guard retryable else {
                logger.debug("AWS attempt failed, not retryable", metadata: metadata)
                throw AWSCallError(operation: operation, failure: lastFailure, attempts: attempt, stopReason: .notRetryable)
            }
            guard attempt < retryPolicy.maxAttempts else {
                logger.debug("AWS attempt failed, no attempts left", metadata: metadata)
                throw AWSCallError(operation: operation, failure: lastFailure, attempts: attempt, stopReason: .attemptsExhausted)
            }
            let delay = retryPolicy.backoff(afterAttempt: attempt)
            if Date().addingTimeInterval(delay) >= deadline {
                logger.debug("AWS attempt failed, overall deadline reached", metadata: metadata)
                throw AWSCallError(operation: operation, failure: lastFailure, attempts: attempt, stopReason: .deadlineReached)
            }
            metadata["aws.backoff_ms"] = "\(Int(delay * 1000))"
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
        timeout: TimeInterval
    ) async throws -> AWSHTTPResponse {
        guard let host = url.host else { throw HTTPClientError.emptyHost }
        var hostHeader = host
        if let port = url.port, !((url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80)) {
            hostHeader += ":\(port)"
        }
        let path = url.path.isEmpty ? "/" : url.path
        var toSign = SigV4Request(method: "POST", path: path, headers: [("Host", hostHeader)] + headers, body: body)
        _ = try signer.sign(&toSign, credentials: credentials, date: Date())

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

    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        if let http = error as? HTTPClientError {
            switch http {
            case .deadlineExceeded, .readTimeout, .connectTimeout:
                return "timed out after \(String(format: "%.1f", timeout)) s (\(http))"
            case .remoteConnectionClosed:
                return "connection closed by the server before a complete answer"
            default:
                return "\(http)"
            }
        }
        return "\(error)"
    }
}
