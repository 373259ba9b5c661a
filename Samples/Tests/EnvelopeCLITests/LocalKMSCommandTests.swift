import Foundation
import Testing

/// The cross-account setup through the command line: owner 109876543210, external 012345678901.
struct KMSFixture {
    static let owner = "109876543210"
    static let external = "012345678901"
    static let ownerUser = "arn:aws:iam::109876543210:user/User1"
    static let externalUser = "arn:aws:iam::012345678901:user/ExternalUser"

    let box: Sandbox
    let state: String
    let keyARN: String
    let aliasARN: String

    /// Creates the shared key (with alias alias/SharedKey) and, if asked, attaches the external IAM policy.
    init(attachIAMPolicy: Bool = true) throws {
        box = try Sandbox()
        state = box.file("kms-state").path
        let created = try box.run(["kms", "create-key", "--account", Self.owner, "--alias", "alias/SharedKey",
                                   "--user-principal", Self.ownerUser, "--external-account", Self.external, "--kms-state", state])
        #expect(created.status == 0, "\(created)")
        let json = try created.json()
        let metadata = try #require(json["KeyMetadata"] as? [String: Any])
        keyARN = try #require(metadata["Arn"] as? String)
        aliasARN = try #require(json["AliasArn"] as? String)
        #expect(metadata["KeyState"] as? String == "Enabled")
        #expect(keyARN.hasSuffix(metadata["KeyId"] as? String ?? "?"))
        if attachIAMPolicy { try attachExternalIAMPolicy() }
        try box.write("plain.bin", testBytes(20_000))
    }

    func attachExternalIAMPolicy(encryptOnly: Bool = false) throws {
        let rendered = try box.run(["policy", "render", "--key-arn", keyARN, "--principal", "arn:aws:iam::\(Self.external):root"]
                                   + (encryptOnly ? ["--encrypt-only"] : []))
        #expect(rendered.status == 0, "\(rendered)")
        let iam = try #require(try rendered.json()["ExternalIAMPolicy"])
        let attached = try box.run(["kms", "attach-user-policy", "--principal", Self.externalUser, "--policy-file", "-", "--kms-state", state],
                                   stdin: [UInt8](try JSONSerialization.data(withJSONObject: iam)))
        #expect(attached.status == 0, "\(attached)")
    }

    /// Runs as the external user on the local KMS.
    func asExternalUser(_ arguments: [String]) throws -> CLIRunner.Result {
        try box.run(arguments + ["--kms", "local", "--kms-state", state, "--principal", Self.externalUser])
    }
}

@Suite("envelope: the kms subcommands and KMS keys on the local KMS")
struct LocalKMSCommandTests {
    @Test("create-key prints KeyMetadata; get-key-policy shows both story statements with the external root")
    func createKeyAndPolicy() throws {
        let fx = try KMSFixture(attachIAMPolicy: false)
        let policy = try fx.box.run(["kms", "get-key-policy", "--key", fx.keyARN, "--kms-state", fx.state])
        #expect(policy.status == 0, "\(policy)")
        let text = policy.stdoutText
        #expect(text.contains("AllowUseOfTheKey") && text.contains("AllowAttachmentOfPersistentResources"))
        #expect(text.contains("arn:aws:iam::012345678901:root"))
        #expect(text.contains("kms:GrantIsForAWSResource"))
        #expect(try policy.json()["Statement"] is [Any])
    }

