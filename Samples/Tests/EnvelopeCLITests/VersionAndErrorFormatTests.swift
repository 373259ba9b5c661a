import Foundation
import Testing

@Suite("envelope --version and --error-format json")
struct VersionAndErrorFormatTests {
    @Test("--version names the version, the commit, OpenSSL, libsodium and the default suite")
    func version() throws {
        let box = try Sandbox()
        let result = try box.run(["--version"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("envelope ") == true, "\(result)")
        let commit = try #require(lines.first { $0.hasPrefix("commit: ") }, "\(result)").dropFirst("commit: ".count)
        #expect(commit == "unknown" || (commit.count == 12 && commit.allSatisfy(\.isHexDigit)), "\(commit)")
        #expect(lines.contains { $0.hasPrefix("OpenSSL: OpenSSL 3.") }, "\(result)")
        #expect(lines.contains { $0.hasPrefix("libsodium: 1.") }, "\(result)")
        #expect(lines.contains("default suite: AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 (0x0578)"), "\(result)")
    }

    @Test("a decrypt no key can open: one JSON line on stderr with code, exit status, hint and the per-key failures")
    func noDataKeyJSON() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let other = try RawAESKey.make(in: box, name: "other", seed: 9)
        try box.write("plain.bin", testBytes(100))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + key.spec).status == 0)
        let result = try box.run(["--error-format", "json", "decrypt", "-i", "m.enc", "-o", "out.bin"] + other.spec)
        #expect(result.status == 77, "\(result)")
        let lines = result.stderrLines
        #expect(lines.count == 1, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any], "\(result)")
        #expect(object["code"] as? String == "noDataKey")
        #expect(object["exit_status"] as? Int == 77)
        #expect((object["message"] as? String)?.isEmpty == false)
        #expect(object["hint"] is String)
        let failures = try #require(object["data_key_failures"] as? [[String: Any]])
        #expect(failures.count == 1)
        #expect(failures.first?["provider"] as? String == key.namespace)
        #expect(failures.first?["key"] as? String == key.name)
        #expect(failures.first?["reason"] is String)
    }

    @Test("usage errors in JSON too, with --error-format=json after the subcommand; a bad format is a usage error")
    func usageJSON() throws {
        let box = try Sandbox()
        let result = try box.run(["encrypt", "--error-format=json", "-i", "nope", "-o", "x"])
        #expect(result.status == 64, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [String: Any], "\(result)")
        #expect(object["exit_status"] as? Int == 64)
        #expect(object["code"] as? String == "usage")
        #expect((object["data_key_failures"] as? [Any])?.isEmpty == true)
        let bad = try box.run(["--error-format", "yaml", "encrypt"])
        #expect(bad.status == 64, "\(bad)")
        #expect(bad.stderr.contains("--error-format yaml"))
    }
}
