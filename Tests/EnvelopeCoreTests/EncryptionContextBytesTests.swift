import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Testing

/// Issue 15, point 9: the encryption context is compared by UTF-8 bytes, as the message stores
/// it, not by Swift `String` canonical equivalence.
@Suite("Encryption context compared by bytes")
struct EncryptionContextBytesTests {
    static let nfc = "caf\u{E9}"        // é precomposed
    static let nfd = "cafe\u{301}"      // e + combining acute

    @Test("Keys that differ only in Unicode normalization are two keys")
    func distinctKeys() {
        var context = EncryptionContext()
        context[Self.nfc] = "precomposed"
        context[Self.nfd] = "decomposed"
        #expect(context.count == 2)
        #expect(context[Self.nfc] == "precomposed" && context[Self.nfd] == "decomposed")
        var one = EncryptionContext()
        one[Self.nfc] = "v"
        var other = EncryptionContext()
        other[Self.nfd] = "v"
        #expect(one != other)
        var values = EncryptionContext()
        values["k"] = Self.nfd
        var otherValues = EncryptionContext()
        otherValues["k"] = Self.nfc
        #expect(values != otherValues)
    }

    @Test("A message whose context holds both forms round-trips with both pairs")
    func roundTrip() async throws {
        var context = EncryptionContext()
        context[Self.nfc] = "1"
        context[Self.nfd] = "2"
        let client = EnvelopeClient()
        let keyring = try Fixtures.aesKeyring()
        let message = try await client.encrypt(Fixtures.plaintext(50), keyring: keyring, encryptionContext: context,
                                               suite: .aes256GCMHKDFSHA512CommitKey)
        #expect(message.header.encryptionContext.count == 2)
        let result = try await client.decrypt(message.ciphertext, keyring: keyring)
        #expect(result.encryptionContext.count == 2)
        #expect(result.encryptionContext[Self.nfc] == "1" && result.encryptionContext[Self.nfd] == "2")
    }

    /// count, then (key, value) pairs, each uint16-length-prefixed.
    static func serialized(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = [UInt8(pairs.count >> 8), UInt8(pairs.count & 0xFF)]
        for (key, value) in pairs {
            for field in [Array(key.utf8), Array(value.utf8)] {
                out += [UInt8(field.count >> 8), UInt8(field.count & 0xFF)] + field
            }
        }
        return out
    }

    @Test("A header context with NFC and NFD keys is not a duplicate; identical bytes still are")
    func parsing() throws {
        let both = try Self.serialized([(Self.nfc, "1"), (Self.nfd, "2")]).withUnsafeBytes { try EncryptionContextCodec.parse($0) }
        #expect(both.count == 2)
        #expect(both[Self.nfd] == "2")
        #expect(throws: EnvelopeError.self) {
            _ = try Self.serialized([(Self.nfc, "1"), (Self.nfc, "2")]).withUnsafeBytes { try EncryptionContextCodec.parse($0) }
        }
    }

    @Test("A reproduced value must match the stored value byte for byte")
    func reproducedValueBytes() async throws {
        let client = EnvelopeClient()
        let keyring = try Fixtures.aesKeyring()
        var stored = EncryptionContext()
        stored["tenant"] = Self.nfd
        let message = try await client.encrypt(Fixtures.plaintext(50), keyring: keyring, encryptionContext: stored).ciphertext
        var reproduced = EncryptionContext()
        reproduced["tenant"] = Self.nfc
        _ = await expectEnvelopeError(.encryptionContextMismatch) {
            _ = try await client.decrypt(message, keyring: keyring, encryptionContext: reproduced)
        }
        #expect(try await client.decrypt(message, keyring: keyring, encryptionContext: stored).plaintext == Fixtures.plaintext(50))
    }
}
