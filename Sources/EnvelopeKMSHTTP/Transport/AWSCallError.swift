import Foundation

/// The final failure of an AWS call after the retry policy gave up.
public struct AWSCallError: Error, Sendable, CustomStringConvertible {
    /// What the last attempt ended with.
    public enum Failure: Sendable {
        /// The service answered with an error.
        case service(AWSErrorResponse)
        /// No usable answer: connection refused or reset, timeout, malformed response.
        case network(String)
        /// Credentials could not be obtained.
        case credentials(AWSCredentialsError)
        /// A 2xx answer that is not the operation's JSON output.
        case malformedResponse(String)
    }

    /// Why no further attempt was made.
    public enum StopReason: Sendable, Equatable {
        /// The failure is not retryable (a 4xx client error, bad credentials).
        case notRetryable
        /// `maxAttempts` attempts were made.
        case attemptsExhausted
        /// The overall deadline left no time for another attempt.
        case deadlineReached
    }

    /// The operation, e.g. `TrentService.Decrypt` or `STS.AssumeRole`.
    public let operation: String
    /// The last attempt's failure.
    public let failure: Failure
    /// How many attempts were made.
    public let attempts: Int
    /// Why the client stopped.
    public let stopReason: StopReason

    /// The AWS error code of a service error; `NetworkError` or `CredentialsError` otherwise.
    public var code: String {
        switch failure {
        case .service(let response): return response.code
        case .network: return "NetworkError"
        case .credentials: return "CredentialsError"
        case .malformedResponse: return "MalformedResponse"
        }
    }

    /// The message of the last failure.
    public var message: String {
        switch failure {
        case .service(let response): return response.message
        case .network(let text): return text
        case .credentials(let error): return error.message
        case .malformedResponse(let text): return text
        }
    }

    /// One line: operation, code, message, attempts and why it stopped.
    public var description: String {
        let reason: String
        switch stopReason {
        case .notRetryable: reason = "not retryable"
        case .attemptsExhausted: reason = "gave up after \(attempts) attempt(s)"
        case .deadlineReached: reason = "overall deadline reached after \(attempts) attempt(s)"
        }
        switch failure {
        case .service(let response): return "\(operation) failed: \(response) [\(reason)]"
        case .network(let text): return "\(operation) failed: network error: \(text) [\(reason)]; check the endpoint and connectivity"
        case .credentials(let error): return "\(operation) failed: credentials: \(error.message)"
        case .malformedResponse(let text): return "\(operation) failed: \(text); is the endpoint a KMS endpoint?"
        }
    }
}
