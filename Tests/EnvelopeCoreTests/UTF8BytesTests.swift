@testable import EnvelopeCore
import Testing

/// `String(utf8Bytes:)`, the UTF-8 check of parsed context strings and provider IDs: it must
/// accept exactly the well-formed sequences, as `String(validating:as:)` does.
@Suite("UTF-8 validation of parsed strings")
struct UTF8BytesTests {
    static let wellFormed: [[UInt8]] = [
        [], Array("purpose".utf8), Array("é".utf8), Array("e\u{301}".utf8), [0xEF, 0xBF, 0xBD],  // U+FFFD itself
        [0xF0, 0x9F, 0x94, 0x91], [0xED, 0x9F, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF], [0],
    ]
    static let illFormed: [[UInt8]] = [
        [0xFF], [0x80], [0xC0, 0x80], [0xC3], [0xEF, 0xBF], [0xEF, 0xBF, 0x41], [0xED, 0xA0, 0x80],  // a surrogate
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], Array("ok".utf8) + [0xE2, 0x82],
    ]

    @Test("Well-formed bytes give their string, byte for byte", arguments: wellFormed)
    func accepts(bytes: [UInt8]) {
        let text = bytes.withUnsafeBytes { String(utf8Bytes: $0) }
        #expect(text.map { Array($0.utf8) } == bytes)
        #expect(text == String(validating: bytes, as: UTF8.self))
    }

    @Test("Ill-formed bytes are refused", arguments: illFormed)
    func refuses(bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { String(utf8Bytes: $0) } == nil)
        #expect(String(validating: bytes, as: UTF8.self) == nil)
    }
}
