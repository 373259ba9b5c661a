/// A failure inside the cryptographic layer.
///
/// Messages never contain key material. `authenticationFailed` is deliberately terse: callers
/// add the context (which frame, which key) that a user needs.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// A tag, signature or commitment did not verify.
        case authenticationFailed
        /// An argument had the wrong size or form.
        case invalidInput
        /// The underlying library reported an error.
        case libraryFailure
        /// Memory for secret bytes could not be allocated.
        case allocationFailed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func openSSL(_ operation: String) -> CryptoError {
        CryptoError(.libraryFailure, "OpenSSL failed in \(operation): \(OpenSSLErrors.drain())")
    }
}
