import EnvelopeCrypto
import Foundation
import Testing

/// Issue 15: decrypt --refuse-signed and --buffer (point 3), the default
/// --max-encrypted-data-keys (point 7), and the RSA weak-key opt-in of a SPEC (point 2).
@Suite("envelope decrypt: --refuse-signed, --buffer, default EDK limit, weak RSA keys")
struct DecryptSafetyOptionTests {
    static let unsigned = ["--algorithm", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"]

    @Test("--refuse-signed fails on a signed message before any output, and decrypts an unsigned one")
    func refuseSigned() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(5000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "signed.enc", "--frame-length", "1000"] + key.spec).status == 0)
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "unsigned.enc"] + Self.unsigned + key.spec).status == 0)
        let refused = try box.run(["decrypt", "-i", "signed.enc", "-o", "-", "--refuse-signed"] + key.spec)
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("--refuse-signed"))
        let accepted = try box.run(["decrypt", "-i", "unsigned.enc", "-o", "-", "--refuse-signed"] + key.spec)
        #expect(accepted.status == 0, "\(accepted)")
        #expect(accepted.stdout == testBytes(5000))
    }

    @Test("--buffer with -o - writes nothing when the signature fails, everything when it verifies")
    func buffer() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(5000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--frame-length", "1000"] + key.spec).status == 0)
        var tampered = try box.read("m.enc")
        tampered[tampered.count - 1] ^= 0x01
        try box.write("bad.enc", tampered)
        let streamed = try box.run(["decrypt", "-i", "bad.enc", "-o", "-"] + key.spec)
        #expect(streamed.status == 65, "\(streamed)")
        #expect(!streamed.stdout.isEmpty, "without --buffer verified frames are written as they come")
        let buffered = try box.run(["decrypt", "-i", "bad.enc", "-o", "-", "--buffer"] + key.spec)
        #expect(buffered.status == 65, "\(buffered)")
        #expect(buffered.stdout.isEmpty)
        let good = try box.run(["decrypt", "-i", "m.enc", "-o", "-", "--buffer"] + key.spec)
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout == testBytes(5000))
    }

    @Test("decrypt refuses more than 10 encrypted data keys unless --max-encrypted-data-keys says otherwise")
    func defaultEDKLimit() throws {
        let box = try Sandbox()
        let keys = try (0..<11).map { try RawAESKey.make(in: box, name: "k\($0)", seed: UInt8($0 + 1)) }
        try box.write("plain.bin", testBytes(100))
        let eleven = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--max-encrypted-data-keys", "11"] + keys.flatMap(\.spec))
        #expect(eleven.status == 0, "\(eleven)")
        let refused = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + keys[0].spec)
        #expect(refused.status == 65, "\(refused)")
        #expect(!box.exists("m.out"))
        #expect(try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "--max-encrypted-data-keys", "11"] + keys[0].spec).status == 0)
    }

    @Test("an RSA key under 2048 bits needs allow-weak-key=yes in its SPEC")
    func weakRSAKey() throws {
        let box = try Sandbox()
        let key = try RSAPrivateKey(generatingBits: 1024)
        try box.write("private.pem", Array(try key.privatePEM().utf8))
        try box.write("plain.bin", testBytes(100))
        let spec = ["-w", "provider=raw-rsa", "key-file=private.pem", "namespace=ns", "name=k", "padding=oaep-sha256"]
        let refused = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec)
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("allow-weak-key=yes"))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec + ["allow-weak-key=yes"]).status == 0)
        #expect(try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec + ["allow-weak-key=yes"]).status == 0)
        #expect(try box.read("m.out") == testBytes(100))
    }
}
