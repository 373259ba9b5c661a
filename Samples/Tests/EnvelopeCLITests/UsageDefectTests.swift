#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeTestSupport
import Foundation
import Testing

/// Issue 16, defects 3, 6, 7 and 12: frame-length limits on both sides, a missing local KMS
/// state, raw key files in base64 or hex, and the small usage defects.
@Suite("envelope: frame limits, missing --kms-state, encoded key files, usage hints")
struct UsageDefectTests {
    @Test("encrypt refuses frames decrypt would refuse, unless --allow-large-frames; decrypt then needs --max-frame-length")
    func frameLimits() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(1000))
        let big = String(1 << 27)
        let refused = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--frame-length", big] + key.spec)
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("--allow-large-frames"), "\(refused)")
        #expect(!box.exists("m.enc"))
        let allowed = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--frame-length", big, "--allow-large-frames"] + key.spec)
        #expect(allowed.status == 0, "\(allowed)")
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + key.spec)
        #expect(dec.status == 65, "\(dec)")
        #expect(dec.stderr.contains("--max-frame-length"), "\(dec)")
        #expect(!dec.stderr.contains("DecryptionLimits"), "no library names: \(dec)")
        let raised = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "--max-frame-length", big] + key.spec)
        #expect(raised.status == 0, "\(raised)")
        #expect(try box.read("m.out") == testBytes(1000))
        // The other limits are options too.
        let header = try box.run(["decrypt", "-i", "m.enc", "-o", "m2.out", "--max-frame-length", big, "--max-header-length", "10"] + key.spec)
        #expect(header.status == 65, "\(header)")
        #expect(header.stderr.contains("--max-header-length"), "\(header)")
        let zero = try box.run(["decrypt", "-i", "m.enc", "-o", "m3.out", "--max-body-length", "0"] + key.spec)
        #expect(zero.status == 64, "\(zero)")
    }

    @Test("a missing or mistyped --kms-state is an error naming the directory; only kms create-key creates state")
    func missingState() throws {
        let fx = try KMSFixture(attachIAMPolicy: false)
        let typo = fx.box.file("kms-stat").path
        let encrypt = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)", "--kms-state", typo,
                                      "--principal", KMSFixture.ownerUser])
        #expect(encrypt.status == 78, "\(encrypt)")
        #expect(encrypt.stderr.contains("no local KMS state at \(typo)"), "\(encrypt)")
        #expect(!FileManager.default.fileExists(atPath: typo), "no state was created")
        let describe = try fx.box.run(["kms", "describe-key", "--key", fx.keyARN, "--kms-state", typo])
        #expect(describe.status == 78, "\(describe)")
        #expect(!FileManager.default.fileExists(atPath: typo))
        // With the default directory (HOME/.envelope/local-kms) too.
        let home = try fx.box.run(["kms", "list-keys", "--account", KMSFixture.owner])
        #expect(home.status == 78, "\(home)")
        #expect(home.stderr.contains("no local KMS state at"), "\(home)")
        // A local-KMS error names the state directory in use.
        let denied = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)", "--kms-state", fx.state,
                                     "--principal", "arn:aws:iam::012345678901:user/Nobody"])
        #expect(denied.status == 77, "\(denied)")
        #expect(denied.stderr.contains(fx.state), "\(denied)")
    }

    @Test("raw key files: base64 and hex are recognised (never 'overwrite it'), decoded with key-encoding=, and shared files warned about",
          arguments: ["base64", "hex"])
    func encodedKeyFiles(encoding: String) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let text = encoding == "base64" ? Data(key.bytes).base64EncodedString() : key.hex
        try box.write("k.txt", Array((text + "\n").utf8))
        chmod(box.file("k.txt").path, 0o600)
        try box.write("plain.bin", testBytes(300))
        let spec = ["-w", "provider=raw-aes", "key-file=k.txt", "namespace=\(key.namespace)", "name=\(key.name)"]
        let refused = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec)
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("key-encoding=\(encoding)"), "\(refused)")
        #expect(refused.stderr.contains(encoding == "base64" ? "base64 -d" : "xxd -r -p"), "\(refused)")
        #expect(!refused.stderr.contains("> k.txt"), "never suggests overwriting the key file: \(refused)")
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec + ["key-encoding=\(encoding)"])
        #expect(enc.status == 0, "\(enc)")
        #expect(enc.stderr.isEmpty, "\(enc)")
        // The same key as raw bytes decrypts it.
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        chmod(box.file("k.txt").path, 0o644)
        let shared = try box.run(["encrypt", "-i", "plain.bin", "-o", "m2.enc"] + spec + ["key-encoding=\(encoding)"])
        #expect(shared.status == 0, "\(shared)")
        #expect(shared.stderr.contains("readable by group or others"), "\(shared)")
    }

    @Test("a key file of another size gets a hint that never overwrites it")
    func wrongSizeKeyFile() throws {
        let box = try Sandbox()
        try box.write("k.bin", testBytes(20))
        try box.write("plain.bin", testBytes(10))
        let run = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "provider=raw-aes", "key-file=k.bin", "namespace=n", "name=k"])
        #expect(run.status == 64, "\(run)")
        #expect(!run.stderr.contains("> k.bin"), "\(run)")
        #expect(run.stderr.contains("set -C"), "\(run)")
    }

    @Test("envelope with no subcommand exits 64 with the usage")
    func noSubcommand() throws {
        let box = try Sandbox()
        let run = try box.run([])
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("USAGE") || run.stderr.contains("Usage"), "\(run)")
        #expect(run.stdout.isEmpty)
    }

    @Test("a stray positional argument gets 'did you mean -i'")
    func strayPositional() throws {
        let box = try Sandbox()
        try box.write("report.pdf", [1])
        let run = try box.run(["encrypt", "report.pdf"])
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("did you mean -i report.pdf"), "\(run)")
    }

    @Test("-c aws-crypto-… on encrypt gets an encrypt-specific hint")
    func reservedContextKey() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(10))
        let run = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-c", "aws-crypto-public-key=x"] + key.spec)
        #expect(run.status == 64, "\(run)")
        #expect(run.stderrLines.count == 2, "\(run)")
        #expect(run.stderr.contains("reserved") && !run.stderr.contains("envelope encrypt --help"), "\(run)")
        #expect(!box.exists("m.enc"))
    }

    /// Issue 16, defect 4. AWS SDKs and Tools reference guide, "Retry behavior" (connection
    /// errors are retried, standard mode): https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    @Test("an unreachable KMS: exit 69, \"could not connect to URL (connection refused) after N attempts\", balanced, retries at --verbose")
    func unreachableKMS() throws {
        let box = try Sandbox()
        try box.write("plain.bin", [1, 2, 3])
        let url = "http://127.0.0.1:\(try closedLoopbackPort())"
        let env = ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_MAX_ATTEMPTS": "2",
                   "AWS_CONFIG_FILE": box.file("none").path, "AWS_SHARED_CREDENTIALS_FILE": box.file("none").path]
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let arguments = ["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(key)", "--kms", "aws", "--kms-endpoint", url]
        let run = try box.run(arguments, environment: env)
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("could not connect to \(url) (connection refused) after 2 attempts"), "\(run)")
        #expect(run.stderr.filter { $0 == "(" }.count == run.stderr.filter { $0 == ")" }.count, "\(run)")
        #expect(!run.stderr.contains("-w"), "\(run)")
        #expect(run.stderrLines.allSatisfy { $0.count < 200 }, "\(run)")
        #expect(!run.stderr.contains("retrying"), "retries are logged only with --verbose: \(run)")
        let verbose = try box.run(arguments + ["--verbose"], environment: env)
        #expect(verbose.status == 69, "\(verbose)")
        #expect(verbose.stderr.contains("retrying"), "\(verbose)")
    }
}
