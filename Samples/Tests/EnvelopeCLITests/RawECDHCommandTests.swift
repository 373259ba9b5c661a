import Foundation
import Testing

/// `-w provider=raw-ecdh …` and `keygen raw-ecdh`, through the real binary: two parties agree on
/// wrapping keys without a shared secret.
@Suite("envelope: raw ECDH keys")
struct RawECDHCommandTests {
    /// Makes `name.pem` (private) and `name.pub.pem` (public) on `curve`.
    static func keyPair(_ box: Sandbox, _ name: String, curve: String = "p256") throws {
        let made = try box.run(["keygen", "raw-ecdh", "--curve", curve, "-o", "\(name).pem", "--public-output", "\(name).pub.pem"])
        #expect(made.status == 0, "\(made)")
    }

    static func spec(_ words: String...) -> [String] { ["-w", "provider=raw-ecdh"] + words }

    @Test("keygen raw-ecdh writes a PKCS#8 PEM (0600) and a public PEM; static, ephemeral and discovery round trip")
    func roundTrip() throws {
        let box = try Sandbox()
        try Self.keyPair(box, "alice")
        try Self.keyPair(box, "bob")
        let pem = String(decoding: try box.read("alice.pem"), as: UTF8.self)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try KeygenTests.mode(box.file("alice.pem")) == 0o600)
        // The public key also works as DER (the encoding the specification names).
        let publicPEM = String(decoding: try box.read("bob.pub.pem"), as: UTF8.self)
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let base64 = publicPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        try box.write("bob.pub.der", Array(try #require(Data(base64Encoded: base64))))
        try box.write("plain.bin", testBytes(3000))

        // Alice encrypts to Bob with her static key.
        let aliceToBob = Self.spec("curve=p256", "schema=static", "key-file=alice.pem", "recipient-key=bob.pub.der")
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + aliceToBob)
        #expect(enc.status == 0, "\(enc)")
        // Bob reads it with his static view of Alice, and with discovery; Alice reads her own message.
        for (name, spec) in [
            ("bob-static", Self.spec("curve=p256", "schema=static", "key-file=bob.pem", "recipient-key=alice.pub.pem")),
            ("bob-discovery", Self.spec("curve=p256", "schema=discovery", "key-file=bob.pem")),
            ("alice-static", aliceToBob),
        ] {
            let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "\(name).out"] + spec)
            #expect(dec.status == 0, "\(name): \(dec)")
            #expect(try box.read("\(name).out") == testBytes(3000), "\(name)")
        }

        // Anyone encrypts to Bob with an ephemeral key; only Bob (discovery) reads it.
        let ephemeral = try box.run(["encrypt", "-i", "plain.bin", "-o", "e.enc"]
            + Self.spec("curve=p256", "schema=ephemeral", "recipient-key=bob.pub.pem"))
        #expect(ephemeral.status == 0, "\(ephemeral)")
        let dec = try box.run(["decrypt", "-i", "e.enc", "-o", "e.out"] + Self.spec("curve=p256", "schema=discovery", "key-file=bob.pem"))
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("e.out") == testBytes(3000))
        let alice = try box.run(["decrypt", "-i", "e.enc", "-o", "alice-e.out"] + Self.spec("curve=p256", "schema=discovery", "key-file=alice.pem"))
        #expect(alice.status != 0, "Alice decrypted a message sent to Bob: \(alice)")
        #expect(!box.exists("alice-e.out"))
    }

    @Test("a key on another curve is refused with a usage error that names both curves")
    func wrongCurve() throws {
        let box = try Sandbox()
        try Self.keyPair(box, "alice")
        try Self.keyPair(box, "carol", curve: "p384")
        try box.write("plain.bin", testBytes(100))
        let publicKey = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"]
            + Self.spec("curve=p256", "schema=static", "key-file=alice.pem", "recipient-key=carol.pub.pem"))
        #expect(publicKey.status == 64, "\(publicKey)")
        #expect(publicKey.stderr.contains("carol.pub.pem") && publicKey.stderr.contains("P-384"), "\(publicKey.stderr)")
        let privateKey = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"]
            + Self.spec("curve=p256", "schema=static", "key-file=carol.pem", "recipient-key=alice.pub.pem"))
        #expect(privateKey.status == 64, "\(privateKey)")
        #expect(privateKey.stderr.contains("carol.pem"), "\(privateKey.stderr)")
        #expect(!box.exists("m.enc"))
    }

    @Test("a mistyped key path, a missing word and a schema used the wrong way are refused before any output")
    func mistakes() throws {
        let box = try Sandbox()
        try Self.keyPair(box, "bob")
        try box.write("plain.bin", testBytes(100))
        let missing = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"]
            + Self.spec("curve=p256", "schema=ephemeral", "recipient-key=bob.pub.pen"))
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("bob.pub.pen"), "\(missing.stderr)")
        let noCurve = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + Self.spec("schema=ephemeral", "recipient-key=bob.pub.pem"))
        #expect(noCurve.status == 64 && noCurve.stderr.contains("curve="), "\(noCurve)")
        let discoveryEncrypt = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + Self.spec("curve=p256", "schema=discovery", "key-file=bob.pem"))
        #expect(discoveryEncrypt.status == 64 && discoveryEncrypt.stderr.contains("only decrypts"), "\(discoveryEncrypt)")
        let notAKey = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + Self.spec("curve=p256", "schema=ephemeral", "recipient-key=plain.bin"))
        #expect(notAKey.status == 64, "\(notAKey)")
        #expect(!box.exists("m.enc"))
    }
}
