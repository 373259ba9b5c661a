/// A KMS alias name, `alias/NAME` (e.g. `alias/ExampleAlias`).
///
/// A bare alias name always resolves in the caller's own account and Region; to use another
/// account's alias, use its alias ARN (`KMSAliasARN`).
public struct KMSAliasName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The full alias name including the `alias/` prefix.
    public let rawValue: String

    /// Validates an alias name; `nil` if it is not `alias/` followed by 1+ of `A-Za-z0-9:/_-`.
    public init?(rawValue: String) {
        guard (try? KMSAliasName(validating: rawValue)) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// Validates an alias name or throws an error that shows the expected form.
    public init(validating text: String) throws(KMSIdentifierError) {
        try self.init(validating: text, in: text)
    }

    init(validating text: String, in input: String) throws(KMSIdentifierError) {
        guard text.hasPrefix("alias/") else {
            throw KMSIdentifierError(part: .aliasName, input: input, message: "an alias name starts with \"alias/\", e.g. alias/ExampleAlias")
        }
        let name = text.dropFirst("alias/".count)
        guard !name.isEmpty else {
            throw KMSIdentifierError(part: .aliasName, input: input, message: "the alias name after \"alias/\" is empty; e.g. alias/ExampleAlias")
        }
        guard text.utf8.count <= 256 else {
            throw KMSIdentifierError(part: .aliasName, input: input, message: "an alias name is at most 256 characters including \"alias/\"")
        }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSetASCII.isAlphanumeric($0) || ":/_-".unicodeScalars.contains($0)) }) else {
            throw KMSIdentifierError(part: .aliasName, input: input, message: "an alias name may only contain letters, digits, \":\", \"/\", \"_\" and \"-\"")
        }
        rawValue = text
    }

    /// The name after `alias/`.
    public var name: String { String(rawValue.dropFirst("alias/".count)) }

    /// The full alias name.
    public var description: String { rawValue }

    /// Decodes and validates an alias name.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(validating: text) }
    }

    /// Encodes the full alias name.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(rawValue)
    }
}

enum CharacterSetASCII {
    static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
    }
}
