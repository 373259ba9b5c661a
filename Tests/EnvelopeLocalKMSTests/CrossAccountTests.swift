import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Testing
import EnvelopeTestSupport

@Suite("Cross-account use")
struct CrossAccountTests {
    @Test("the external account root uses the key by key ARN")
    func externalRoot() async throws {
        let story = try await Story.make()
        try await story.roundTrip(Story.externalRoot)
    }

    @Test("an external user with the administrator's IAM policy uses the key (fact 9)")
    func externalUserWithIAM() async throws {
        let story = try await Story.make()
        try await story.roundTrip(Story.alice)
        let described = try await story.client(Story.alice).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        #expect(described.keyMetadata.awsAccountId == Story.owner)
    }

    @Test("an external user without an IAM policy is denied: the key policy alone is not enough (fact 9)")
    func externalUserWithoutIAM() async throws {
        let story = try await Story.make()
        await expectAccessDenied(Story.bob, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(Story.bob).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        let (blob, _) = try await story.ciphertext()
        await expectAccessDenied(Story.bob, .decrypt, story.key, .noIdentityPolicyAllows) {
            try await story.client(Story.bob).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: Story.context))
        }
    }

    @Test("an IAM policy alone is not enough: the key policy must allow the account (fact 9)")
    func iamWithoutKeyPolicy() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: Story.owner, region: Story.region, userPrincipals: [Story.user1]).arn
        try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: key).jsonText(), principal: Story.alice)
        await expectAccessDenied(Story.alice, .encrypt, key, .noKeyPolicyAllows) {
            try await kms.client(principal: Story.alice, region: Story.region).encrypt(EncryptRequest(keyId: .keyARN(key), plaintext: SecureBytes(copying: [1])))
        }
    }

    @Test("a third account is denied even with a broad IAM policy")
    func thirdAccount() async throws {
        let story = try await Story.make()
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#), principal: Story.thirdUser)
        await expectAccessDenied(Story.thirdUser, .generateDataKey, story.key, .noKeyPolicyAllows) {
            try await story.client(Story.thirdUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        await expectAccessDenied(Story.third.rootPrincipal(), .describeKey, story.key, .noKeyPolicyAllows) {
            try await story.client(Story.third.rootPrincipal()).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        }
    }

    @Test("an external user reaches the key by alias ARN")
    func aliasARN() async throws {
        let story = try await Story.make()
        try await story.roundTrip(Story.alice, identifier: .aliasARN(story.aliasARN))
    }

    @Test("a bare alias name resolves in the caller's own account; the error shows the alias ARN form (fact 12)")
    func bareAliasName() async throws {
        let story = try await Story.make()
        let error = await caughtError(KMSError.self) { try await story.client(Story.alice).generateDataKey(GenerateDataKeyRequest(keyId: .aliasName(Story.alias), numberOfBytes: 32)) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("Alias arn:aws:kms:us-east-1:012345678901:alias/shared is not found.") == true)
        #expect(error?.message.contains("arn:aws:kms:us-east-1:ACCOUNT-ID:alias/shared") == true)
    }

    @Test("a bare key ID resolves in the caller's own account; the error shows the key ARN form (fact 12)")
    func bareKeyID() async throws {
        let story = try await Story.make()
        let error = await caughtError(KMSError.self) { try await story.client(Story.alice).describeKey(DescribeKeyRequest(keyId: .keyID(story.key.keyID))) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("Key 'arn:aws:kms:us-east-1:012345678901:key/\(story.key.keyID)' does not exist") == true)
        #expect(error?.message.contains("arn:aws:kms:us-east-1:ACCOUNT-ID:key/\(story.key.keyID)") == true)
    }

    @Test("the same alias name in the external account names the external account's own key (fact 13)")
    func sameAliasNameOtherAccount() async throws {
        let story = try await Story.make()
        let own = try await story.kms.createKey(account: Story.external, region: Story.region, alias: Story.alias, userPrincipals: [Story.alice]).arn
        let response = try await story.client(Story.alice).generateDataKey(GenerateDataKeyRequest(keyId: .aliasName(Story.alias), numberOfBytes: 32))
        #expect(response.keyId == own)
        #expect(response.keyId != story.key)
    }

    @Test("a key policy naming an external user directly still needs that user's IAM policy (fact 10)")
    func namedExternalUserNeedsIAM() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: Story.owner, region: Story.region, userPrincipals: [Story.bob]).arn
        await expectAccessDenied(Story.bob, .encrypt, key, .noIdentityPolicyAllows) {
            try await kms.client(principal: Story.bob, region: Story.region).encrypt(EncryptRequest(keyId: .keyARN(key), plaintext: SecureBytes(copying: [1])))
        }
        try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: key).jsonText(), principal: Story.bob)
        _ = try await kms.client(principal: Story.bob, region: Story.region).encrypt(EncryptRequest(keyId: .keyARN(key), plaintext: SecureBytes(copying: [1])))
    }

    @Test("Principal \"*\" lets any account's principals in if their IAM policy allows (fact 10)")
    func principalStar() async throws {
        let story = try await Story.make()
        try await story.kms.putKeyPolicy(policy(enableIAM() + #",{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}"#), key: story.key)
        await expectAccessDenied(Story.thirdUser, .encrypt, story.key, .noIdentityPolicyAllows) {
            try await story.client(Story.thirdUser).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        }
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:Encrypt","Resource":"\#(story.key)"}"#), principal: Story.thirdUser)
        _ = try await story.client(Story.thirdUser).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
    }

    @Test("Principal \"*\" with kms:CallerAccount admits one account only (fact 15)")
    func callerAccountCondition() async throws {
        let story = try await Story.make()
        let statement = #"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"012345678901"}}}"#
        try await story.kms.putKeyPolicy(policy(enableIAM() + "," + statement), key: story.key)
        let broad = policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#)
        try await story.kms.attachUserPolicy(broad, principal: Story.bob)
        try await story.kms.attachUserPolicy(broad, principal: Story.thirdUser)
        _ = try await story.client(Story.bob).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        await expectAccessDenied(Story.thirdUser, .encrypt, story.key, .noKeyPolicyAllows) {
            try await story.client(Story.thirdUser).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        }
    }

    @Test("the IAM policy's Resource must name this key")
    func iamResourceMustMatch() async throws {
        let story = try await Story.make(aliceIAM: nil)
        let otherKey = "arn:aws:kms:us-east-1:109876543210:key/00000000-0000-4000-8000-000000000000"
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:*","Resource":"\#(otherKey)"}"#), principal: Story.alice)
        await expectAccessDenied(Story.alice, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(Story.alice).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("an external role is delegated like a user")
    func externalRole() async throws {
        let story = try await Story.make()
        try await story.kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: story.key).jsonText(), principal: Story.externalRole)
        let session = AWSPrincipalARN("arn:aws:sts::012345678901:assumed-role/Builder/ci")!
        try await story.roundTrip(session)
    }

    @Test("keys are Regional: an ARN of another Region or a bare ID in the wrong Region is not found (facts 4, 13)")
    func regions() async throws {
        let story = try await Story.make()
        let west: AWSRegion = "us-west-2"
        await expectCode(.notFound) { try await story.client(Story.user1, region: west).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key))) }
        await expectCode(.notFound) { try await story.client(Story.user1, region: west).describeKey(DescribeKeyRequest(keyId: .keyID(story.key.keyID))) }
        let westKey = try await story.kms.createKey(account: Story.owner, region: west, alias: Story.alias, userPrincipals: [Story.user1]).arn
        let viaAlias = try await story.client(Story.user1, region: west).describeKey(DescribeKeyRequest(keyId: .aliasName(Story.alias)))
        #expect(viaAlias.keyMetadata.arn == westKey)
    }
}
