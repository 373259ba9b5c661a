import EnvelopeCrypto
import Foundation
import Testing

@Suite("envelope: raw AES and raw RSA keys, multi-keyrings, context, suites, limits, metadata")
struct RawKeyTests {
    @Test("raw AES round trip through files, 16/24/32-byte keys", arguments: [16, 24, 32])
    func rawAESRoundTrip(length: Int) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box, length: length)
        let plaintext = testBytes(100_003)
        try box.write("plain.bin", plaintext)
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "plain.enc"] + key.spec + ["-c", "purpose=test", "team=blue"])
        #expect(enc.status == 0, "\(enc)")
        #expect(enc.stdout.isEmpty && enc.stderr.isEmpty)
        let dec = try box.run(["decrypt", "-i", "plain.enc", "-o", "plain.out"] + key.spec + ["-c", "purpose=test"])
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("plain.out") == plaintext)
        #expect(box.temporaryLeftovers().isEmpty)
    }

    @Test("a wrong-length raw AES key file is refused with exit 64")
    func wrongKeyLength() throws {
        let box = try Sandbox()
        try box.write("k.bin", testBytes(31))
        try box.write("plain.bin", [1])
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "out", "-w", "provider=raw-aes", "key-file=k.bin", "namespace=n", "name=k"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("31 bytes"))
        #expect(!box.exists("out"))
    }

    @Test("a missing key file is exit 66")
    func missingKeyFile() throws {
        let box = try Sandbox()
        try box.write("plain.bin", [1])
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "out", "-w", "provider=raw-aes", "key-file=nope.bin", "namespace=n", "name=k"])
        #expect(result.status == 66, "\(result)")
    }

    @Test("raw RSA: a public PEM encrypts, the private PEM decrypts, a public PEM cannot decrypt",
          arguments: ["pkcs1", "oaep-sha1", "oaep-sha256", "oaep-sha384", "oaep-sha512"])
    func rawRSA(padding: String) throws {
        let box = try Sandbox()
        let key = try RSAPrivateKey(generatingBits: 2048)
        try box.write("private.pem", Array(try key.privatePEM().utf8))
        try box.write("public.pem", Array(try key.publicKey.pem().utf8))
        try box.write("plain.bin", testBytes(5000))
        func spec(_ file: String) -> [String] { ["-w", "provider=raw-rsa", "key-file=\(file)", "namespace=rsa-ns", "name=rsa-key", "padding=\(padding)"] }
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec("public.pem"))
        #expect(enc.status == 0, "\(enc)")
        let refused = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec("public.pem"))
        #expect(refused.status == 64, "\(refused)")
        #expect(!box.exists("m.out"))
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec("private.pem"))
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("m.out") == testBytes(5000))
    }

    @Test("several -w make a multi-keyring: any one key decrypts; metadata names every EDK and the one used")
    func multiKeyring() throws {
        let box = try Sandbox()
        let k1 = try RawAESKey.make(in: box, name: "first", seed: 1)
        let k2 = try RawAESKey.make(in: box, name: "second", seed: 2)
        let k3 = try RawAESKey.make(in: box, name: "third", seed: 3)
        try box.write("plain.bin", testBytes(10_000))
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + k1.spec + k2.spec + ["--metadata-output", "meta.jsonl"])
        #expect(enc.status == 0, "\(enc)")
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + k3.spec + k2.spec + ["--metadata-output", "-"])
        #expect(dec.status == 0, "\(dec)")
        let record = try dec.json()
        let edks = try #require(record["encrypted_data_keys"] as? [[String: Any]])
        #expect(edks.compactMap { $0["key"] as? String } == ["first", "second"])
        let used = try #require(record["decrypted_with"] as? [String: Any])
        #expect(used["key"] as? String == "second")
        #expect(used["provider_id"] as? String == "cli-tests")
        let wrong = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out2"] + k3.spec)
        #expect(wrong.status == 77, "\(wrong)")
        #expect(wrong.stderr.contains("first") && wrong.stderr.contains("second"), "the failure lists every encrypted data key")
        #expect(!box.exists("m.out2"))
    }

    @Test("metadata output: one JSON object per message with input, output, suite, frame length, context, key names")
    func metadata() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("a.bin", testBytes(3000))
        try box.write("b.bin", testBytes(4000, seed: 9))
        for name in ["a", "b"] {
            let r = try box.run(["encrypt", "-i", "\(name).bin", "-o", "\(name).enc", "--frame-length", "1024", "-c", "app=tests"]
                                + key.spec + ["--metadata-output", "meta.jsonl"])
            #expect(r.status == 0, "\(r)")
        }
        let lines = String(decoding: try box.read("meta.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2, "records are appended, one line each")
        for (line, name) in zip(lines, ["a", "b"]) {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["mode"] as? String == "encrypt")
            #expect(record["input"] as? String == "\(name).bin")
            #expect(record["output"] as? String == "\(name).enc")
            #expect(record["suite"] as? String == "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384")
            #expect(record["suite_id"] as? String == "0x0578")
            #expect(record["frame_length"] as? Int == 1024)
            let context = try #require(record["encryption_context"] as? [String: String])
            #expect(context["app"] == "tests")
            #expect(context["aws-crypto-public-key"] != nil)
        }
        let clash = try box.run(["encrypt", "-i", "a.bin", "-o", "-", "--metadata-output", "-"] + key.spec)
        #expect(clash.status == 64, "metadata and message cannot share stdout: \(clash)")
    }

    @Test("decrypt -c: k=v must match, a bare k must be present; refused before any output", arguments: [
        (["-c", "purpose=test"], Int32(0)),
        (["-c", "purpose"], Int32(0)),
        (["-c", "purpose=test", "team=blue"], Int32(0)),
        (["-c", "purpose=prod"], Int32(65)),
        (["-c", "missing"], Int32(65)),
        (["-c", "extra=pair"], Int32(65)),
    ])
    func requiredContext(context: [String], expected: Int32) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(2000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-c", "purpose=test", "team=blue"] + key.spec).status == 0)
        let result = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + key.spec + context)
        #expect(result.status == expected, "\(result)")
        #expect(box.exists("m.out") == (expected == 0))
        if expected != 0 { #expect(result.stderr.contains("encryption context"), "\(result)") }
    }

    @Test("--algorithm takes the ESDK suite names; the header carries the suite", arguments: [
        ("AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", "0x0578", "require-encrypt-require-decrypt"),
        ("AES_256_GCM_HKDF_SHA512_COMMIT_KEY", "0x0478", "require-encrypt-require-decrypt"),
        ("AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384", "0x0378", "forbid-encrypt-allow-decrypt"),
        ("AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256", "0x0214", "forbid-encrypt-allow-decrypt"),
        ("AES_256_GCM_IV12_TAG16_HKDF_SHA256", "0x0178", "forbid-encrypt-allow-decrypt"),
        ("AES_128_GCM_IV12_TAG16", "0x0014", "forbid-encrypt-allow-decrypt"),
    ])
    func algorithms(name: String, id: String, policy: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(9000))
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--algorithm", name, "--commitment-policy", policy,
                               "--frame-length", "512", "--metadata-output", "-"] + key.spec)
        #expect(enc.status == 0, "\(enc)")
        let record = try enc.json()
        #expect(record["suite_id"] as? String == id)
        #expect(record["frame_length"] as? Int == 512)
        let decPolicy = policy == "forbid-encrypt-allow-decrypt" ? "require-encrypt-allow-decrypt" : policy
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "--commitment-policy", decPolicy] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("m.out") == testBytes(9000))
    }

    @Test("commitment policy: legacy suites need forbid-encrypt-allow-decrypt; require-require refuses to decrypt them")
    func commitmentPolicy() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        let refused = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--algorithm", "AES_256_GCM_IV12_TAG16_HKDF_SHA256"] + key.spec)
        #expect(refused.status == 64, "\(refused)")
        #expect(!box.exists("m.enc"))
        let committing = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--commitment-policy", "forbid-encrypt-allow-decrypt",
                                      "--algorithm", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"] + key.spec)
        #expect(committing.status == 64, "\(committing)")
        let legacy = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--commitment-policy", "forbid-encrypt-allow-decrypt"] + key.spec)
        #expect(legacy.status == 0, "\(legacy)")
        let strict = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + key.spec)
        #expect(strict.status == 65, "\(strict)")
        #expect(!box.exists("m.out"))
        let allow = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "--commitment-policy", "require-encrypt-allow-decrypt"] + key.spec)
        #expect(allow.status == 0, "\(allow)")
    }

    @Test("--max-encrypted-data-keys limits both directions")
    func maxEncryptedDataKeys() throws {
        let box = try Sandbox()
        let k1 = try RawAESKey.make(in: box, name: "one", seed: 1)
        let k2 = try RawAESKey.make(in: box, name: "two", seed: 2)
        try box.write("plain.bin", testBytes(100))
        let tooMany = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--max-encrypted-data-keys", "1"] + k1.spec + k2.spec)
        #expect(tooMany.status == 65, "\(tooMany)")
        #expect(!box.exists("m.enc"))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--max-encrypted-data-keys", "2"] + k1.spec + k2.spec).status == 0)
        let refused = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "--max-encrypted-data-keys", "1"] + k1.spec)
        #expect(refused.status == 65, "\(refused)")
        #expect(!box.exists("m.out"))
        #expect(try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "--max-encrypted-data-keys", "2"] + k1.spec).status == 0)
    }

    @Test("decrypt --encrypt-only is refused at once (no key read, no KMS opened, no output)")
    func decryptEncryptOnlyRefused() throws {
        let box = try Sandbox()
        let state = box.file("never-created")
        let result = try box.run(["decrypt", "-i", "nothing.enc", "-o", "out", "--encrypt-only", "-w", "key=arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                  "--kms", "local", "--kms-state", state.path, "--principal", "arn:aws:iam::012345678901:user/U"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("encrypt-only"))
        #expect(!FileManager.default.fileExists(atPath: state.path), "the local KMS state was never opened")
        #expect(!box.exists("out"))
    }

    @Test("--encrypt-only with raw keys is refused (the encrypt-only client mirrors a KMS key policy)")
    func encryptOnlyNeedsKMS() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", [1, 2])
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--encrypt-only"] + key.spec)
        #expect(result.status == 64, "\(result)")
    }
}
