/// The ID of a KMS key: a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`) or a multi-Region key ID
/// (`mrk-` followed by 32 hex digits, e.g. `mrk-4321abcd12ab34cd56ef1234567890ab`).
///
/// A bare key ID always names a key in the caller's own account and Region.
public struct KMSKeyID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The ID text.
    public let rawValue: String

    /// Validates a key ID; `nil` if it is neither a lowercase UUID nor an `mrk-` ID.
    public init?(rawValue: String) {
        guard KMSKeyID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Validates a key ID or throws an error that shows both accepted forms.
    public init(validating text: String) throws(KMSIdentifierError) {
        try self.init(validating: text, in: text)
    }

    init(validating text: String, in input: String) throws(KMSIdentifierError) {
        self = try KMSIdentifierError.validate(
            text, in: input, part: .keyID,
            ifEmpty: "the key ID is empty; expected a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab or a multi-Region ID such as mrk-4321abcd12ab34cd56ef1234567890ab",
            ifInvalid: "\"\(text)\" is not a key ID; expected a lowercase UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab or mrk- and 32 hex digits",
            KMSKeyID.init(rawValue:))
    }

    /// A new random single-Region key ID (UUID version 4 form).
    public static func random() -> KMSKeyID {
        var bytes = RandomSource.bytes(16)
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let h = Array(bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined())
        let text = String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
        return KMSKeyID(rawValue: text)!
    }

    /// A new random multi-Region key ID.
    public static func randomMultiRegion() -> KMSKeyID {
        let hex = RandomSource.bytes(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return KMSKeyID(rawValue: "mrk-" + hex)!
    }

    /// Whether this is a multi-Region key ID (starts with `mrk-`).
    /// Spec: framework/aws-kms/aws-kms-key-arn.md, "Identifying an an AWS KMS multi-Region identifier".
    public var isMultiRegion: Bool { rawValue.hasPrefix("mrk-") }

    /// The ID text.
    public var description: String { rawValue }

    static func isValid(_ text: String) -> Bool {
        let u = Array(text.utf8)
        func hex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) }
        if text.hasPrefix("mrk-") {
            return u.count == 36 && u[4...].allSatisfy(hex)
        }
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if c != UInt8(ascii: "-") { return false }
            } else if !hex(c) {
                return false
            }
        }
        return true
    }

    /// Decodes and validates a key ID.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeIdentifier { text throws(KMSIdentifierError) in try Self(validating: text) }
    }

    /// Encodes the ID text.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeIdentifier(rawValue)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
