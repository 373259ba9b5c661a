import EnvelopeTestSupport
import Foundation
import Testing

/// The official Python ESDK (4.0.7) through Tests/Interop/esdk_peer.py (from the infra branch).
enum PythonESDK {
    static var peer: String { TestRepository.file("Tests/Interop/esdk_peer.py").path }

    /// Runs one peer job; returns its JSON result.
    static func run(_ arguments: [String], in box: Sandbox) throws -> [String: Any] {
        let process = Process()
        process.executableURL = try TestPython.interpreter(needing: "aws-encryption-sdk==4.0.7")
        process.arguments = [peer] + arguments
        process.currentDirectoryURL = box.url
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "peer output: \(String(decoding: data, as: UTF8.self))")
    }
}

@Suite("envelope ↔ the official Python ESDK (raw AES keys)")
struct PythonInteropTests {
    @Test("a message written by the CLI is decrypted by the Python ESDK", arguments: [
        ("AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", "require-encrypt-require-decrypt"),
        ("AES_256_GCM_HKDF_SHA512_COMMIT_KEY", "require-encrypt-require-decrypt"),
        ("AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384", "forbid-encrypt-allow-decrypt"),
    ])
    func cliToPython(suite: String, policy: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box, name: "interop-key", namespace: "interop-ns")
        let plaintext = testBytes(70_000)
        try box.write("plain.bin", plaintext)
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "cli.enc", "--algorithm", suite, "--commitment-policy", policy,
                               "--frame-length", "1024", "-c", "origin=swift-cli"] + key.spec)
        #expect(enc.status == 0, "\(enc)")
        let result = try PythonESDK.run(["decrypt", "--in", "cli.enc", "--out", "py.out", "--aes-key-hex", key.hex, "--namespace", key.namespace,
                                         "--name", key.name, "--commitment-policy",
                                         policy == "forbid-encrypt-allow-decrypt" ? "require-encrypt-allow-decrypt" : policy], in: box)
        #expect(result["ok"] as? Bool == true, "\(result)")
        #expect(try box.read("py.out") == plaintext)
        #expect((result["encryption_context"] as? [String: String])?["origin"] == "swift-cli")
    }

    @Test("a message written by the Python ESDK is decrypted by the CLI, with its context required")
    func pythonToCLI() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box, name: "interop-key", namespace: "interop-ns")
        let plaintext = testBytes(50_001, seed: 5)
        try box.write("plain.bin", plaintext)
        let result = try PythonESDK.run(["encrypt", "--in", "plain.bin", "--out", "py.enc", "--aes-key-hex", key.hex, "--namespace", key.namespace,
                                         "--name", key.name, "--context", "{\"origin\":\"python\"}"], in: box)
        #expect(result["ok"] as? Bool == true, "\(result)")
        let dec = try box.run(["decrypt", "-i", "py.enc", "-o", "cli.out", "-c", "origin=python", "--metadata-output", "-"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("cli.out") == plaintext)
        #expect(try dec.json()["suite_id"] as? String == "0x0578")
        let wrong = try box.run(["decrypt", "-i", "py.enc", "-o", "cli.out2", "-c", "origin=elsewhere"] + key.spec)
        #expect(wrong.status == 65)
        #expect(!box.exists("cli.out2"))
    }
}
