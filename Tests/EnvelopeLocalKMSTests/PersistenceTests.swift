import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import Testing

extension LocalKMS {
    /// The clear backing key of a key (test-only, through internal API).
    func clearMaterialForTesting(_ arn: KMSKeyARN) throws -> [UInt8] {
        let key = state.keys[state.keyIndex(arn)!]
        return try unwrap(key.material, purpose: LocalKMS.materialPurpose(arn)).unprotectedCopy()
    }
}

@Suite("Persistence of the state directory")
struct PersistenceTests {
    static func temporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-local-kms-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return base.appendingPathComponent("state").path
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("everything survives a restart: keys, aliases, policies, grants, access keys, old ciphertexts")
    func roundTrip() async throws {
        let directory = try Self.temporaryDirectory()
        let first = try await CrossAccountStory.make(kms: LocalKMS(stateDirectory: directory))
        let (blob, plaintext) = try await first.ciphertext()
        let grant = try await first.client(CrossAccountStory.user1, viaService: "ebs.us-east-1.amazonaws.com").createGrant(
            CreateGrantRequest(keyId: .keyARN(first.key), granteePrincipal: CrossAccountStory.ownerOther.description, operations: [.decrypt]))
        let accessKey = try await first.kms.createAccessKey(principal: CrossAccountStory.externalUser)
        try await first.kms.disableKey(first.key)
        try await first.kms.enableKey(first.key)
        let policyBefore = try await first.kms.getKeyPolicy(key: first.key)

        let restarted = CrossAccountStory(kms: try LocalKMS(stateDirectory: directory), key: first.key)
        let decrypted = try await restarted.client(CrossAccountStory.externalUser).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .aliasARN(restarted.aliasARN), encryptionContext: CrossAccountStory.context))
        #expect(decrypted.plaintext == plaintext)
        #expect(try await restarted.kms.getKeyPolicy(key: first.key) == policyBefore)
        #expect(try await restarted.kms.userPolicies(principal: CrossAccountStory.externalUser).count == 1)
        _ = try await restarted.client(CrossAccountStory.ownerOther).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(first.key), encryptionContext: CrossAccountStory.context, grantTokens: [grant.grantToken]))
        let found = try #require(try await restarted.kms.accessKey(id: accessKey.accessKeyId))
        #expect(found.principal == CrossAccountStory.externalUser)
        #expect(found.secret.unprotectedCopy() == Array(accessKey.secretAccessKey.utf8))
        #expect(try await restarted.kms.accessKey(id: "AKIANOTAKEY") == nil)
        #expect(!accessKey.description.contains(accessKey.secretAccessKey))
        #expect(try await restarted.kms.keyMetadata(first.key).keyState == .enabled)
    }

    @Test("directory 0700, files 0600, no temporary files left behind")
    func fileModes() async throws {
        let directory = try Self.temporaryDirectory()
        let story = try await CrossAccountStory.make(kms: LocalKMS(stateDirectory: directory))
        try await story.kms.putKeyPolicy(try await story.kms.getKeyPolicy(key: story.key), key: story.key)
        #expect(try Self.mode(directory) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["state.json", "state.key", "state.lock"])
        for file in files { #expect(try Self.mode(directory + "/" + file) == 0o600, "\(file)") }
    }

    @Test("an existing directory with loose permissions is tightened to 0700")
    func tightensDirectory() throws {
        let directory = try Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        _ = try LocalKMS(stateDirectory: directory)
        #expect(try Self.mode(directory) == 0o700)
    }

    @Test("no clear key material or secret access key in any file")
    func noClearSecrets() async throws {
        let directory = try Self.temporaryDirectory()
        let kms = try LocalKMS(stateDirectory: directory)
        let story = try await CrossAccountStory.make(kms: kms)
        let second = try await kms.createKey(account: CrossAccountStory.external, region: CrossAccountStory.region).arn
        let accessKey = try await kms.createAccessKey(principal: CrossAccountStory.externalUser)
        var secrets: [[UInt8]] = [Array(accessKey.secretAccessKey.utf8)]
        for arn in [story.key, second] {
            let material = try await kms.clearMaterialForTesting(arn)
            #expect(material.count == 32)
            secrets.append(material)
            secrets.append(Array(Data(material).base64EncodedString().utf8))
            secrets.append(Array(hexString(material).utf8))
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
            for secret in secrets {
                let found = bytes.count >= secret.count && (0...(bytes.count - secret.count)).contains { Array(bytes[$0..<$0 + secret.count]) == secret }
                #expect(!found, "a secret appears in clear in \(file)")
            }
        }
    }

    @Test("a state key that does not match the state is reported, not silently used")
    func wrongStateKey() async throws {
        let directory = try Self.temporaryDirectory()
        let story = try await CrossAccountStory.make(kms: LocalKMS(stateDirectory: directory))
        try Data(RandomBytes.array(count: 32)).write(to: URL(fileURLWithPath: directory + "/state.key"))
        let reopened = try LocalKMS(stateDirectory: directory)
        let error = await caughtError(KMSError.self) {
            try await reopened.client(principal: CrossAccountStory.user1, region: CrossAccountStory.region).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        #expect(error?.code == .internalError)
        #expect(error?.message.contains("state key") == true)
    }

    @Test("two instances on one directory (as two processes would) see each other's changes")
    func sharedDirectory() async throws {
        let directory = try Self.temporaryDirectory()
        let a = try LocalKMS(stateDirectory: directory)
        let b = try LocalKMS(stateDirectory: directory)
        let keyA = try await a.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1]).arn
        let keyB = try await b.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1]).arn
        let keys = Set(try await a.listKeys(account: CrossAccountStory.owner).map(\.arn))
        #expect(keys == [keyA, keyB])
        let generated = try await a.client(principal: CrossAccountStory.user1, region: CrossAccountStory.region).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(keyB), numberOfBytes: 32))
        let decrypted = try await b.client(principal: CrossAccountStory.user1, region: CrossAccountStory.region).decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(keyB)))
        #expect(decrypted.plaintext == generated.plaintext)
    }

    @Test("a damaged state file is reported with what to do")
    func damagedState() throws {
        let directory = try Self.temporaryDirectory()
        _ = try LocalKMS(stateDirectory: directory)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: directory + "/state.json"))
        #expect(throws: LocalKMSStateError.self) { try LocalKMS(stateDirectory: directory) }
    }
}