    @Test("the external user encrypts by key ARN and alias ARN, is refused by bare alias name, and decrypts")
    func externalUserEncrypts() throws {
        let fx = try KMSFixture()
        let byARN = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "arn.enc", "-w", "key=\(fx.keyARN)", "-c", "dept=finance",
                                           "--metadata-output", "meta.jsonl"])
        #expect(byARN.status == 0, "\(byARN)")
        let byAlias = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "alias.enc", "-w", "key=\(fx.aliasARN)"])
        #expect(byAlias.status == 0, "\(byAlias)")
        let byName = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "name.enc", "-w", "key=alias/SharedKey"])
        #expect(byName.status == 77, "\(byName)")
        #expect(byName.stderr.contains("NotFoundException"))
        #expect(byName.stderrLines.last?.hasPrefix("hint:") == true)
        #expect(!fx.box.exists("name.enc"))
        let record = try #require(try JSONSerialization.jsonObject(with: Data(try fx.box.read("meta.jsonl"))) as? [String: Any])
        let edks = try #require(record["encrypted_data_keys"] as? [[String: Any]])
        #expect(edks.first?["provider_id"] as? String == "aws-kms")
        #expect(edks.first?["key"] as? String == fx.keyARN, "the EDK names the key ARN")
        let dec = try fx.asExternalUser(["decrypt", "-i", "alias.enc", "-o", "alias.out", "-w", "key=\(fx.aliasARN)", "--metadata-output", "-"])
        #expect(dec.status == 0, "\(dec)")
        let used = try #require(try dec.json()["decrypted_with"] as? [String: Any])
        #expect(used["key"] as? String == fx.keyARN)
        #expect(try fx.box.read("alias.out") == testBytes(20_000))
    }

    @Test("without the IAM policy the external user is refused (both policies must allow): exit 77, AccessDeniedException")
    func iamPolicyNeeded() throws {
        let fx = try KMSFixture(attachIAMPolicy: false)
        let result = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)"])
        #expect(result.status == 77, "\(result)")
        #expect(result.stderr.contains("AccessDeniedException"))
        // The local KMS's typed explanation: one line naming the side that is missing.
        #expect(result.stderrLines.contains("why: missing: an IAM policy of the caller allowing the action (the key policy delegates to its account)"), "\(result)")
        #expect(!fx.box.exists("m.enc"))
    }

    @Test("--discovery decrypts with any allowed key; a filter without the owner account refuses")
    func discovery() throws {
        let fx = try KMSFixture()
        #expect(try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)"]).status == 0)
        let open = try fx.asExternalUser(["decrypt", "-i", "m.enc", "-o", "a.out", "--discovery"])
        #expect(open.status == 0, "\(open)")
        let filtered = try fx.asExternalUser(["decrypt", "-i", "m.enc", "-o", "b.out", "--discovery", "--discovery-account", KMSFixture.owner,
                                              "--discovery-partition", "aws"])
        #expect(filtered.status == 0, "\(filtered)")
        let other = try fx.asExternalUser(["decrypt", "-i", "m.enc", "-o", "c.out", "--discovery", "--discovery-account", "111122223333"])
        #expect(other.status == 77, "\(other)")
        #expect(other.stderr.contains("discovery filter"))
        #expect(!fx.box.exists("c.out"))
    }

    @Test("encrypt-only: the narrowed policy lets the external user encrypt (also with --encrypt-only) but not decrypt")
    func encryptOnly() throws {
        let fx = try KMSFixture(attachIAMPolicy: false)
        try fx.attachExternalIAMPolicy(encryptOnly: true)
        let rendered = try fx.box.run(["policy", "render", "--key-arn", fx.keyARN, "--principal", KMSFixture.ownerUser, "--encrypt-only"])
        #expect(rendered.status == 0)
        let statements = try #require(try rendered.json()["KeyPolicyStatements"] as? [[String: Any]])
        #expect(statements.count == 1, "encrypt-only has no grant statement")
        let actions = try #require(statements.first?["Action"] as? [String])
        #expect(actions == ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"])
        let enc = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)", "--encrypt-only"])
        #expect(enc.status == 0, "\(enc)")
        let dec = try fx.asExternalUser(["decrypt", "-i", "m.enc", "-o", "m.out", "-w", "key=\(fx.keyARN)"])
        #expect(dec.status == 77, "\(dec)")
        #expect(dec.stderr.contains("AccessDeniedException") && dec.stderr.contains("kms:Decrypt"))
        #expect(!fx.box.exists("m.out"))
    }

    @Test("add-external-account and remove-external-account change the policy; removal cuts access at once")
    func addAndRemoveAccount() throws {
        let fx = try KMSFixture()
        let added = try fx.box.run(["kms", "add-external-account", "--key", fx.keyARN, "--account", "111122223333", "--kms-state", fx.state])
        #expect(added.status == 0, "\(added)")
        #expect(added.stdoutText.contains("arn:aws:iam::111122223333:root"))
        #expect(try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "before.enc", "-w", "key=\(fx.keyARN)"]).status == 0)
        let removed = try fx.box.run(["kms", "remove-external-account", "--key", fx.keyARN, "--account", KMSFixture.external, "--kms-state", fx.state])
        #expect(removed.status == 0, "\(removed)")
        #expect(!removed.stdoutText.contains("012345678901"))
        let after = try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "after.enc", "-w", "key=\(fx.keyARN)"])
        #expect(after.status == 77, "\(after)")
        let decrypt = try fx.asExternalUser(["decrypt", "-i", "before.enc", "-o", "before.out", "-w", "key=\(fx.keyARN)"])
        #expect(decrypt.status == 77, "\(decrypt)")
    }

    @Test("put-key-policy replaces the policy (file or stdin); a malformed one is exit 65 and changes nothing")
    func putKeyPolicy() throws {
        let fx = try KMSFixture()
        let original = try fx.box.run(["kms", "get-key-policy", "--key", fx.keyARN, "--kms-state", fx.state]).stdoutText
        let bad = try fx.box.run(["kms", "put-key-policy", "--key", fx.keyARN, "--policy-file", "-", "--kms-state", fx.state], stdin: Array("{\"bad\": 1}".utf8))
        #expect(bad.status == 65, "\(bad)")
        #expect(bad.stderr.contains("MalformedPolicyDocumentException"))
        #expect(try fx.box.run(["kms", "get-key-policy", "--key", fx.keyARN, "--kms-state", fx.state]).stdoutText == original)
        let ownerOnly = """
            {"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::109876543210:root"},"Action":"kms:*","Resource":"*"}]}
            """
        try fx.box.write("policy.json", Array(ownerOnly.utf8))
        let put = try fx.box.run(["kms", "put-key-policy", "--key", fx.keyARN, "--policy-file", "policy.json", "--kms-state", fx.state])
        #expect(put.status == 0, "\(put)")
        let now = try fx.box.run(["kms", "get-key-policy", "--key", fx.keyARN, "--kms-state", fx.state])
        #expect(!now.stdoutText.contains("012345678901"))
        #expect(try fx.asExternalUser(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)"]).status == 77)
    }

    @Test("unknown keys are exit 77 with NotFoundException; the caller must be named (78); ENVELOPE_* environment works")
    func errorsAndEnvironment() throws {
        let fx = try KMSFixture()
        let unknown = try fx.box.run(["kms", "get-key-policy", "--key", "arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                      "--kms-state", fx.state])
        #expect(unknown.status == 77, "\(unknown)")
        #expect(unknown.stderr.contains("NotFoundException"))
        let noCaller = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)", "--kms-state", fx.state])
        #expect(noCaller.status == 78, "\(noCaller)")
        #expect(noCaller.stderr.contains("ENVELOPE_PRINCIPAL"))
        let viaEnv = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w", "key=\(fx.keyARN)"],
                                    environment: ["ENVELOPE_KMS": "local", "ENVELOPE_KMS_STATE": fx.state, "ENVELOPE_PRINCIPAL": KMSFixture.externalUser])
        #expect(viaEnv.status == 0, "\(viaEnv)")
        let badBackend = try fx.box.run(["encrypt", "-i", "plain.bin", "-o", "m2.enc", "-w", "key=\(fx.keyARN)", "--kms", "cloud"])
        #expect(badBackend.status == 64, "\(badBackend)")
    }

    @Test("the backend options (--kms, --kms-state, --principal) are accepted after every kms subcommand")
    func backendOptionsEverywhere() throws {
        let fx = try KMSFixture(attachIAMPolicy: false)
        let backend = ["--kms", "local", "--kms-state", fx.state, "--principal", KMSFixture.ownerUser]
        try fx.box.write("policy.json", Array(try fx.box.run(["kms", "get-key-policy", "--key", fx.keyARN, "--kms-state", fx.state]).stdout))
        for command in [["kms", "create-key", "--account", KMSFixture.owner],
                        ["kms", "get-key-policy", "--key", fx.keyARN],
                        ["kms", "put-key-policy", "--key", fx.keyARN, "--policy-file", "policy.json"],
                        ["kms", "add-external-account", "--key", fx.keyARN, "--account", "111122223333"],
                        ["kms", "remove-external-account", "--key", fx.keyARN, "--account", "111122223333"]] {
            let result = try fx.box.run(command + backend)
            #expect(result.status == 0, "\(command): \(result)")
        }
        let bad = try fx.box.run(["kms", "get-key-policy", "--key", fx.keyARN, "--kms-state", fx.state, "--principal", "nobody"])
        #expect(bad.status == 64, "\(bad)")
    }

    @Test("the default state directory is under the user's home")
    func defaultStateDirectory() throws {
        let box = try Sandbox()
        let created = try box.run(["kms", "create-key", "--account", KMSFixture.owner])
        #expect(created.status == 0, "\(created)")
        #expect(FileManager.default.fileExists(atPath: box.file("home/.envelope/local-kms/state.json").path))
    }

    @Test("create-access-key prints AccessKeyId and SecretAccessKey; the IAM commands are local-only and say so")
    func accessKeyAndAWSRefusal() throws {
        let box = try Sandbox()
        // A missing state directory is refused; kms init creates it (as create-key would).
        let missing = try box.run(["kms", "create-access-key", "--principal", KMSFixture.externalUser, "--kms-state", box.file("s").path])
        #expect(missing.status == 78, "\(missing)")
        let initialized = try box.run(["kms", "init", "--kms-state", box.file("s").path])
        #expect(initialized.status == 0, "\(initialized)")
        #expect(try initialized.json()["StateDirectory"] as? String == box.file("s").path)
        let result = try box.run(["kms", "create-access-key", "--principal", KMSFixture.externalUser, "--kms-state", box.file("s").path])
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect((json["AccessKeyId"] as? String)?.hasPrefix("AKIA") == true)
        #expect((json["SecretAccessKey"] as? String)?.count == 40)
        // IAM is local-only: the IAM commands refuse --kms aws (key administration works there).
        let aws = try box.run(["kms", "create-access-key", "--principal", KMSFixture.externalUser, "--kms", "aws"])
        #expect(aws.status == 69, "\(aws)")
        #expect(aws.stderr.contains("aws iam"), "\(aws)")
        let help = try box.run(["kms", "attach-user-policy", "--help"])
        #expect(help.stdoutText.contains("Local KMS only"), "\(help)")
    }
}
