import EnvelopeTestSupport
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Testing

@Suite("Regional key policies, multi-Region IDs, the transport contract")
struct RegionalAndTransportTests {
    @Test("a key policy governs only its own key in its own Region (fact 4)")
    func regionalPolicies() async throws {
        let kms = try LocalKMS()
        let east = try await kms.createKey(account: CrossAccountStory.owner, region: "us-east-1", userPrincipals: [CrossAccountStory.user1]).arn
        let west = try await kms.createKey(account: CrossAccountStory.owner, region: "us-west-2").arn
        _ = try await kms.client(principal: CrossAccountStory.user1, region: "us-east-1").generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(east), numberOfBytes: 32))
        await expectAccessDenied(CrossAccountStory.user1, .generateDataKey, west, .noIdentityPolicyAllows) {
            try await kms.client(principal: CrossAccountStory.user1, region: "us-west-2").generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(west), numberOfBytes: 32))
        }
    }

    @Test("multi-Region keys get mrk- IDs and say so in their metadata")
    func multiRegion() async throws {
        let kms = try LocalKMS()
        let metadata = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1], multiRegion: true)
        #expect(metadata.arn.isMultiRegion)
        #expect(metadata.multiRegion)
        let described = try await kms.client(principal: CrossAccountStory.user1, region: CrossAccountStory.region).describeKey(DescribeKeyRequest(keyId: .keyID(metadata.keyId)))
        #expect(described.keyMetadata.keyId.isMultiRegion)
    }

    @Test("the local client is a KMSTransport configured with its caller and Region")
    func transportContract() async throws {
        let story = try await CrossAccountStory.make()
        let transport: any KMSTransport = story.client(CrossAccountStory.externalUser, region: CrossAccountStory.region)
        #expect(transport.region == CrossAccountStory.region)
        let generated = try await transport.generateDataKey(GenerateDataKeyRequest(keyId: .aliasARN(story.aliasARN), encryptionContext: ["k": "v"], keySpec: .aes256))
        #expect(generated.keyId == story.key)
        let decrypted = try await transport.decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(generated.keyId), encryptionContext: ["k": "v"]))
        #expect(decrypted.plaintext == generated.plaintext)
    }

    @Test("create-key: an alias in use is refused and no key is created")
    func aliasInUse() async throws {
        let story = try await CrossAccountStory.make()
        await expectCode(.alreadyExists) { try await story.kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, alias: CrossAccountStory.alias) }
        #expect(try await story.kms.listKeys(account: CrossAccountStory.owner).count == 1)
    }

    @Test("create-key with a custom policy validates it")
    func createKeyCustomPolicy() async throws {
        let kms = try LocalKMS()
        await expectCode(.malformedPolicyDocument) { try await kms.createKey(account: CrossAccountStory.owner, policy: "{}") }
        let key = try await kms.createKey(account: CrossAccountStory.owner, policy: policy(enableIAM())).arn
        #expect(try await kms.getKeyPolicy(key: key) == policy(enableIAM()))
    }

    @Test("IAM policies attach to users and roles only, and must be valid identity policies")
    func attachValidation() async throws {
        let kms = try LocalKMS()
        await expectCode(.validation) { try await kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#), principal: CrossAccountStory.ownerRoot) }
        await expectCode(.malformedPolicyDocument) { try await kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:*"}"#), principal: CrossAccountStory.externalUser) }
    }

    @Test("access keys: AKIA IDs, 40-character secrets, looked up by ID")
    func accessKeys() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createAccessKey(principal: CrossAccountStory.externalUser)
        #expect(key.accessKeyId.hasPrefix("AKIA") && key.accessKeyId.count == 20)
        #expect(key.secretAccessKey.count == 40)
        #expect(key.principal == CrossAccountStory.externalUser.description)
        let other = try await kms.createAccessKey(principal: CrossAccountStory.externalUser)
        #expect(other.accessKeyId != key.accessKeyId)
        #expect(try await kms.accessKey(id: other.accessKeyId)?.secret.unprotectedCopy() == Array(other.secretAccessKey.utf8))
    }
}
