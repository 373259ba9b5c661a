import Foundation
import Testing

@Suite("envelope: help, usage errors and exit codes")
struct HelpAndUsageTests {
    @Test("envelope --help lists the subcommands and documents the exit codes")
    func rootHelp() throws {
        let box = try Sandbox()
        let result = try box.run(["--help"])
        #expect(result.status == 0, "\(result)")
        for word in ["encrypt", "decrypt", "kms", "policy", "Exit status", "64", "65", "73", "77", "78"] {
            #expect(result.stdoutText.contains(word), "--help lacks \(word)")
        }
        #expect(result.stderr.isEmpty)
    }

    @Test("encrypt --help documents every option of the contract", arguments: [
        ("encrypt", ["-i", "-o", "-w", "-c", "--algorithm", "--frame-length", "--commitment-policy", "--max-encrypted-data-keys",
                     "--metadata-output", "--encrypt-only", "--jobs", "--force", "--quiet", "-r", "--suffix", "--kms", "--kms-state",
                     "--principal", "--kms-endpoint", "provider=raw-aes", "provider=raw-rsa", "Exit status"]),
        ("decrypt", ["--discovery", "--discovery-account", "--discovery-partition", "-c", "--encrypt-only", "--max-encrypted-data-keys",
                     "--commitment-policy", "--metadata-output", "--jobs", "--force", "--quiet", "-r", "--suffix", "Exit status"]),
        ("kms", ["create-key", "add-external-account", "remove-external-account", "put-key-policy", "get-key-policy",
                 "attach-user-policy", "create-access-key", "serve"]),
        ("policy", ["render"]),
    ])
    func subcommandHelp(command: String, words: [String]) throws {
        let box = try Sandbox()
        let result = try box.run([command, "--help"])
        #expect(result.status == 0, "\(result)")
        for word in words { #expect(result.stdoutText.contains(word), "\(command) --help lacks \(word)") }
    }

    @Test("kms subcommand help pages", arguments: ["create-key", "add-external-account", "remove-external-account", "put-key-policy",
                                                   "get-key-policy", "attach-user-policy", "create-access-key", "serve"])
    func kmsSubcommandHelp(sub: String) throws {
        let box = try Sandbox()
        let result = try box.run(["kms", sub, "--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutText.contains("USAGE: envelope kms \(sub)"))
    }

    @Test("usage errors: exit 64, one error line plus a hint on stderr, nothing on stdout", arguments: [
        ["encrypt", "-i", "x", "-o", "y", "--bogus"],
        ["encrypt", "-i", "x", "-o", "y"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "provider=raw-aes", "key-fil=k", "namespace=n", "name=n"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "provider=raw-rsa", "key-file=k", "namespace=n", "name=n"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "provider=raw-rsa", "key-file=k", "namespace=n", "name=n", "padding=oaep-md5"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "provider=unknown"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=arn:aws:kms:us-east-1:12:key/abc"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "--jobs", "0"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "--jobs", "65"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "--algorithm", "AES_512_NOPE"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "--frame-length", "0"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "--commitment-policy", "sometimes"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "--max-encrypted-data-keys", "0"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "-c", "novalue"],
        ["encrypt", "-i", "x", "-o", "y", "-w", "key=k", "-c", "=v"],
        ["decrypt", "-i", "x", "-o", "y"],
        ["decrypt", "-i", "x", "-o", "y", "--discovery", "-w", "key=k"],
        ["decrypt", "-i", "x", "-o", "y", "--discovery-account", "109876543210"],
        ["decrypt", "-i", "x", "-o", "y", "--discovery", "--discovery-partition", "aws"],
        ["policy", "render", "--key-arn", "not-an-arn", "--principal", "arn:aws:iam::012345678901:root"],
        ["policy", "render", "--key-arn", "arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
        ["kms", "create-key", "--account", "1234"],
        ["kms", "get-key-policy", "--key", "alias/x"],
    ])
    func usageErrors(arguments: [String]) throws {
        let box = try Sandbox()
        try box.write("x", [1, 2, 3])
        let result = try box.run(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 2, "\(result)")
        #expect(result.stderrLines.first?.hasPrefix("envelope: error: ") == true)
        #expect(result.stderrLines.last?.hasPrefix("hint: ") == true)
        #expect(!box.exists("y"))
    }

    @Test("--version prints a version")
    func version() throws {
        let box = try Sandbox()
        let result = try box.run(["--version"])
        #expect(result.status == 0)
        #expect(!result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
