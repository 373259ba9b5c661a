import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Unsigned HTTP requests of the credential providers (IMDS, container endpoint, SSO portal,
/// `AssumeRoleWithWebIdentity`), each attempt bounded by `timeout`, at most `attempts` attempts.
///
/// A failure to connect or a timeout is `.endpointUnreachable`; the caller decides what an HTTP
/// status means. Secrets (tokens, bearer headers) are never logged or put in errors.
struct CredentialsEndpointClient: Sendable {
    let httpClient: HTTPClient
    /// Per-attempt limit (connect and answer).
    let timeout: TimeInterval
    /// Attempts on a connection failure or a 5xx answer.
    let attempts: Int

    init(httpClient: HTTPClient, timeout: TimeInterval, attempts: Int = 1) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.attempts = max(1, attempts)
    }

    /// Sends `method url`; returns the first answer that is not a 5xx (or the last one), or throws
    /// `AWSCredentialsError(.endpointUnreachable)` attributed to `source` when no attempt connected.
    func send(_ method: HTTPMethod, _ url: URL, headers: [(String, String)] = [], body: [UInt8] = [],
              source: AWSCredentialSource, what: String) async throws -> AWSHTTPResponse {
        let shownURL = Self.redacted(url)
        var lastFailure: AWSTransportError?
        for _ in 0..<attempts {
            do {
                let response = try await once(method, url, headers: headers, body: body)
                if response.status >= 500 && response.status < 600 {
                    lastFailure = AWSTransportError(operation: what, url: shownURL,
                                                    detail: .malformedResponse(status: response.status, what: "is a server error"))
                    continue
                }
                return response
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastFailure = AWSHTTPClient.classify(error, operation: what, url: shownURL, timeout: timeout)
            }
        }
        let failure = lastFailure?.after(attempts: attempts, stopReason: .attemptsExhausted)
        let why = failure.map { "\($0.transportFailureKind.rawValue)" } ?? "no answer"
        throw AWSCredentialsError(
            .endpointUnreachable,
            "\(what) at \(shownURL) did not answer (\(why)) after \(attempts) attempt(s) of \(Self.seconds(timeout)) s",
            source: source, cause: failure)
    }

    private func once(_ method: HTTPMethod, _ url: URL, headers: [(String, String)], body: [UInt8]) async throws -> AWSHTTPResponse {
        let nanos = Int64(min(timeout, 86_400) * 1_000_000_000)
        let client = httpClient
        let urlString = url.absoluteString
        return try await withThrowingTaskGroup(of: AWSHTTPResponse?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: urlString)
                request.method = method
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                request.headers.add(name: "User-Agent", value: "EnvelopeKit/1.0 (swift; AsyncHTTPClient)")
                if !body.isEmpty || method == .PUT || method == .POST { request.body = .bytes(body) }
                let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanos))
                let buffer = try await response.body.collect(upTo: 1 << 20)
                return AWSHTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                                       body: Array(buffer.readableBytesView))
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(nanos) + 50_000_000)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else { throw HTTPClientError.deadlineExceeded }
            return response
        }
    }

    /// The URL without its query (which may carry identifiers) for messages.
    static func redacted(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        return components?.string ?? url.absoluteString
    }

    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// Parsing helpers shared by the providers.
enum CredentialsParsing {
    /// A JSON object, or `nil`.
    static func jsonObject(_ body: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// Reads a whole small file as trimmed UTF-8, or throws `.tokenFileUnreadable` naming `variable`.
    static func readTokenFile(_ path: String, variable: String, source: AWSCredentialSource) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSCredentialsError(.tokenFileUnreadable,
                                      "the token file \(path) (\(variable)) does not exist or cannot be read; check the path and its permissions",
                                      source: source)
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw AWSCredentialsError(.tokenFileUnreadable, "the token file \(path) (\(variable)) is empty", source: source)
        }
        return text
    }

    /// `AccessKeyId` / `SecretAccessKey` / `Token` / `Expiration` (IMDS and container JSON).
    static func metadataCredentials(_ json: [String: Any], source: AWSCredentialSource, what: String) throws -> AWSCredentials {
        guard let id = json["AccessKeyId"] as? String, !id.isEmpty,
              let secret = json["SecretAccessKey"] as? String, !secret.isEmpty else {
            throw AWSCredentialsError(.endpointFailed, "\(what) answered without AccessKeyId and SecretAccessKey", source: source)
        }
        let expiration = (json["Expiration"] as? String).flatMap(STSAssumeRoleCredentialsProvider.parseISO8601)
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: json["Token"] as? String,
                                  expiration: expiration).from(source)
    }
}
