import EnvelopeCore
import EnvelopeKMS
import Foundation

/// The final failure of an AWS call after the retry policy gave up: what the last attempt ended
/// with (typed), how many attempts were made and why no further one was.
///
/// The KMS transport unwraps it: a service error is thrown as `KMSError`, a transport failure as
/// ``AWSTransportError`` (a `TransportFailure`), a credentials failure as ``AWSCredentialsError``.
/// Other clients (STS, SSO) wrap it as a value in their own errors (`ErrorWithCauses`).
public struct AWSCallError: Error, Sendable, CustomStringConvertible {
    /// What the last attempt ended with.
    public enum Failure: Sendable {
        /// The service answered with an error (code, message, HTTP status, request ID).
        case service(AWSErrorResponse)
        /// No usable answer: could not connect, timed out, TLS failed, or the answer was malformed.
        case transport(AWSTransportError)
        /// Credentials could not be obtained.
        case credentials(AWSCredentialsError)
    }

    /// The operation, e.g. `TrentService.Decrypt` or `STS.AssumeRole`.
    public let operation: String
    /// The URL the request went to.
    public let url: String
    /// The last attempt's failure.
    public let failure: Failure
    /// How many attempts were made.
    public let attempts: Int
    /// Why the client stopped.
    public let stopReason: AWSRetryStopReason

    /// Creates an error.
    public init(operation: String, url: String, failure: Failure, attempts: Int, stopReason: AWSRetryStopReason) {
        self.operation = operation
        self.url = url
        self.failure = failure
        self.attempts = attempts
        self.stopReason = stopReason
    }

    /// The service's error response, when the service answered with one.
    public var serviceError: AWSErrorResponse? {
        if case .service(let response) = failure { return response }
        return nil
    }

    /// The transport failure, when no usable answer came.
    public var transportError: AWSTransportError? {
        if case .transport(let error) = failure { return error }
        return nil
    }

    /// The credentials error, when credentials could not be obtained.
    public var credentialsError: AWSCredentialsError? {
        if case .credentials(let error) = failure { return error }
        return nil
    }

    /// The service error as a typed `KMSError` (for KMS operations).
    public var kmsError: KMSError? {
        serviceError.map {
            KMSError(code: KMSErrorCode(rawValue: $0.code), message: $0.message, httpStatus: $0.status, requestID: $0.requestId)
        }
    }

    /// One line: operation, URL, what failed, attempts and why it stopped.
    public var description: String {
        switch failure {
        case .service(let response):
            return "\(operation) at \(url) failed: \(response) [\(stopReason.describe(attempts: attempts))]"
        case .transport(let error):
            return error.description
        case .credentials(let error):
            return "\(operation) failed: credentials: \(error.message)"
        }
    }
}

extension AWSCallError: ErrorWithCauses {
    /// The typed failure: the service's ``AWSErrorResponse``, the ``AWSTransportError`` or the ``AWSCredentialsError``.
    public var underlyingErrors: [any Error] {
        switch failure {
        case .service(let response): [response]
        case .transport(let error): [error]
        case .credentials(let error): [error]
        }
    }
}

/// Why an AWS client made no further attempt.
public enum AWSRetryStopReason: Sendable, Equatable {
    /// The failure is not retryable (a 4xx client error, a quota error, TLS, bad credentials).
    case notRetryable
    /// `maxAttempts` attempts were made.
    case attemptsExhausted
    /// The overall deadline left no time for another attempt.
    case deadlineReached
    /// The client's retry quota (token bucket) was empty: too many recent failures.
    case retryQuotaExhausted

    func describe(attempts: Int) -> String {
        switch self {
        case .notRetryable: "not retried"
        case .attemptsExhausted: "gave up after \(attempts) attempt(s)"
        case .deadlineReached: "overall deadline reached after \(attempts) attempt(s)"
        case .retryQuotaExhausted: "retry quota exhausted after \(attempts) attempt(s)"
        }
    }
}

/// A request that got no usable answer: it could not connect to the URL, timed out, failed TLS,
/// or the answer was not the operation's. Carries the URL, the operation and the attempts.
public struct AWSTransportError: TransportFailure, Sendable, CustomStringConvertible {
    /// What exactly failed.
    public enum Detail: Sendable {
        /// No connection could be opened (refused, unreachable, DNS), or it was closed or reset
        /// before a complete answer; `underlying` is the HTTP stack's error, as a value.
        case connect(underlying: any Error)
        /// The attempt did not complete within `seconds` (connect, send, wait, read).
        case timeout(seconds: TimeInterval)
        /// The TLS handshake or the certificate check failed (never retried).
        case tls(underlying: any Error)
        /// An answer came (HTTP `status`) but `what` was wrong with it.
        case malformedResponse(status: Int, what: String)
    }

    /// The operation, e.g. `TrentService.Decrypt`.
    public let operation: String
    /// The URL the request went to.
    public let url: String
    /// What failed.
    public let detail: Detail
    /// How many attempts were made.
    public let attempts: Int
    /// Why no further attempt was made.
    public let stopReason: AWSRetryStopReason

    /// Creates an error.
    public init(operation: String, url: String, detail: Detail, attempts: Int = 1, stopReason: AWSRetryStopReason = .notRetryable) {
        self.operation = operation
        self.url = url
        self.detail = detail
        self.attempts = attempts
        self.stopReason = stopReason
    }

    /// The same failure, with the attempt count and stop reason of the whole call.
    func after(attempts: Int, stopReason: AWSRetryStopReason) -> AWSTransportError {
        AWSTransportError(operation: operation, url: url, detail: detail, attempts: attempts, stopReason: stopReason)
    }

    /// `connect`, `timeout`, `tls` or `malformed-response`.
    public var transportFailureKind: TransportFailureKind {
        switch detail {
        case .connect: .connect
        case .timeout: .timeout
        case .tls: .tls
        case .malformedResponse: .malformedResponse
        }
    }

    /// One line naming the operation, the URL, what failed, the attempts, and what to check.
    public var description: String {
        let reason = stopReason.describe(attempts: attempts)
        switch detail {
        case .connect:
            return "\(operation): could not connect to \(url) [\(reason)]; check the endpoint URL and that it is reachable"
        case .timeout(let seconds):
            return "\(operation): no answer from \(url) within \(String(format: "%.1f", seconds)) s [\(reason)]; check the endpoint and the network"
        case .tls:
            return "\(operation): TLS with \(url) failed (handshake or certificate) [\(reason)]; check that the URL is the service's https endpoint and that its certificate is trusted"
        case .malformedResponse(let status, let what):
            return "\(operation) at \(url): the answer (HTTP \(status)) \(what) [\(reason)]; is the endpoint the AWS service's?"
        }
    }
}
