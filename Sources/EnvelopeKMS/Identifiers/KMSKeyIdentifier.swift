/// Any of the four ways to name a KMS key in a request.
///
/// Spec: framework/aws-kms/aws-kms-key-arn.md, "A valid AWS KMS identifier".
/// `keyID` and `aliasName` always resolve in the caller's own account and Region; a key of
/// another account needs `keyARN` or `aliasARN`.
public enum KMSKeyIdentifier: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// A bare key ID (caller's account and Region).
    case keyID(KMSKeyID)
    /// A key ARN.
    case keyARN(KMSKeyARN)
    /// A bare alias name (caller's account and Region).
    case aliasName(KMSAliasName)
    /// An alias ARN.
    case aliasARN(KMSAliasARN)

    /// Parses any identifier form. Input with a `:` is parsed as an ARN, input starting with
    /// `alias/` as an alias name, anything else as a key ID; the error names the wrong part.
    public init(parsing text: String) throws(KMSIdentifierError) {
        if text.contains(":") {
            let expected = "a key ARN (\(KMSKeyARN.expectedForm)) or an alias ARN (arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME)"
            let arn = try ARNComponents(parsing: text, expectedForm: expected)
            switch try KMSResourceARN(arn, input: text, expectedForm: expected) {
            case .key(let key): self = .keyARN(key)
            case .alias(let alias): self = .aliasARN(alias)
            }
        } else if text.hasPrefix("alias/") {
            self = .aliasName(try KMSAliasName(validating: text))
        } else {
            self = .keyID(try KMSKeyID(validating: text))
        }
    }

    /// Parses any identifier form, returning `nil` on malformed input.
    public init?(_ description: String) {
        guard let id = try? KMSKeyIdentifier(parsing: description) else { return nil }
        self = id
    }

    /// Whether this identifier names a multi-Region key: a key ARN or key ID whose ID starts with
    /// `mrk-`; aliases never do.
    /// Spec: framework/aws-kms/aws-kms-key-arn.md, "Identifying an an AWS KMS multi-Region identifier".
    public var isMultiRegion: Bool {
        switch self {
        case .keyID(let id): id.isMultiRegion
        case .keyARN(let arn): arn.isMultiRegion
        case .aliasName, .aliasARN: false
        }
    }

    /// Whether the identifier carries its own account and Region (an ARN), as cross-account use requires.
    public var isARN: Bool {
        switch self {
        case .keyARN, .aliasARN: true
        case .keyID, .aliasName: false
        }
    }

    /// The key ARN, if this is one.
    public var keyARN: KMSKeyARN? {
        if case .keyARN(let arn) = self { return arn }
        return nil
    }

    /// The text to send as `KeyId`.
    public var description: String {
        switch self {
        case .keyID(let id): id.rawValue
        case .keyARN(let arn): arn.description
        case .aliasName(let name): name.rawValue
        case .aliasARN(let arn): arn.description
        }
    }

    /// Decodes and validates an identifier from its text.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(parsing: text) }
    }

    /// Encodes the identifier text.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(description)
    }
}
