import Foundation
import Testing

/// `--jobs N` sets how many cores seal or open the frames of each message (the parallel frame
/// pipeline); the messages are valid whatever N, and every safety rule still holds.
@Suite("envelope: --jobs (parallel frame pipeline)")
struct JobsTests {
    /// nil: the default (the number of cores).
    static let jobChoices: [Int?] = [nil, 1, 2]
    static let suites = ["AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"]
    /// Several 2 MiB pipeline batches of 4 KiB frames, not a whole number of frames.
    static let size = (5 << 20) + 1234

    static func jobsArguments(_ jobs: Int?) -> [String] { jobs.map { ["--jobs", String($0)] } ?? [] }

    @Test("file to file: --jobs 1, 2 and the default make messages that every --jobs decrypts to the same bytes", arguments: suites)
    func fileToFile(suite: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let plaintext = testBytes(Self.size, seed: 9)
        try box.write("plain.bin", plaintext)
        for (i, encryptJobs) in Self.jobChoices.enumerated() {
            let message = "m\(i).enc"
            let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", message, "--algorithm", suite, "--frame-length", "4096",
                                   "--metadata-output", "meta\(i).jsonl"] + Self.jobsArguments(encryptJobs) + key.spec)
            #expect(enc.status == 0, "encrypt --jobs \(encryptJobs.map(String.init) ?? "default"): \(enc)")
            let record = try #require(try JSONSerialization.jsonObject(with: Data(try box.read("meta\(i).jsonl"))) as? [String: Any])
            #expect(record["suite"] as? String == suite)
            #expect(record["frame_length"] as? Int == 4096)
            for (j, decryptJobs) in Self.jobChoices.enumerated() {
                let out = "p\(i)-\(j).bin"
                let dec = try box.run(["decrypt", "-i", message, "-o", out] + Self.jobsArguments(decryptJobs) + key.spec)
                #expect(dec.status == 0, "decrypt --jobs \(decryptJobs.map(String.init) ?? "default"): \(dec)")
                #expect(try box.read(out) == plaintext, "encrypted with --jobs \(encryptJobs.map(String.init) ?? "default"), decrypted with \(decryptJobs.map(String.init) ?? "default")")
            }
        }
        #expect(box.temporaryLeftovers().isEmpty)
    }

    @Test("stdin to stdout: --jobs 1, 2 and the default round-trip the same bytes", arguments: suites)
    func pipes(suite: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let plaintext = testBytes(Self.size, seed: 11)
        var messages: [[UInt8]] = []
        for jobs in Self.jobChoices {
            let enc = try box.run(["encrypt", "-i", "-", "-o", "-", "--algorithm", suite] + Self.jobsArguments(jobs) + key.spec, stdin: plaintext)
            #expect(enc.status == 0, "\(enc)")
            messages.append(enc.stdout)
        }
        for message in messages {
            for jobs in Self.jobChoices {
                let dec = try box.run(["decrypt", "-i", "-", "-o", "-"] + Self.jobsArguments(jobs) + key.spec, stdin: message)
                #expect(dec.status == 0, "\(dec)")
                #expect(dec.stdout == plaintext)
            }
        }
    }

    @Test("a tampered message fails under --jobs 2 and leaves no output file", arguments: suites)
    func tampered(suite: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(Self.size, seed: 13))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--algorithm", suite, "--jobs", "2"] + key.spec).status == 0)
        var message = try box.read("m.enc")
        message[message.count / 2] ^= 0x01   // inside a frame in the middle of the body
        try box.write("bad.enc", message)
        let dec = try box.run(["decrypt", "-i", "bad.enc", "-o", "out.bin", "--jobs", "2"] + key.spec)
        #expect(dec.status != 0, "\(dec)")
        #expect(!dec.stderr.isEmpty)
        #expect(!box.exists("out.bin"), "a failed decrypt must leave no output")
        #expect(box.temporaryLeftovers().isEmpty, "\(box.temporaryLeftovers())")
    }

    @Test("--jobs 0 and 65 are usage errors (exit 64) for encrypt and decrypt, before any output",
          arguments: ["encrypt", "decrypt"], ["0", "65"])
    func outOfRange(command: String, jobs: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("x", testBytes(100))
        let result = try box.run([command, "-i", "x", "-o", "y", "--jobs", jobs] + key.spec)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("--jobs"), "\(result)")
        #expect(!box.exists("y"))
    }

    @Test("--help says --jobs sets the cores per message, default the number of cores")
    func help() throws {
        let box = try Sandbox()
        let result = try box.run(["encrypt", "--help"])
        #expect(result.status == 0)
        let text = result.stdoutText.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("default: the number of cores"), "\(result.stdoutText)")
        #expect(text.contains("one after another"), "\(result.stdoutText)")
    }
}
