import EnvelopeKMS

/// Why a policy document was rejected (KMS answers `MalformedPolicyDocumentException`).
public struct PolicyDocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public let message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
