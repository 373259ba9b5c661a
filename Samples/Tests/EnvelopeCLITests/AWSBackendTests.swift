import EnvelopeTestSupport
import Foundation
import Testing

/// A moto server (from the test venv) with one KMS key and an alias, for `--kms aws`.
final class MotoKMS {
    /// The launcher; it stops moto when the peer is stopped or released.
    private let peer: PythonPeer
    let endpoint: String
    let keyARN: String
    let aliasARN: String

    static let setup = #"""
kms = boto3.client("kms", **setup)
meta = kms.create_key(Description="envelope CLI test key")["KeyMetadata"]
kms.create_alias(AliasName="alias/cli-test", TargetKeyId=meta["KeyId"])
out["key"] = meta["Arn"]
out["alias"] = meta["Arn"].split(":key/")[0] + ":alias/cli-test"
"""#

    init() throws {
        peer = try MotoServer.launch(setup: Self.setup)
        let ready = peer.ready
        endpoint = try #require(ready["endpoint"] as? String)
        keyARN = try #require(ready["key"] as? String)
        aliasARN = try #require(ready["alias"] as? String)
    }
}

@Suite("envelope --kms aws: the standard AWS environment and config files (against moto)")
struct AWSBackendTests {
    @Test("credentials from a profile in the shared files, endpoint from AWS_ENDPOINT_URL_KMS, Region from the config file")
    func profileAndEnvironment() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        try box.write("aws/credentials", Array("[cli-test]\naws_access_key_id = AKIAEXAMPLEPROFILE01\naws_secret_access_key = profile-secret\n".utf8))
        try box.write("aws/config", Array("[profile cli-test]\nregion = us-east-1\n".utf8))
        try box.write("plain.bin", testBytes(40_000))
        let env = ["AWS_SHARED_CREDENTIALS_FILE": box.file("aws/credentials").path, "AWS_CONFIG_FILE": box.file("aws/config").path,
                   "AWS_PROFILE": "cli-test", "AWS_ENDPOINT_URL_KMS": moto.endpoint]
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(moto.aliasARN)", "--kms", "aws", "--metadata-output", "-"],
                              environment: env)
        #expect(enc.status == 0, "\(enc)")
        let edks = try #require(try enc.json()["encrypted_data_keys"] as? [[String: Any]])
        #expect(edks.first?["key"] as? String == moto.keyARN, "the EDK names the key ARN KMS answered with")
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out", "-w", "key=\(moto.keyARN)"],
                              environment: env.merging(["ENVELOPE_KMS": "aws"]) { $1 })
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("m.out") == testBytes(40_000))
        let discovery = try box.run(["decrypt", "-i", "m.enc", "-o", "d.out", "--discovery", "--discovery-account", "123456789012", "--kms", "aws"],
                                    environment: env)
        #expect(discovery.status == 0, "\(discovery)")
    }

    @Test("no credentials anywhere is a configuration error (78) that says what to set")
    func noCredentials() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        try box.write("plain.bin", [1, 2, 3])
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(moto.keyARN)", "--kms", "aws"],
                                 environment: ["AWS_ENDPOINT_URL_KMS": moto.endpoint, "AWS_CONFIG_FILE": box.file("none").path,
                                               "AWS_SHARED_CREDENTIALS_FILE": box.file("none").path, "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("AWS_ACCESS_KEY_ID"), "\(result)")
        #expect(!box.exists("m.enc"))
    }

    /// An unreachable endpoint is "unavailable" (69), names the URL, and says nothing about `-w`
    /// (the key choice is not the problem). Issue 12 item 5; AWS SDKs and Tools reference guide,
    /// "Retry behavior": https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    @Test("an unreachable --kms-endpoint exits 69 with \"could not connect to URL\" and no -w hint")
    func unreachableEndpoint() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        try box.write("plain.bin", [1, 2, 3])
        let url = "http://127.0.0.1:\(try closedLoopbackPort())"
        let env = ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "2",
                   "AWS_CONFIG_FILE": box.file("none").path, "AWS_SHARED_CREDENTIALS_FILE": box.file("none").path]
        let made = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(moto.keyARN)", "--kms", "aws", "--kms-endpoint", moto.endpoint],
                               environment: env)
        #expect(made.status == 0, "\(made)")
        for arguments in [["encrypt", "-i", "plain.bin"], ["decrypt", "-i", "m.enc"]] {
            let result = try box.run(arguments + ["-o", "out.bin", "-w", "key=\(moto.keyARN)", "--kms", "aws", "--kms-endpoint", url], environment: env)
            #expect(result.status == 69, "\(result)")
            #expect(result.stderr.contains("could not connect to \(url)"), "\(result)")
            #expect(!result.stderr.contains("-w"), "\(result)")
            #expect(!box.exists("out.bin"))
        }
    }
}
