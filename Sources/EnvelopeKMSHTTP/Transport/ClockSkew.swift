import Foundation

/// The offset between this host's clock and the service's, learnt from a clock-skew error's
/// `Date` header and applied to every later signing date of the client (SigV4 requests more than
/// 5 minutes off the service's time are refused).
///
/// Error codes that signal skew, as the AWS SDKs classify them (aws-sdk-js-v3
/// `service-error-classification` `CLOCK_SKEW_ERROR_CODES`): `AuthFailure`,
/// `InvalidSignatureException`, `RequestExpired`, `RequestInTheFuture`, `RequestTimeTooSkewed`,
/// `SignatureDoesNotMatch`. A bad signature also answers `InvalidSignatureException`, so the offset
/// is only corrected (and the request retried once) when the `Date` header really is off.
public final class ClockSkew: @unchecked Sendable {
    /// Codes that may mean the request's signing time is too far off.
    public static let errorCodes: Set<String> = [
        "AuthFailure", "InvalidSignatureException", "RequestExpired", "RequestInTheFuture",
        "RequestTimeTooSkewed", "SignatureDoesNotMatch",
    ]
    /// Differences below this are not corrected (SigV4 allows 5 minutes; so do the SDKs).
    public static let threshold: TimeInterval = 240

    private let lock = NSLock()
    private var offsetSeconds: TimeInterval = 0

    /// No offset.
    public init() {}

    /// Seconds to add to the local clock to get the service's.
    public var offset: TimeInterval { lock.withLock { offsetSeconds } }

    /// The signing date: `now` corrected by the offset.
    func signingDate(now: Date) -> Date { now.addingTimeInterval(offset) }

    /// After an error `code` answered at local time `now`: if it is a skew code and the `Date`
    /// header is more than ``threshold`` away from the corrected clock, learns the new offset and
    /// returns true (retry once with it).
    func correct(code: String, headers: [(name: String, value: String)], now: Date) -> Bool {
        guard Self.errorCodes.contains(code),
              let text = headers.first(where: { $0.name.lowercased() == "date" })?.value,
              let serverDate = Self.parseHTTPDate(text) else { return false }
        return lock.withLock {
            let newOffset = serverDate.timeIntervalSince(now)
            guard abs(newOffset - offsetSeconds) >= Self.threshold else { return false }
            offsetSeconds = newOffset
            return true
        }
    }

    /// RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP `Date` headers use.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE',' dd MMM yyyy HH':'mm':'ss 'GMT'"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }
}
