import EnvelopeTestSupport
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Testing

@Suite("Condition keys in key policies")
struct ConditionKeyTests {
    /// A key whose policy lets User1 use it only under `condition`.
    func key(condition: String) async throws -> CrossAccountStory {
        let story = try await CrossAccountStory.make()
        let statement = #"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::109876543210:user/User1"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*","Condition":"# + condition + "}"
        // These policies leave out the administrators on purpose; the lockout safety check is bypassed as the KMS parameter allows.
        try await story.kms.putKeyPolicy(policy(statement), key: story.key, bypassPolicyLockoutSafetyCheck: true)
        return story
    }

    func generate(_ story: CrossAccountStory, _ context: [String: String], viaService: String? = nil) async throws -> GenerateDataKeyResponse {
        try await story.client(CrossAccountStory.user1, viaService: viaService).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: context, numberOfBytes: 32))
    }

    @Test("kms:EncryptionContext:<key> with StringEquals requires that pair (fact 18)")
    func encryptionContextPair() async throws {
        let story = try await key(condition: #"{"StringEquals":{"kms:EncryptionContext:Department":"IT"}}"#)
        let generated = try await generate(story, ["Department": "IT", "other": "ok"])
        _ = try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(story.key), encryptionContext: ["Department": "IT", "other": "ok"]))
        await expectAccessDenied(CrossAccountStory.user1, .generateDataKey, story.key, .noKeyPolicyAllows) { try await generate(story, ["Department": "HR"]) }
        await expectAccessDenied(CrossAccountStory.user1, .generateDataKey, story.key, .noKeyPolicyAllows) { try await generate(story, [:]) }
    }

    @Test("the context-key part of the condition key is case-insensitive, the value is not (fact 18)")
    func caseRules() async throws {
        let story = try await key(condition: #"{"StringEquals":{"kms:encryptioncontext:department":"IT"}}"#)
        _ = try await generate(story, ["Department": "IT"])
        await expectCode(.accessDenied) { try await generate(story, ["Department": "it"]) }
    }

    @Test("kms:EncryptionContextKeys with ForAllValues limits which keys may appear (fact 19)")
    func encryptionContextKeys() async throws {
        let story = try await key(condition: #"{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department","purpose"]},"Null":{"kms:EncryptionContextKeys":"false"}}"#)
        _ = try await generate(story, ["Department": "IT"])
        await expectCode(.accessDenied) { try await generate(story, ["Department": "IT", "extra": "x"]) }
        await expectCode(.accessDenied) { try await generate(story, [:]) }
    }

    @Test("kms:ViaService admits calls through the named service only (fact 16)")
    func viaService() async throws {
        let story = try await key(condition: #"{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}"#)
        _ = try await generate(story, [:], viaService: "s3.us-east-1.amazonaws.com")
        await expectCode(.accessDenied) { try await generate(story, [:]) }
        await expectCode(.accessDenied) { try await generate(story, [:], viaService: "ec2.us-east-1.amazonaws.com") }
    }

    @Test("kms:CallerAccount in an IAM-side Deny")
    func callerAccountDeny() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"kms:CallerAccount":"999999999999"}}}"#), principal: CrossAccountStory.externalUser)
        await expectCode(.accessDenied) {
            try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("StringLike on an encryption-context value")
    func stringLike() async throws {
        let story = try await key(condition: #"{"StringLike":{"kms:EncryptionContext:path":"/projects/*"}}"#)
        _ = try await generate(story, ["path": "/projects/a"])
        await expectCode(.accessDenied) { try await generate(story, ["path": "/home/a"]) }
    }
}
