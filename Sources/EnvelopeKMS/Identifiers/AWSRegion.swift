/// A validated AWS region name such as `us-west-2`, `cn-north-1` or `us-gov-west-1`.
public struct AWSRegion: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The region name.
    public let rawValue: String
    /// The partition whose region pattern the name matches.
    public let partition: AWSPartition

    /// Validates a region name; `nil` if it matches no supported partition.
    public init?(rawValue: String) {
        guard let partition = AWSPartition.containing(region: rawValue) else { return nil }
        self.rawValue = rawValue
        self.partition = partition
    }

    /// Validates a region name, or throws an error that shows the expected form.
    public init(validating text: String) throws(KMSIdentifierError) {
        try self.init(validating: text, in: text)
    }

    init(validating text: String, in input: String) throws(KMSIdentifierError) {
        self = try KMSIdentifierError.validate(
            text, in: input, part: .region,
            ifEmpty: "the region is empty; expected a region such as us-west-2",
            ifInvalid: "\"\(text)\" is not a region name of a supported partition (e.g. us-west-2, cn-north-1, us-gov-west-1)",
            AWSRegion.init(rawValue:))
    }

    /// For literals in code and tests; traps on an invalid name.
    public init(stringLiteral value: String) {
        guard let region = AWSRegion(rawValue: value) else { preconditionFailure("invalid region literal \(value)") }
        self = region
    }

    /// The region name.
    public var description: String { rawValue }

    /// Decodes a region name and validates it.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(validating: text) }
    }

    /// Encodes the region name.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(rawValue)
    }
}
