import EnvelopeCrypto
import Foundation

/// An AWS access key: access key ID, secret access key, optional session token and expiry.
///
/// The secret lives in `SecureBytes` (guarded memory, zeroed on free). `description` and
/// `debugDescription` never show the secret or the session token.
public struct AWSCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key ID (e.g. `AKIA…` or `ASIA…`); not secret, shown in logs.
    public let accessKeyId: String
    /// The secret access key, in guarded memory.
    public let secretAccessKey: SecureBytes
    /// The session token of temporary credentials; never logged.
    public let sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public let expiration: Date?

    /// Creates credentials from their parts; throws only if guarded memory cannot be allocated.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) throws {
        var secret = Array(secretAccessKey.utf8)
        self.init(accessKeyId: accessKeyId, secretAccessKey: try SecureBytes(consuming: &secret),
                  sessionToken: sessionToken, expiration: expiration)
    }

    /// Creates credentials whose secret is already in guarded memory.
    public init(accessKeyId: String, secretAccessKey: SecureBytes, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = (sessionToken?.isEmpty ?? true) ? nil : sessionToken
        self.expiration = expiration
    }

    /// Whether the credentials expire within `margin` seconds of `now`.
    public func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }

    /// Redacted: access key ID only.
    public var description: String {
        var text = "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ")"
    }

    /// Same as `description`.
    public var debugDescription: String { description }
}
