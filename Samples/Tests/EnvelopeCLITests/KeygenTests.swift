import Foundation
import Testing

@Suite("envelope keygen")
struct KeygenTests {
    static func mode(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test("keygen raw-aes writes 32 random bytes with mode 0600, refuses to overwrite, and the key works")
    func rawAES() throws {
        let box = try Sandbox()
        let made = try box.run(["keygen", "raw-aes", "-o", "k.bin"])
        #expect(made.status == 0, "\(made)")
        let key = try box.read("k.bin")
        #expect(key.count == 32)
        #expect(try Self.mode(box.file("k.bin")) == 0o600)
        #expect(try box.run(["keygen", "raw-aes", "-o", "k2.bin"]).status == 0)
        #expect(try box.read("k2.bin") != key, "two keys are the same")
        let again = try box.run(["keygen", "raw-aes", "-o", "k.bin"])
        #expect(again.status == 73, "\(again)")
        #expect(try box.read("k.bin") == key, "the existing key was changed")
        try box.write("plain.bin", testBytes(1000))
        let spec = ["-w", "provider=raw-aes", "key-file=k.bin", "namespace=ns", "name=k"]
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec).status == 0)
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "out.bin"] + spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("out.bin") == testBytes(1000))
    }

    @Test("keygen raw-rsa writes a PKCS#8 PEM (0600) and a public PEM that encrypt uses")
    func rawRSA() throws {
        let box = try Sandbox()
        let made = try box.run(["keygen", "raw-rsa", "-o", "rsa.pem", "--bits", "2048", "--public-output", "rsa.pub.pem"])
        #expect(made.status == 0, "\(made)")
        let pem = String(decoding: try box.read("rsa.pem"), as: UTF8.self)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try Self.mode(box.file("rsa.pem")) == 0o600)
        #expect(String(decoding: try box.read("rsa.pub.pem"), as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----"))
        try box.write("plain.bin", testBytes(1000))
        let pub = ["-w", "provider=raw-rsa", "key-file=rsa.pub.pem", "namespace=ns", "name=r", "padding=oaep-sha256"]
        let priv = ["-w", "provider=raw-rsa", "key-file=rsa.pem", "namespace=ns", "name=r", "padding=oaep-sha256"]
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + pub)
        #expect(enc.status == 0, "\(enc)")
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "out.bin"] + priv)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("out.bin") == testBytes(1000))
        #expect(try box.run(["keygen", "raw-rsa", "-o", "rsa.pem", "--bits", "2048"]).status == 73)
        #expect(try box.run(["keygen", "raw-rsa", "-o", "small.pem", "--bits", "1024"]).status == 64)
    }

    @Test("keygen raw-rsa --passphrase-file writes an encrypted PKCS#8 PEM that OpenSSL opens with the passphrase only")
    func rawRSAPassphrase() throws {
        let box = try Sandbox()
        try box.write("pass.txt", Array("correct horse\n".utf8))
        let made = try box.run(["keygen", "raw-rsa", "-o", "enc.pem", "--bits", "2048", "--passphrase-file", "pass.txt"])
        #expect(made.status == 0, "\(made)")
        let pem = String(decoding: try box.read("enc.pem"), as: UTF8.self)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(!made.stderr.contains("correct horse") && !made.stdoutText.contains("correct horse"))
        // The openssl command line is the independent reader (the final newline is not part of the passphrase).
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return }
        func openssl(_ pass: String) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["pkey", "-in", box.file("enc.pem").path, "-passin", "pass:\(pass)", "-noout"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try openssl("correct horse") == 0)
        #expect(try openssl("wrong") != 0)
        try box.write("empty.txt", [])
        #expect(try box.run(["keygen", "raw-rsa", "-o", "e2.pem", "--passphrase-file", "empty.txt"]).status == 64)
        #expect(!box.exists("e2.pem"))
    }
}
