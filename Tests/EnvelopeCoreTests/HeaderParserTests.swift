import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

@Suite("Header parser: pure, bounded, never traps")
struct HeaderParserTests {
    @Test("every prefix of a header asks for more bytes; the full header parses", arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA384ECDSAP384])
    func prefixes(suite: AlgorithmSuite) async throws {
        let client = EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt)
        let message = try await client.encrypt([1, 2, 3], keyring: try Fixtures.aesKeyring(), encryptionContext: ["a": "b", "c": "d"], suite: suite).ciphertext
        let full = try #require(try message.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }.header)
        #expect(full.encryptionContext["a"] == "b")
        #expect(full.suite == suite)
        for cut in 0..<full.totalLength {
            let prefix = Array(message[0..<cut])
            #expect(try prefix.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }.needsMore, "cut \(cut)")
        }
    }

    @Test("random and mutated inputs return or throw, never trap")
    func fuzz() async throws {
        let message = try await EnvelopeClient().encrypt([1, 2, 3], keyring: try Fixtures.aesKeyring(), encryptionContext: ["k": "v"]).ciphertext
        var rng = SystemRandomNumberGenerator()
        var outcomes = (parsed: 0, more: 0, thrown: 0)
        for i in 0..<20_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if i % 4 == 0, !bytes.isEmpty { bytes[0] = UInt8.random(in: 1...2, using: &rng) }
                if i % 8 == 0, bytes.count > 1 { bytes[1] = 0x80 }
            } else {
                bytes = message
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let at = Int.random(in: 0..<min(bytes.count, 400), using: &rng)
                    bytes[at] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            do {
                switch try bytes.withUnsafeBytes({ try HeaderCodec.parse($0, maxEncryptedDataKeys: 10) }) {
                case .header: outcomes.parsed += 1
                case .needMoreBytes: outcomes.more += 1
                }
            } catch is EnvelopeError {
                outcomes.thrown += 1
            }
        }
        #expect(outcomes.parsed + outcomes.more + outcomes.thrown == 20_000)
        #expect(outcomes.thrown > 0)
    }

    @Test("malformed fields are refused with malformedMessage")
    func malformedFields() async throws {
        let message = try await EnvelopeClient().encrypt([1], keyring: try Fixtures.aesKeyring(), suite: .aes256GCMHKDFSHA512CommitKey).ciphertext
        func parse(_ b: [UInt8]) throws { _ = try b.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) } }
        var bad = message; bad[0] = 3
        #expect(throws: EnvelopeError.self) { try parse(bad) }
        bad = message; bad[1] = 0x05; bad[2] = 0x79   // unknown suite
        #expect(throws: EnvelopeError.self) { try parse(bad) }
        bad = message; bad[1] = 0x00; bad[2] = 0x14   // v1 suite in a v2 header
        #expect(throws: EnvelopeError.self) { try parse(bad) }
        // Frame length: 0, or above 2^31-1, is refused by the parser itself.
        let header = try #require(try message.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }.header)
        let frameLengthOffset = header.totalLength - 16 - 32 - 4
        #expect(Array(message[frameLengthOffset..<(frameLengthOffset + 4)]) == [0, 0, 0x10, 0])
        for value: [UInt8] in [[0x80, 0, 0, 0], [0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF]] {
            bad = message; bad.replaceSubrange(frameLengthOffset..<(frameLengthOffset + 4), with: value)
            #expect(throws: EnvelopeError.self) { try parse(bad) }
        }
        bad = message; bad[frameLengthOffset - 1] = 0x01   // non-framed content type with a frame length
        #expect(throws: EnvelopeError.self) { try parse(bad) }
        // A v1 message with a bad type byte.
        let v1 = try await EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt).encrypt([1], keyring: try Fixtures.aesKeyring(), suite: .aes128GCMHKDFSHA256).ciphertext
        bad = v1; bad[1] = 0x81
        #expect(throws: EnvelopeError.self) { try parse(bad) }
    }

    @Test("encryption context codec: sorted, round-trips, rejects duplicates and bad UTF-8")
    func contextCodec() throws {
        let context: EncryptionContext = ["b": "2", "a": "1", "ä": "x", "aa": ""]
        let bytes = try EncryptionContextCodec.serialize(context)
        #expect(Array(bytes[0..<2]) == [0, 4])
        #expect(Array(bytes[2..<5]) == [0, 1, UInt8(ascii: "a")])
        #expect(try bytes.withUnsafeBytes { try EncryptionContextCodec.parse($0) } == context)
        #expect(try EncryptionContextCodec.serialize([:]).isEmpty)
        let duplicate: [UInt8] = [0, 2, 0, 1, 97, 0, 0, 0, 1, 97, 0, 0]
        #expect(throws: EnvelopeError.self) { try duplicate.withUnsafeBytes { try EncryptionContextCodec.parse($0) } }
        let badUTF8: [UInt8] = [0, 1, 0, 1, 0xFF, 0, 0]
        #expect(throws: EnvelopeError.self) { try badUTF8.withUnsafeBytes { try EncryptionContextCodec.parse($0) } }
        let zeroCount: [UInt8] = [0, 0]
        #expect(throws: EnvelopeError.self) { try zeroCount.withUnsafeBytes { try EncryptionContextCodec.parse($0) } }
    }
}
