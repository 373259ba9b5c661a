/// An access key of a principal (what `envelope kms create-access-key` prints), for clients that
/// sign requests to the local KMS server with SigV4.
public struct LocalKMSAccessKey: Sendable, Equatable, CustomStringConvertible {
    /// The public ID, `AKIA` followed by 16 upper-case letters and digits.
    public let accessKeyId: String
    /// The secret; shown once to whoever creates the key. Never printed by `description`.
    public let secretAccessKey: String
    /// The principal the key authenticates as.
    public let principal: String

    /// Creates an access key value.
    public init(accessKeyId: String, secretAccessKey: String, principal: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.principal = principal
    }

    /// The ID and principal; the secret is redacted.
    public var description: String { "LocalKMSAccessKey(\(accessKeyId) for \(principal), secret redacted)" }
}
