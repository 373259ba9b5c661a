/// Helpers shared by the identifier types: the empty/invalid check of a single component and the
/// JSON form (a string parsed as the type's `init(validating:)` or `init(parsing:)` parses it).

extension KMSIdentifierError {
    /// Checks one component of `input`: throws `ifEmpty` for empty `text`, `ifInvalid` when `make`
    /// rejects it (both for `part`), else returns what `make` built.
    static func validate<Value>(
        _ text: String, in input: String, part: Part, ifEmpty: String, ifInvalid: @autoclosure () -> String,
        _ make: (String) -> Value?
    ) throws(KMSIdentifierError) -> Value {
        guard !text.isEmpty else {
            throw KMSIdentifierError(part: part, input: input, message: ifEmpty)
        }
        guard let value = make(text) else {
            throw KMSIdentifierError(part: part, input: input, message: ifInvalid())
        }
        return value
    }
}

extension Decoder {
    /// Decodes a JSON string and parses it with `parse`; a parse error becomes
    /// `DecodingError.dataCorrupted` whose description is the error's (it names the wrong part).
    func decodeIdentifier<Value>(_ parse: (String) throws(KMSIdentifierError) -> Value) throws -> Value {
        let text = try singleValueContainer().decode(String.self)
        do { return try parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: error.description))
        }
    }
}

extension Encoder {
    /// Encodes an identifier as its text, a single JSON string.
    func encodeIdentifier(_ text: String) throws {
        var container = singleValueContainer()
        try container.encode(text)
    }
}
