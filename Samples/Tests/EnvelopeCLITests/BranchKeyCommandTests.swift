import EnvelopeTestSupport
import Foundation
import Testing

/// `envelope branch-key create|version|describe` against moto's DynamoDB and KMS (`--kms aws`).
@Suite("envelope branch-key: a branch key store in moto's DynamoDB, wrapped by moto's KMS")
struct BranchKeyCommandTests {
    static func environment(_ box: Sandbox, moto: MotoKMS) -> [String: String] {
        ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLEBRANCH001", "AWS_SECRET_ACCESS_KEY": "branch-secret", "AWS_REGION": "us-east-1",
         "AWS_ENDPOINT_URL_DYNAMODB": moto.endpoint, "AWS_MAX_ATTEMPTS": "1",
         "AWS_CONFIG_FILE": box.file("none").path, "AWS_SHARED_CREDENTIALS_FILE": box.file("none").path]
    }

    static func store(_ moto: MotoKMS, table: String = "branch-keys", key: String? = nil) -> [String] {
        ["--table", table, "--kms-key", key ?? moto.keyARN, "--kms", "aws", "--kms-endpoint", moto.endpoint]
    }

    @Test("create (with the table), describe, version: JSON out, the active version moves, the old one is named")
    func createDescribeVersion() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        let env = Self.environment(box, moto: moto)
        let created = try box.run(["branch-key", "create", "--create-table", "--branch-key-id", "tenant-1", "-c", "tenant=1"] + Self.store(moto),
                                  environment: env)
        #expect(created.status == 0, "\(created)")
        let json = try created.json()
        #expect(json["BranchKeyId"] as? String == "tenant-1")
        #expect((json["TableArn"] as? String)?.hasSuffix(":table/branch-keys") == true)
        #expect(json["KmsKeyArn"] as? String == moto.keyARN)
        #expect(json["EncryptionContext"] as? [String: String] == ["tenant": "1"])
        let version = try #require(json["ActiveVersion"] as? String)

        let described = try box.run(["branch-key", "describe", "--branch-key-id", "tenant-1"] + Self.store(moto), environment: env)
        #expect(described.status == 0, "\(described)")
        #expect(try described.json()["ActiveVersion"] as? String == version)

        let rotated = try box.run(["branch-key", "version", "--branch-key-id", "tenant-1"] + Self.store(moto), environment: env)
        #expect(rotated.status == 0, "\(rotated)")
        let after = try rotated.json()
        #expect(after["PreviousVersion"] as? String == version)
        #expect(after["ActiveVersion"] as? String != version)

        // A new UUID identifier without -c; the same identifier twice is refused (73).
        let fresh = try box.run(["branch-key", "create"] + Self.store(moto), environment: env)
        #expect(fresh.status == 0, "\(fresh)")
        #expect(UUID(uuidString: try fresh.json()["BranchKeyId"] as? String ?? "") != nil)
        let again = try box.run(["branch-key", "create", "--branch-key-id", "tenant-1", "-c", "tenant=1"] + Self.store(moto), environment: env)
        #expect(again.status == 73, "\(again)")
        #expect(again.stderr.contains("already has this branch key"), "\(again)")
    }

    @Test("-w hierarchy=: encrypt and decrypt through the hierarchical keyring; rotation keeps old messages readable")
    func hierarchySpec() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        let env = Self.environment(box, moto: moto)
        try box.write("plain.bin", testBytes(5_000))
        let backend = ["--kms", "aws", "--kms-endpoint", moto.endpoint]
        let created = try box.run(["branch-key", "create", "--create-table", "--branch-key-id", "tenant-1", "-c", "tenant=1"] + Self.store(moto),
                                  environment: env)
        #expect(created.status == 0, "\(created)")
        let spec = ["-w", "hierarchy=tenant-1", "table=branch-keys", "kms-key=\(moto.keyARN)", "ttl=60"]

        let first = try box.run(["encrypt", "-i", "plain.bin", "-o", "v1.enc"] + spec + backend, environment: env)
        #expect(first.status == 0, "\(first)")
        let rotated = try box.run(["branch-key", "version", "--branch-key-id", "tenant-1"] + Self.store(moto), environment: env)
        #expect(rotated.status == 0, "\(rotated)")
        let second = try box.run(["encrypt", "-i", "plain.bin", "-o", "v2.enc"] + spec + backend, environment: env)
        #expect(second.status == 0, "\(second)")
        for name in ["v1", "v2"] {
            let decrypted = try box.run(["decrypt", "-i", "\(name).enc", "-o", "\(name).out"] + spec + backend, environment: env)
            #expect(decrypted.status == 0, "\(decrypted)")
            #expect(try box.read("\(name).out") == testBytes(5_000))
        }

        // Another branch key cannot decrypt; an unknown one cannot encrypt; a bad ttl is a usage error.
        let other = try box.run(["branch-key", "create", "--branch-key-id", "tenant-2", "-c", "tenant=2"] + Self.store(moto), environment: env)
        #expect(other.status == 0, "\(other)")
        let wrong = try box.run(["decrypt", "-i", "v1.enc", "-o", "wrong.out", "-w", "hierarchy=tenant-2", "table=branch-keys",
                                 "kms-key=\(moto.keyARN)"] + backend, environment: env)
        #expect(wrong.status != 0, "\(wrong)")
        #expect(!box.exists("wrong.out"))
        let unknown = try box.run(["encrypt", "-i", "plain.bin", "-o", "u.enc", "-w", "hierarchy=nobody", "table=branch-keys",
                                   "kms-key=\(moto.keyARN)"] + backend, environment: env)
        #expect(unknown.status == 66, "\(unknown)")
        let badTTL = try box.run(["encrypt", "-i", "plain.bin", "-o", "t.enc", "-w", "hierarchy=tenant-1", "table=branch-keys",
                                  "kms-key=\(moto.keyARN)", "ttl=0"] + backend, environment: env)
        #expect(badTTL.status == 64, "\(badTTL)")
        #expect(badTTL.stderr.contains("ttl=0"), "\(badTTL)")
    }

    @Test("a table that does not exist: configuration error (78) naming the table")
    func missingTable() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        let result = try box.run(["branch-key", "describe", "--branch-key-id", "x"] + Self.store(moto, table: "no-such-table"),
                                 environment: Self.environment(box, moto: moto))
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("no-such-table"), "\(result)")
        #expect(result.stderr.contains("--create-table"), "\(result)")
    }

    @Test("a branch key wrapped under another KMS key than --kms-key: access denied (77), no write")
    func wrongKeyARN() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        let env = Self.environment(box, moto: moto)
        let created = try box.run(["branch-key", "create", "--create-table", "--branch-key-id", "k", "-c", "a=b"] + Self.store(moto), environment: env)
        #expect(created.status == 0, "\(created)")
        let other = String(moto.keyARN.split(separator: "/")[0]) + "/11111111-2222-3333-4444-555555555555"
        let result = try box.run(["branch-key", "version", "--branch-key-id", "k"] + Self.store(moto, key: other), environment: env)
        #expect(result.status == 77, "\(result)")
        #expect(result.stderr.contains("--kms-key"), "\(result)")
        let unknown = try box.run(["branch-key", "describe", "--branch-key-id", "missing"] + Self.store(moto), environment: env)
        #expect(unknown.status == 66, "\(unknown)")
    }

    @Test("an unreachable DynamoDB endpoint: unavailable (69) with the DynamoDB endpoint hint")
    func unreachableDynamoDB() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        let url = "http://127.0.0.1:\(try closedLoopbackPort())"
        let result = try box.run(["branch-key", "describe", "--branch-key-id", "x", "--dynamodb-endpoint", url] + Self.store(moto),
                                 environment: Self.environment(box, moto: moto))
        #expect(result.status == 69, "\(result)")
        #expect(result.stderr.contains(url), "\(result)")
        #expect(result.stderr.contains("--dynamodb-endpoint"), "\(result)")
    }

    @Test("--branch-key-id without -c is a usage error (64)")
    func idWithoutContext() throws {
        let moto = try MotoKMS()
        let box = try Sandbox()
        let result = try box.run(["branch-key", "create", "--branch-key-id", "x"] + Self.store(moto), environment: Self.environment(box, moto: moto))
        #expect(result.status == 64, "\(result)")
    }
}
