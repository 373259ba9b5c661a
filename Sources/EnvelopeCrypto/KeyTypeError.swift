/// A key of the wrong algorithm: e.g. an EC key where an RSA key is needed.
public struct KeyTypeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The algorithm needed (`RSA`).
    public let expected: String
    /// The algorithm of the key given, as OpenSSL names it (`EC`, `ED25519`, …).
    public let found: String

    /// Creates an error.
    public init(expected: String, found: String) {
        self.expected = expected
        self.found = found
    }

    /// `the key is an EC key, not an RSA key`.
    public var description: String { "the key is an \(found) key, not an \(expected) key" }
}
