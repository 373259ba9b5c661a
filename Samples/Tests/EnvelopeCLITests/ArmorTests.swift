@testable import EnvelopeCLICore
import Foundation
import Testing

@Suite("envelope: base64 armor (--encode, --decode, automatic detection)")
struct ArmorTests {
    static let base64Alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)

    @Test("encrypt --encode writes one line of standard base64 that decodes to the binary message")
    func encodeWritesBase64() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100_003))
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.b64", "--encode", "--frame-length", "1000"] + key.spec)
        #expect(enc.status == 0, "\(enc)")
        let text = try box.read("m.b64")
        #expect(text.allSatisfy { Self.base64Alphabet.contains($0) }, "not plain base64 (line breaks or other bytes)")
        let binary = try #require(Data(base64Encoded: Data(text)))
        #expect(binary.first == 0x02, "the decoded bytes are not a version 2 message")
        // The decoded message is an ordinary message.
        try box.write("m.bin", [UInt8](binary))
        let dec = try box.run(["decrypt", "-i", "m.bin", "-o", "out.bin"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("out.bin") == testBytes(100_003))
    }

    @Test("decrypt recognises base64 input without --decode, from a file and from stdin, and says so at --verbose")
    func automaticDetection() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(70_000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.b64", "--encode"] + key.spec).status == 0)
        let quiet = try box.run(["decrypt", "-i", "m.b64", "-o", "file.out"] + key.spec)
        #expect(quiet.status == 0, "\(quiet)")
        #expect(!quiet.stderr.contains("base64"), "without --verbose nothing is said: \(quiet.stderr)")
        #expect(try box.read("file.out") == testBytes(70_000))
        let verbose = try box.run(["decrypt", "-i", "m.b64", "-o", "verbose.out", "--verbose"] + key.spec)
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stderr.contains("m.b64 is base64 (armored)"), "\(verbose.stderr)")
        let piped = try box.run(["decrypt", "-i", "-", "-o", "-", "-v"] + key.spec, stdin: try box.read("m.b64"))
        #expect(piped.status == 0, "\(piped)")
        #expect(piped.stdout == testBytes(70_000))
        #expect(piped.stderr.contains("standard input is base64 (armored)"), "\(piped.stderr)")
        // A binary message from stdin still goes through untouched, and nothing is said about base64.
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.bin"] + key.spec).status == 0)
        let binary = try box.run(["decrypt", "-i", "-", "-o", "-", "-v"] + key.spec, stdin: try box.read("m.bin"))
        #expect(binary.status == 0, "\(binary)")
        #expect(binary.stdout == testBytes(70_000))
        #expect(!binary.stderr.contains("base64"), "\(binary.stderr)")
    }

    @Test("decrypt --decode reads base64 wrapped at 76 columns (as base64(1) writes it)")
    func decodeWrapped() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(5000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.bin"] + key.spec).status == 0)
        let wrapped = Data(try box.read("m.bin")).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed]) + "\n"
        try box.write("m.txt", Array(wrapped.utf8))
        let dec = try box.run(["decrypt", "-i", "m.txt", "-o", "out.bin", "--decode"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("out.bin") == testBytes(5000))
    }

    @Test("decrypt --decode of a binary message fails with a base64 error (exit 65) and writes nothing")
    func decodeRefusesBinary() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(5000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.bin"] + key.spec).status == 0)
        let dec = try box.run(["decrypt", "-i", "m.bin", "-o", "out.bin", "--decode"] + key.spec)
        #expect(dec.status == 65, "\(dec)")
        #expect(dec.stderr.contains("base64"), "\(dec.stderr)")
        #expect(!box.exists("out.bin"))
    }

    @Test("the stream decoder gives the same bytes whatever the chunking", arguments: [1, 2, 3, 5, 7, 64, 1000])
    func decoderChunking(chunk: Int) throws {
        let bytes = testBytes(1001)
        let text = Array(Data(bytes).base64EncodedString(options: .lineLength64Characters).utf8)
        var decoder = Base64StreamDecoder()
        var out: [UInt8] = []
        var index = 0
        while index < text.count {
            out += try decoder.decode(text[index..<min(index + chunk, text.count)])
            index += chunk
        }
        try decoder.finish()
        #expect(out == bytes)
    }

    @Test("the stream decoder refuses bad input", arguments: [("AAA*", ArmorError.notBase64), ("AA==AAAA", .dataAfterPadding), ("AAAAA", .truncated)])
    func decoderRefuses(text: String, expected: ArmorError) {
        var decoder = Base64StreamDecoder()
        #expect(throws: expected) {
            _ = try decoder.decode(Array(text.utf8))
            try decoder.finish()
        }
    }

    @Test("detection: base64 of v1 and v2 headers is armored, binary and other text are not")
    func detection() {
        #expect(Armor.looksArmored(Array("AgV4...".utf8)))
        #expect(Armor.looksArmored(Array("\n AYAA".utf8)))
        #expect(!Armor.looksArmored([0x02, 0x05, 0x78]))
        #expect(!Armor.looksArmored([0x01, 0x80]))
        #expect(!Armor.looksArmored(Array("hello".utf8)))
    }
}
