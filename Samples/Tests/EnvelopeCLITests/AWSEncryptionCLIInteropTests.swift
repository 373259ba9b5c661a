import EnvelopeTestSupport
import Foundation
import Testing

/// aws-encryption-cli 4.3.0 (Tests/requirements-cli-test.txt), in a venv of its own: its
/// aws-encryption-sdk ~= 3.1 requirement conflicts with the interop venv's 4.0.7.
enum AWSEncryptionCLI {
    /// `ENVELOPE_TEST_AWS_ENCRYPTION_CLI`, else `<repo>/.build/venv-cli/bin/aws-encryption-cli`.
    static func executable() throws -> URL {
        let configured = ProcessInfo.processInfo.environment["ENVELOPE_TEST_AWS_ENCRYPTION_CLI"] ?? ""
        let url = configured.isEmpty ? TestRepository.file(".build/venv-cli/bin/aws-encryption-cli") : URL(fileURLWithPath: configured)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestSupportError("no aws-encryption-cli at \(url.path): run `make venv-cli` in the repository root (or `make test`), or set ENVELOPE_TEST_AWS_ENCRYPTION_CLI")
        }
        return url
    }

    /// Runs it in `box` with `environment` only (plus PATH and HOME); returns status and stderr.
    static func run(_ arguments: [String], in box: Sandbox, environment: [String: String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = box.url
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "HOME": box.file("home").path]) { a, _ in a }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// The armor interop of issue 16: aws-encryption-cli's `--encode` output decrypts with `envelope`, and
/// `envelope encrypt --encode` output decrypts with `aws-encryption-cli --decode`, through one KMS key
/// of `envelope kms serve` (the wire protocol both speak).
@Suite("envelope ↔ aws-encryption-cli 4.3.0: base64 armor over a served local KMS")
struct AWSEncryptionCLIInteropTests {
    struct Served {
        let fx: KMSFixture
        let server: ServedLocalKMS
        let env: [String: String]
        var envelopeKMS: [String] { ["--kms", "aws", "--kms-endpoint", server.endpoint] }
    }

    static func serve() throws -> Served {
        let fx = try KMSFixture()
        let created = try fx.box.run(["kms", "create-access-key", "--principal", KMSFixture.externalUser, "--kms-state", fx.state]).json()
        let server = try ServedLocalKMS(state: fx.state, home: fx.box.path)
        // botocore reads the KMS endpoint from AWS_ENDPOINT_URL_KMS
        // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
        let env = ["AWS_ACCESS_KEY_ID": try #require(created["AccessKeyId"] as? String),
                   "AWS_SECRET_ACCESS_KEY": try #require(created["SecretAccessKey"] as? String),
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                   "AWS_ENDPOINT_URL_KMS": server.endpoint, "AWS_EC2_METADATA_DISABLED": "true"]
        return Served(fx: fx, server: server, env: env)
    }

    @Test("aws-encryption-cli --encrypt --encode output decrypts with envelope (detected, and with --decode)")
    func theirArmorDecryptsWithOurs() throws {
        let s = try Self.serve()
        defer { s.server.stop() }
        let theirs = try AWSEncryptionCLI.run(["--encrypt", "-i", "plain.bin", "-o", "py.b64", "--encode", "-w", "key=\(s.fx.keyARN)",
                                               "-c", "origin=aws-encryption-cli", "--commitment-policy", "require-encrypt-require-decrypt", "-S"],
                                              in: s.fx.box, environment: s.env)
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let armored = try s.fx.box.read("py.b64")
        #expect(Data(base64Encoded: Data(armored)) != nil, "aws-encryption-cli --encode did not write plain base64")
        let detected = try s.fx.box.run(["decrypt", "-i", "py.b64", "-o", "auto.out", "-w", "key=\(s.fx.keyARN)", "-c", "origin=aws-encryption-cli", "-v"]
                                        + s.envelopeKMS, environment: s.env)
        #expect(detected.status == 0, "\(detected)")
        #expect(detected.stderr.contains("base64 (armored)"), "\(detected.stderr)")
        #expect(try s.fx.box.read("auto.out") == testBytes(20_000))
        let explicit = try s.fx.box.run(["decrypt", "-i", "py.b64", "-o", "decode.out", "--decode", "-w", "key=\(s.fx.keyARN)"] + s.envelopeKMS,
                                        environment: s.env)
        #expect(explicit.status == 0, "\(explicit)")
        #expect(try s.fx.box.read("decode.out") == testBytes(20_000))
    }

    @Test("envelope encrypt --encode output decrypts with aws-encryption-cli --decrypt --decode")
    func ourArmorDecryptsWithTheirs() throws {
        let s = try Self.serve()
        defer { s.server.stop() }
        let ours = try s.fx.box.run(["encrypt", "-i", "plain.bin", "-o", "swift.b64", "--encode", "-w", "key=\(s.fx.keyARN)", "-c", "origin=envelope"]
                                    + s.envelopeKMS, environment: s.env)
        #expect(ours.status == 0, "\(ours)")
        let theirs = try AWSEncryptionCLI.run(["--decrypt", "-i", "swift.b64", "-o", "py.out", "--decode", "-w", "key=\(s.fx.keyARN)",
                                               "-c", "origin=envelope", "--commitment-policy", "require-encrypt-require-decrypt", "-S", "--buffer"],
                                              in: s.fx.box, environment: s.env)
        #expect(theirs.status == 0, "\(theirs.stderr)")
        #expect(try s.fx.box.read("py.out") == testBytes(20_000))
    }
}
