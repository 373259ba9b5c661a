import EnvelopeCrypto
import Foundation
import Testing

/// Issue 16, defect 9: passphrase-protected PEM keys (never a prompt), a key of another kind
/// named as such, and one line instead of the OpenSSL error stack.
@Suite("envelope: raw RSA keys in encrypted PEM files, keys of the wrong kind")
struct PEMKeyTests {
    /// Runs `openssl` with `arguments` in the sandbox.
    private func openssl(_ arguments: [String], in box: Sandbox) throws {
        let result = try CLIRunner.run(arguments, in: box.url, executable: URL(fileURLWithPath: "/usr/bin/openssl"))
        try #require(result.status == 0, "openssl \(arguments): \(result)")
    }

    private func spec(_ file: String, _ extra: [String] = []) -> [String] {
        ["-w", "provider=raw-rsa", "key-file=\(file)", "namespace=rsa-ns", "name=rsa-key", "padding=oaep-sha256"] + extra
    }

    @Test("an encrypted private PEM decrypts with passphrase-file= or passphrase-env=; without one it is refused, never prompted")
    func passphrase() throws {
        let box = try Sandbox()
        let key = try RSAPrivateKey(generatingBits: 2048)
        try box.write("private.pem", Array(try key.privatePEM().utf8))
        try box.write("public.pem", Array(try key.publicKey.pem().utf8))
        try box.write("pass.txt", Array("correct horse\n".utf8))
        try openssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "private.pem", "-out", "locked.pem", "-passout", "file:pass.txt"], in: box)
        for file in ["locked.pem", "pass.txt"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: box.file(file).path)
        }
        try box.write("plain.bin", testBytes(3000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec("public.pem")).status == 0)
        // No passphrase: refused at once (stdin is not a terminal; nothing waits for input).
        let refused = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec("locked.pem"))
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("passphrase-protected") && refused.stderr.contains("passphrase-file="), "\(refused)")
        let fromFile = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec("locked.pem", ["passphrase-file=pass.txt"]))
        #expect(fromFile.status == 0, "\(fromFile)")
        #expect(try box.read("m.out") == testBytes(3000))
        let fromEnv = try box.run(["decrypt", "-i", "m.enc", "-o", "m2.out"] + spec("locked.pem", ["passphrase-env=KEY_PASS"]),
                                  environment: ["KEY_PASS": "correct horse"])
        #expect(fromEnv.status == 0, "\(fromEnv)")
        let wrong = try box.run(["decrypt", "-i", "m.enc", "-o", "m3.out"] + spec("locked.pem", ["passphrase-env=KEY_PASS"]),
                                environment: ["KEY_PASS": "battery staple"])
        #expect(wrong.status == 64, "\(wrong)")
        #expect(wrong.stderrLines.count == 2, "one error line and a hint, no OpenSSL stack: \(wrong)")
        #expect(wrong.stderr.contains("passphrase"), "\(wrong)")
        #expect(!box.exists("m3.out"))
    }

    @Test("an EC key given as raw-rsa says it is an EC key, on one line")
    func ecKey() throws {
        let box = try Sandbox()
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"], in: box)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: box.file("ec.pem").path)
        try openssl(["pkey", "-in", "ec.pem", "-pubout", "-out", "ec-public.pem"], in: box)
        try box.write("plain.bin", testBytes(10))
        for file in ["ec.pem", "ec-public.pem"] {
            let run = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec(file))
            #expect(run.status == 64, "\(run)")
            #expect(run.stderr.contains("holds an EC key, not an RSA key"), "\(run)")
            #expect(run.stderrLines.count == 2, "\(run)")
        }
    }

    @Test("a file that is no PEM key gets one line, not OpenSSL's error stack; --verbose shows the details")
    func notAKey() throws {
        let box = try Sandbox()
        try box.write("junk.pem", Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: box.file("junk.pem").path)
        try box.write("plain.bin", testBytes(10))
        let run = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec("junk.pem"))
        #expect(run.status == 64, "\(run)")
        #expect(run.stderrLines.count == 2, "\(run)")
        #expect(!run.stderr.contains("error:0"), "no OpenSSL error codes: \(run)")
        let verbose = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--verbose"] + spec("junk.pem"))
        #expect(verbose.stderr.contains("details:"), "\(verbose)")
    }
}
