import EnvelopeTestSupport
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Testing

@Suite("Owner account")
struct OwnerAccountTests {
    @Test("User1, named in the key policy, generates and decrypts data keys")
    func user1RoundTrip() async throws {
        let story = try await CrossAccountStory.make()
        try await story.roundTrip(CrossAccountStory.user1)
    }

    @Test("User1 by bare key ID, alias name and alias ARN; responses always carry the key ARN")
    func user1Identifiers() async throws {
        let story = try await CrossAccountStory.make()
        try await story.roundTrip(CrossAccountStory.user1, identifier: .keyID(story.key.keyID))
        try await story.roundTrip(CrossAccountStory.user1, identifier: .aliasName(CrossAccountStory.alias))
        try await story.roundTrip(CrossAccountStory.user1, identifier: .aliasARN(story.aliasARN))
    }

    @Test("User1 Encrypt and Decrypt of a caller-supplied plaintext")
    func user1EncryptDecrypt() async throws {
        let story = try await CrossAccountStory.make()
        let client = story.client(CrossAccountStory.user1)
        let secret = try SecureBytes(copying: Array("a secret".utf8))
        let encrypted = try await client.encrypt(EncryptRequest(keyId: .aliasName(CrossAccountStory.alias), plaintext: secret, encryptionContext: ["a": "b"]))
        #expect(encrypted.keyId == story.key)
        let decrypted = try await client.decrypt(DecryptRequest(ciphertextBlob: encrypted.ciphertextBlob, keyId: nil, encryptionContext: ["a": "b"]))
        #expect(decrypted.plaintext == secret)
    }

    @Test("User1 DescribeKey and GenerateDataKeyWithoutPlaintext")
    func user1Describe() async throws {
        let story = try await CrossAccountStory.make()
        let client = story.client(CrossAccountStory.user1)
        let described = try await client.describeKey(DescribeKeyRequest(keyId: .aliasName(CrossAccountStory.alias)))
        #expect(described.keyMetadata.arn == story.key)
        #expect(described.keyMetadata.keyState == .enabled)
        #expect(described.keyMetadata.awsAccountId == CrossAccountStory.owner)
        let without = try await client.generateDataKeyWithoutPlaintext(GenerateDataKeyWithoutPlaintextRequest(keyId: .keyARN(story.key), numberOfBytes: 16))
        let decrypted = try await client.decrypt(DecryptRequest(ciphertextBlob: without.ciphertextBlob, keyId: .keyARN(story.key)))
        #expect(decrypted.plaintext.count == 16)
    }

    @Test("User1 re-encrypts from one key to another of its account")
    func reEncrypt() async throws {
        let story = try await CrossAccountStory.make()
        let second = try await story.kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1])
        let (blob, plaintext) = try await story.ciphertext()
        let client = story.client(CrossAccountStory.user1)
        let moved = try await client.reEncrypt(ReEncryptRequest(ciphertextBlob: blob, sourceKeyId: .keyARN(story.key), sourceEncryptionContext: CrossAccountStory.context,
                                                                destinationKeyId: .keyARN(second.arn), destinationEncryptionContext: ["new": "ctx"]))
        #expect(moved.sourceKeyId == story.key)
        #expect(moved.keyId == second.arn)
        let decrypted = try await client.decrypt(DecryptRequest(ciphertextBlob: moved.ciphertextBlob, keyId: .keyARN(second.arn), encryptionContext: ["new": "ctx"]))
        #expect(decrypted.plaintext == plaintext)
    }

    @Test("the owner account root uses the key through the default statement")
    func ownerRoot() async throws {
        let story = try await CrossAccountStory.make()
        try await story.roundTrip(CrossAccountStory.ownerRoot)
    }

    @Test("an owner-account user not named in the key policy and without IAM policy is denied")
    func ownerUserWithoutIAM() async throws {
        let story = try await CrossAccountStory.make()
        await expectAccessDenied(CrossAccountStory.ownerOther, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("the account principal delegates to the owner's IAM policies (facts 6, 7)")
    func ownerUserWithIAM() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: story.key).jsonText(), principal: CrossAccountStory.ownerOther)
        try await story.roundTrip(CrossAccountStory.ownerOther)
    }

    @Test("IAM allows have no effect without the account-principal statement (fact 3)")
    func iamWithoutDelegation() async throws {
        let story = try await CrossAccountStory.make()
        let onlyUser1 = policy(#"{"Sid":"AllowUseOfTheKey","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::109876543210:user/User1"},"Action":"kms:*","Resource":"*"}"#)
        try await story.kms.putKeyPolicy(onlyUser1, key: story.key, bypassPolicyLockoutSafetyCheck: true)
        try await story.kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: story.key).jsonText(), principal: CrossAccountStory.ownerOther)
        await expectAccessDenied(CrossAccountStory.ownerOther, .encrypt, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.ownerOther).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        }
        // Even the account root has nothing once the key policy leaves it out (fact 2).
        await expectAccessDenied(CrossAccountStory.ownerRoot, .encrypt, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.ownerRoot).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        }
        try await story.roundTrip(CrossAccountStory.user1)
    }

    @Test("default key policy: no user has access without an IAM policy (fact 2, 6)")
    func defaultPolicy() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region).arn
        let text = try await kms.getKeyPolicy(key: key)
        #expect(try PolicyDocument(parsing: text, kind: .keyPolicy) == KMSPolicyTemplates.defaultKeyPolicy(owner: CrossAccountStory.owner))
        await expectAccessDenied(CrossAccountStory.user1, .describeKey, key, .noIdentityPolicyAllows) {
            try await kms.client(principal: CrossAccountStory.user1, region: CrossAccountStory.region).describeKey(DescribeKeyRequest(keyId: .keyARN(key)))
        }
    }

    @Test("an IAM Deny wins over a key-policy allow naming the user (facts 2, 3)")
    func iamDenyWins() async throws {
        let story = try await CrossAccountStory.make()
        let deny = policy(#"{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}"#)
        try await story.kms.attachUserPolicy(deny, principal: CrossAccountStory.user1)
        let (blob, _) = try await story.ciphertext()
        await expectAccessDenied(CrossAccountStory.user1, .decrypt, story.key, .explicitDenyInIdentityPolicy) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        }
    }

    @Test("attaching adds to the principal's policies")
    func attachAdds() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}"#), principal: CrossAccountStory.ownerOther)
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"#), principal: CrossAccountStory.ownerOther)
        #expect(try await story.kms.userPolicies(principal: CrossAccountStory.ownerOther).count == 2)
        let client = story.client(CrossAccountStory.ownerOther)
        let encrypted = try await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1, 2])))
        _ = try await client.decrypt(DecryptRequest(ciphertextBlob: encrypted.ciphertextBlob, keyId: .keyARN(story.key)))
    }

    @Test("roles and their sessions: the role ARN in the key policy covers assumed-role sessions")
    func roleSessions() async throws {
        let kms = try LocalKMS()
        let role = AWSPrincipalARN("arn:aws:iam::109876543210:role/App")!
        let key = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [role]).arn
        let session = AWSPrincipalARN("arn:aws:sts::109876543210:assumed-role/App/run-42")!
        _ = try await kms.client(principal: session, region: CrossAccountStory.region).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), numberOfBytes: 32))
        let other = AWSPrincipalARN("arn:aws:sts::109876543210:assumed-role/Other/run-1")!
        await expectAccessDenied(other, .generateDataKey, key, .noIdentityPolicyAllows) {
            try await kms.client(principal: other, region: CrossAccountStory.region).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), numberOfBytes: 32))
        }
    }
}
