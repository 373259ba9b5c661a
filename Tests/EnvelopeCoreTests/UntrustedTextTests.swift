@testable import EnvelopeCore
import Testing

@Suite("UntrustedText.escaped")
struct UntrustedTextTests {
    @Test("Controls, format characters and separators are escaped; quotes and backslashes too", arguments: [
        ("plain key", "plain key"),
        ("tab\there", "tab\\u{9}here"),
        ("rlo\u{202E}x", "rlo\\u{202E}x"),
        ("isolate\u{2067}x\u{2069}", "isolate\\u{2067}x\\u{2069}"),
        ("zero\u{200B}width", "zero\\u{200B}width"),
        ("c1\u{85}x", "c1\\u{85}x"),
        ("del\u{7F}", "del\\u{7F}"),
        ("line\u{2028}sep", "line\\u{2028}sep"),
        ("quote\"back\\slash", "quote\\\"back\\\\slash"),
        ("café é 日本", "café é 日本"),
    ])
    func escapes(input: String, expected: String) {
        #expect(UntrustedText.escaped(input) == expected)
    }

    @Test("Text over 256 bytes is cut at a character boundary and says its length")
    func truncates() {
        let long = String(repeating: "é", count: 200) // 400 bytes
        let shown = UntrustedText.escaped(long)
        #expect(shown.hasPrefix(String(repeating: "é", count: 128) + "…"))
        #expect(shown.hasSuffix("(400 bytes in all)"))
        #expect(UntrustedText.escaped(String(repeating: "a", count: 256)) == String(repeating: "a", count: 256))
    }
}
