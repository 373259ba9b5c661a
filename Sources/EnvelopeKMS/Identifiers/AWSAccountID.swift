/// A 12-digit AWS account ID such as `111122223333`.
public struct AWSAccountID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The twelve digits.
    public let rawValue: String

    /// Validates an account ID; `nil` unless it is exactly 12 ASCII digits.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 12, rawValue.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        self.rawValue = rawValue
    }

    /// Validates an account ID, or throws an error that shows the expected form.
    public init(validating text: String) throws(KMSIdentifierError) {
        try self.init(validating: text, in: text)
    }

    init(validating text: String, in input: String) throws(KMSIdentifierError) {
        self = try KMSIdentifierError.validate(
            text, in: input, part: .account,
            ifEmpty: "the account ID is empty; expected 12 digits such as 111122223333",
            ifInvalid: "\"\(text)\" is not an account ID; expected exactly 12 digits such as 111122223333",
            AWSAccountID.init(rawValue:))
    }

    /// For literals in code and tests; traps on an invalid ID.
    public init(stringLiteral value: String) {
        guard let account = AWSAccountID(rawValue: value) else { preconditionFailure("invalid account literal \(value)") }
        self = account
    }

    /// The ARN of this account's root principal, e.g. `arn:aws:iam::111122223333:root`.
    public func rootPrincipal(partition: AWSPartition = .aws) -> AWSPrincipalARN {
        AWSPrincipalARN(partition: partition, account: self, kind: .root)
    }

    /// The twelve digits.
    public var description: String { rawValue }

    /// Orders by digits.
    public static func < (lhs: AWSAccountID, rhs: AWSAccountID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes and validates an account ID.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(validating: text) }
    }

    /// Encodes the digits.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(rawValue)
    }
}
