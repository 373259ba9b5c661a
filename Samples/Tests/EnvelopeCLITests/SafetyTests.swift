import Foundation
import Testing

@Suite("envelope: safety rules (atomic outputs, no overwrite, no terminal, clear errors, progress)")
struct SafetyTests {
    @Test("an existing output is never overwritten without --force; --force replaces it")
    func noOverwrite() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(1000))
        try box.write("m.enc", Array("precious".utf8))
        let refused = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + key.spec)
        #expect(refused.status == 73, "\(refused)")
        #expect(refused.stderrLines.count == 2)
        #expect(refused.stderr.contains("already exists") && refused.stderr.contains("--force"))
        #expect(try box.read("m.enc") == Array("precious".utf8))
        let forced = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--force"] + key.spec)
        #expect(forced.status == 0, "\(forced)")
        #expect(try box.read("m.enc") != Array("precious".utf8))
        #expect(box.temporaryLeftovers().isEmpty)
    }

    @Test("a failed decrypt leaves no output file (tampered, truncated, wrong key), even with --force over an old file",
          arguments: ["tamper", "truncate", "wrong-key"])
    func failedDecryptLeavesNothing(kind: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(50_000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--frame-length", "1024"] + key.spec).status == 0)
        var message = try box.read("m.enc")
        let spec = key.spec
        switch kind {
        case "tamper": message[message.count / 2] ^= 0x01
        case "truncate": message.removeLast(100)
        default:
            // Same namespace and name, other key bytes.
            try box.write(key.file, testBytes(32, seed: 99))
        }
        try box.write("m.enc", message)
        let fresh = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec)
        #expect(fresh.status == (kind == "wrong-key" ? 77 : 65), "\(fresh)")
        #expect(!box.exists("m.out"))
        try box.write("old.out", Array("old".utf8))
        let forced = try box.run(["decrypt", "-i", "m.enc", "-o", "old.out", "--force"] + spec)
        #expect(forced.status != 0)
        #expect(try box.read("old.out") == Array("old".utf8), "the old file is untouched")
        #expect(box.temporaryLeftovers().isEmpty)
    }

    @Test("an interrupted run (SIGINT) removes its temporary file and leaves no output")
    func interrupted() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let run = try PipedRun.start(["encrypt", "-i", "-", "-o", "never.enc"] + key.spec, in: box, feeding: testBytes(1000))
        // Wait (bounded) until the temporary output exists: the encryption is under way.
        run.waitForTemporaryFile(in: box)
        #expect(!box.temporaryLeftovers().isEmpty, "the temporary output never appeared")
        run.process.interrupt()
        run.finish()
        let process = run.process
        #expect(process.terminationStatus == 130)
        #expect(box.temporaryLeftovers().isEmpty, "the temporary file was removed")
        #expect(!box.exists("never.enc"))
    }

    @Test("a write error names the output the user gave, not a descriptor number")
    func writeErrorNamesOutput() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(200_000))
        // Standard output on /dev/full: every write fails with ENOSPC.
        let command = ([CLIRunner.envelope.path, "encrypt", "-i", "plain.bin", "-o", "-"] + key.spec)
            .map(CLIRunner.shellQuote).joined(separator: " ") + " > /dev/full"
        let result = try CLIRunner.run(["-c", command], in: box.url, executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(result.status != 0, "\(result)")
        #expect(result.stderr.contains("No space left on device"), "\(result)")
        #expect(!result.stderr.contains("descriptor"), "\(result)")
    }

    @Test("a missing input is exit 66; an output that is its own input is refused")
    func inputs() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let missing = try box.run(["encrypt", "-i", "nope.bin", "-o", "out"] + key.spec)
        #expect(missing.status == 66, "\(missing)")
        try box.write("same.bin", [1, 2, 3])
        let same = try box.run(["encrypt", "-i", "same.bin", "-o", "same.bin", "--force"] + key.spec)
        #expect(same.status == 64, "\(same)")
        #expect(try box.read("same.bin") == [1, 2, 3])
    }

    @Test("binary output to a terminal is refused, before any key is used")
    func terminalRefused() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        let enc = try CLIRunner.runInTerminal(["encrypt", "-i", "plain.bin", "-o", "-"] + key.spec, in: box.url)
        #expect(enc.status == 73, "\(enc.transcript)")
        #expect(enc.transcript.contains("refusing to write binary output to a terminal"))
        #expect(!enc.transcript.contains("\u{02}\u{05}\u{78}"), "no message bytes reached the terminal")
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + key.spec).status == 0)
        let dec = try CLIRunner.runInTerminal(["decrypt", "-i", "m.enc", "-o", "-"] + key.spec, in: box.url)
        #expect(dec.status == 73, "\(dec.transcript)")
    }

    @Test("the progress bar is drawn on a terminal stderr (bytes, rate, ETA), not with --quiet, not into a pipe")
    func progressBar() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("big.bin", testBytes(3_000_000))
        let env = ["ENVELOPE_PROGRESS_DELAY": "0"]
        let shown = try CLIRunner.runInTerminal(["encrypt", "-i", "big.bin", "-o", "big.enc", "--frame-length", "65536"] + key.spec,
                                                in: box.url, environment: env)
        #expect(shown.status == 0, "\(shown.transcript)")
        #expect(shown.transcript.contains("encrypting"), "\(shown.transcript)")
        #expect(shown.transcript.contains("100%"))
        #expect(shown.transcript.contains("MiB"))
        #expect(shown.transcript.contains("/s"))
        #expect(shown.transcript.contains("ETA"))
        let quiet = try CLIRunner.runInTerminal(["decrypt", "-i", "big.enc", "-o", "big.out", "--quiet"] + key.spec,
                                                in: box.url, environment: env)
        #expect(quiet.status == 0, "\(quiet.transcript)")
        #expect(!quiet.transcript.contains("ETA"), "\(quiet.transcript)")
        let piped = try box.run(["decrypt", "-i", "big.enc", "-o", "big.out2"] + key.spec, environment: env)
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "no progress into a pipe: \(piped.stderr)")
        #expect(try box.read("big.out2") == testBytes(3_000_000))
    }
}
