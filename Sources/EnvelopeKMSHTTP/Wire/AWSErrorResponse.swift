import Foundation

/// A service error decoded from a non-2xx AWS response (JSON 1.1, JSON with `code`, XML, or bare status).
public struct AWSErrorResponse: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status code.
    public let status: Int
    /// The error code, sanitised (`aws.protocoltests#FooError:http://…` → `FooError`).
    public let code: String
    /// The error message, empty if the service sent none.
    public let message: String
    /// `x-amzn-RequestId` / `x-amz-request-id`, if sent.
    public let requestId: String?
    /// DynamoDB `TransactionCanceledException`: the `Code` of each item's `CancellationReasons`
    /// entry, in order (`None` for items that were not the cause); empty otherwise.
    public let cancellationReasons: [String]

    /// Creates an error response.
    public init(status: Int, code: String, message: String, requestId: String? = nil, cancellationReasons: [String] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.requestId = requestId
        self.cancellationReasons = cancellationReasons
    }

    /// `code (HTTP status): message`.
    public var description: String {
        "\(code) (HTTP \(status)): \(message.isEmpty ? "no message" : message)"
    }

    /// Decodes an error: `X-Amzn-ErrorType` header, else JSON `code`, else JSON top-level `__type`;
    /// a non-JSON body is searched for XML `<Code>`/`<Message>`; else the code comes from the status.
    /// (Smithy `aws-json` "Operation error serialization".)
    public static func decode(status: Int, headers: [(name: String, value: String)], body: [UInt8]) -> AWSErrorResponse {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        let requestId = header("x-amzn-RequestId") ?? header("x-amz-request-id")
        var code = header("X-Amzn-ErrorType").flatMap { $0.isEmpty ? nil : $0 }
        var message: String?
        var reasons: [String] = []
        if let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] {
            if code == nil { code = (json["code"] as? String) ?? (json["__type"] as? String) }
            message = (json["message"] as? String) ?? (json["Message"] as? String) ?? (json["errorMessage"] as? String)
            reasons = (json["CancellationReasons"] as? [[String: Any]])?.map { ($0["Code"] as? String) ?? "None" } ?? []
        } else if let text = String(bytes: body, encoding: .utf8), text.contains("<") {
            if code == nil { code = xmlElement("Code", in: text) }
            message = xmlElement("Message", in: text)
        }
        let finalCode = code.map(sanitize).flatMap { $0.isEmpty ? nil : $0 } ?? fallbackCode(status: status)
        return AWSErrorResponse(status: status, code: finalCode, message: message ?? "", requestId: requestId, cancellationReasons: reasons)
    }

    /// Keeps the text before the first `:`, then the text after the first `#`.
    public static func sanitize(_ code: String) -> String {
        var value = Substring(code)
        if let colon = value.firstIndex(of: ":") { value = value[..<colon] }
        if let hash = value.firstIndex(of: "#") { value = value[value.index(after: hash)...] }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// The text of the first `<name>…</name>` element, XML entities decoded.
    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return xmlUnescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func xmlUnescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func fallbackCode(status: Int) -> String {
        switch status {
        case 429: return "TooManyRequestsException"
        case 500: return "InternalFailure"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "HTTP\(status)"
        }
    }

    /// Codes AWS SDKs treat as throttling (botocore "standard" retry mode), retried with backoff.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Codes of transient faults retried regardless of status.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException",
    ]

    /// Throttling, HTTP 429 and 5xx, and transient fault codes are retried; other 4xx are not.
    public var isRetryable: Bool {
        status == 429 || status >= 500 || Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code)
    }
}
