import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Testing
import EnvelopeTestSupport

@Suite("Cross-account use")
struct CrossAccountTests {
    @Test("the external account root uses the key by key ARN")
    func externalRoot() async throws {
        let story = try await CrossAccountStory.make()
        try await story.roundTrip(CrossAccountStory.externalRoot)
    }

    @Test("an external user with the administrator's IAM policy uses the key (fact 9)")
    func externalUserWithIAM() async throws {
        let story = try await CrossAccountStory.make()
        try await story.roundTrip(CrossAccountStory.externalUser)
        let described = try await story.client(CrossAccountStory.externalUser).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        #expect(described.keyMetadata.awsAccountId == CrossAccountStory.owner)
    }

    @Test("an external user without an IAM policy is denied: the key policy alone is not enough (fact 9)")
    func externalUserWithoutIAM() async throws {
        let story = try await CrossAccountStory.make()
        await expectAccessDenied(CrossAccountStory.bob, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.bob).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        let (blob, _) = try await story.ciphertext()
        await expectAccessDenied(CrossAccountStory.bob, .decrypt, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.bob).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        }
    }

    @Test("an IAM policy alone is not enough: the key policy must allow the account (fact 9)")
    func iamWithoutKeyPolicy() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1]).arn
        try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: key).jsonText(), principal: CrossAccountStory.externalUser)
        await expectAccessDenied(CrossAccountStory.externalUser, .encrypt, key, .noKeyPolicyAllows) {
            try await kms.client(principal: CrossAccountStory.externalUser, region: CrossAccountStory.region).encrypt(EncryptRequest(keyId: .keyARN(key), plaintext: SecureBytes(copying: [1])))
        }
    }

    @Test("a third account is denied even with a broad IAM policy")
    func thirdAccount() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#), principal: CrossAccountStory.thirdUser)
        await expectAccessDenied(CrossAccountStory.thirdUser, .generateDataKey, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.thirdUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        await expectAccessDenied(CrossAccountStory.third.rootPrincipal(), .describeKey, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.third.rootPrincipal()).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        }
    }

    @Test("an external user reaches the key by alias ARN")
    func aliasARN() async throws {
        let story = try await CrossAccountStory.make()
        try await story.roundTrip(CrossAccountStory.externalUser, identifier: .aliasARN(story.aliasARN))
    }

    @Test("a bare alias name resolves in the caller's own account; the error shows the alias ARN form (fact 12)")
    func bareAliasName() async throws {
        let story = try await CrossAccountStory.make()
        let error = await caughtError(KMSError.self) { try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .aliasName(CrossAccountStory.alias), numberOfBytes: 32)) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("Alias arn:aws:kms:us-east-1:012345678901:alias/SharedKey is not found.") == true)
        #expect(error?.message.contains("arn:aws:kms:us-east-1:ACCOUNT-ID:alias/SharedKey") == true)
    }

    @Test("a bare key ID resolves in the caller's own account; the error shows the key ARN form (fact 12)")
    func bareKeyID() async throws {
        let story = try await CrossAccountStory.make()
        let error = await caughtError(KMSError.self) { try await story.client(CrossAccountStory.externalUser).describeKey(DescribeKeyRequest(keyId: .keyID(story.key.keyID))) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("Key 'arn:aws:kms:us-east-1:012345678901:key/\(story.key.keyID)' does not exist") == true)
        #expect(error?.message.contains("arn:aws:kms:us-east-1:ACCOUNT-ID:key/\(story.key.keyID)") == true)
    }

    @Test("the same alias name in the external account names the external account's own key (fact 13)")
    func sameAliasNameOtherAccount() async throws {
        let story = try await CrossAccountStory.make()
        let own = try await story.kms.createKey(account: CrossAccountStory.external, region: CrossAccountStory.region, alias: CrossAccountStory.alias, userPrincipals: [CrossAccountStory.externalUser]).arn
        let response = try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .aliasName(CrossAccountStory.alias), numberOfBytes: 32))
        #expect(response.keyId == own)
        #expect(response.keyId != story.key)
    }

    @Test("a key policy naming an external user directly still needs that user's IAM policy (fact 10)")
    func namedExternalUserNeedsIAM() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.bob]).arn
        await expectAccessDenied(CrossAccountStory.bob, .encrypt, key, .noIdentityPolicyAllows) {
            try await kms.client(principal: CrossAccountStory.bob, region: CrossAccountStory.region).encrypt(EncryptRequest(keyId: .keyARN(key), plaintext: SecureBytes(copying: [1])))
        }
        try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: key).jsonText(), principal: CrossAccountStory.bob)
        _ = try await kms.client(principal: CrossAccountStory.bob, region: CrossAccountStory.region).encrypt(EncryptRequest(keyId: .keyARN(key), plaintext: SecureBytes(copying: [1])))
    }

    @Test("Principal \"*\" lets any account's principals in if their IAM policy allows (fact 10)")
    func principalStar() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.putKeyPolicy(policy(enableIAM() + #",{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}"#), key: story.key)
        await expectAccessDenied(CrossAccountStory.thirdUser, .encrypt, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.thirdUser).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        }
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:Encrypt","Resource":"\#(story.key)"}"#), principal: CrossAccountStory.thirdUser)
        _ = try await story.client(CrossAccountStory.thirdUser).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
    }

    @Test("Principal \"*\" with kms:CallerAccount admits one account only (fact 15)")
    func callerAccountCondition() async throws {
        let story = try await CrossAccountStory.make()
        let statement = #"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"012345678901"}}}"#
        try await story.kms.putKeyPolicy(policy(enableIAM() + "," + statement), key: story.key)
        let broad = policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#)
        try await story.kms.attachUserPolicy(broad, principal: CrossAccountStory.bob)
        try await story.kms.attachUserPolicy(broad, principal: CrossAccountStory.thirdUser)
        _ = try await story.client(CrossAccountStory.bob).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        await expectAccessDenied(CrossAccountStory.thirdUser, .encrypt, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.thirdUser).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        }
    }

    @Test("the IAM policy's Resource must name this key")
    func iamResourceMustMatch() async throws {
        let story = try await CrossAccountStory.make(externalIAM: nil)
        let otherKey = "arn:aws:kms:us-east-1:109876543210:key/00000000-0000-4000-8000-000000000000"
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"\#(otherKey)"}"#), principal: CrossAccountStory.externalUser)
        await expectAccessDenied(CrossAccountStory.externalUser, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("an external role is delegated like a user")
    func externalRole() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: story.key).jsonText(), principal: CrossAccountStory.externalRole)
        let session = AWSPrincipalARN("arn:aws:sts::012345678901:assumed-role/Builder/ci")!
        try await story.roundTrip(session)
    }

    @Test("keys are Regional: an ARN of another Region or a bare ID in the wrong Region is not found (facts 4, 13)")
    func regions() async throws {
        let story = try await CrossAccountStory.make()
        let west: AWSRegion = "us-west-2"
        await expectCode(.notFound) { try await story.client(CrossAccountStory.user1, region: west).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key))) }
        await expectCode(.notFound) { try await story.client(CrossAccountStory.user1, region: west).describeKey(DescribeKeyRequest(keyId: .keyID(story.key.keyID))) }
        let westKey = try await story.kms.createKey(account: CrossAccountStory.owner, region: west, alias: CrossAccountStory.alias, userPrincipals: [CrossAccountStory.user1]).arn
        let viaAlias = try await story.client(CrossAccountStory.user1, region: west).describeKey(DescribeKeyRequest(keyId: .aliasName(CrossAccountStory.alias)))
        #expect(viaAlias.keyMetadata.arn == westKey)
    }
}
