import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Testing
import EnvelopeTestSupport

@Suite("Explicit deny, encrypt-only key policy, adding and removing accounts")
struct DenyEncryptOnlyAndRemovalTests {
    static func storyPolicy(extra: String) -> String {
        let statements = KMSPolicyTemplates.keyPolicy(owner: CrossAccountStory.owner, principals: [CrossAccountStory.user1, CrossAccountStory.externalRoot]).statements
        return policy(statements.map { $0.json.rendered(indent: nil) }.joined(separator: ",") + "," + extra)
    }

    @Test("a key-policy Deny wins over every allow, for the external account (fact 2)")
    func keyPolicyDeny() async throws {
        let story = try await CrossAccountStory.make()
        let deny = #"{"Sid":"NoDecryptForExternal","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::012345678901:root"},"Action":"kms:Decrypt","Resource":"*"}"#
        try await story.kms.putKeyPolicy(Self.storyPolicy(extra: deny), key: story.key)
        let generated = try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        await expectAccessDenied(CrossAccountStory.externalUser, .decrypt, story.key, .explicitDenyInKeyPolicy) {
            try await story.client(CrossAccountStory.externalUser).decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(story.key)))
        }
        // The external root user is also in that account.
        await expectAccessDenied(CrossAccountStory.externalRoot, .decrypt, story.key, .explicitDenyInKeyPolicy) {
            try await story.client(CrossAccountStory.externalRoot).decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(story.key)))
        }
        try await story.roundTrip(CrossAccountStory.user1)
    }

    @Test("a key-policy Deny naming the owner's own user wins over the statement that names it")
    func keyPolicyDenyOwnerUser() async throws {
        let story = try await CrossAccountStory.make()
        let deny = #"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::109876543210:user/User1"},"Action":"kms:GenerateDataKey*","Resource":"*"}"#
        try await story.kms.putKeyPolicy(Self.storyPolicy(extra: deny), key: story.key)
        await expectAccessDenied(CrossAccountStory.user1, .generateDataKey, story.key, .explicitDenyInKeyPolicy) {
            try await story.client(CrossAccountStory.user1).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("Deny with NotAction denies everything but the listed actions")
    func denyNotAction() async throws {
        let story = try await CrossAccountStory.make()
        let deny = #"{"Effect":"Deny","Principal":"*","NotAction":["kms:Encrypt","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}"#
        try await story.kms.putKeyPolicy(Self.storyPolicy(extra: deny), key: story.key, bypassPolicyLockoutSafetyCheck: true)  // the Deny also covers kms:PutKeyPolicy
        let (blob, _) = try await story.ciphertext()
        await expectAccessDenied(CrossAccountStory.user1, .decrypt, story.key, .explicitDenyInKeyPolicy) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        }
    }

    @Test("an IAM Deny in the external account wins over its IAM allow")
    func externalIAMDeny() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Deny","Action":"kms:*","Resource":"\#(story.key)"}"#), principal: CrossAccountStory.externalUser)
        await expectAccessDenied(CrossAccountStory.externalUser, .generateDataKey, story.key, .explicitDenyInIdentityPolicy) {
            try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("the owner narrows the key policy so the external account may only encrypt")
    func encryptOnlyKeyPolicy() async throws {
        let story = try await CrossAccountStory.make()
        let narrowed = KMSPolicyTemplates.keyPolicy(owner: CrossAccountStory.owner, principals: [CrossAccountStory.externalRoot], permissions: .encryptOnly)
        try await story.kms.putKeyPolicy(narrowed.jsonText(), key: story.key)
        let client = story.client(CrossAccountStory.externalUser)
        let generated = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: ["a": "b"], numberOfBytes: 32))
        _ = try await client.generateDataKeyWithoutPlaintext(GenerateDataKeyWithoutPlaintextRequest(keyId: .aliasARN(story.aliasARN), numberOfBytes: 32))
        _ = try await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        _ = try await client.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        await expectAccessDenied(CrossAccountStory.externalUser, .decrypt, story.key, .noKeyPolicyAllows) {
            try await client.decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(story.key), encryptionContext: ["a": "b"]))
        }
        await expectAccessDenied(CrossAccountStory.externalUser, .reEncryptFrom, story.key, .noKeyPolicyAllows) {
            try await client.reEncrypt(ReEncryptRequest(ciphertextBlob: generated.ciphertextBlob, sourceKeyId: .keyARN(story.key), sourceEncryptionContext: ["a": "b"], destinationKeyId: .keyARN(story.key)))
        }
    }

    @Test("KMSPermissions.derive mirrors what the local KMS enforces")
    func deriveMatchesEnforcement() async throws {
        let story = try await CrossAccountStory.make(externalIAM: .keyUser)
        let narrowed = KMSPolicyTemplates.keyPolicy(owner: CrossAccountStory.owner, principals: [CrossAccountStory.externalRoot], permissions: .encryptOnly)
        try await story.kms.putKeyPolicy(narrowed.jsonText(), key: story.key)
        let keyPolicy = try PolicyDocument(parsing: try await story.kms.getKeyPolicy(key: story.key), kind: .keyPolicy)
        let iam = try await story.kms.userPolicies(principal: CrossAccountStory.externalUser).map { try PolicyDocument(parsing: $0, kind: .identityPolicy) }
        let derived = KMSPermissions.derive(keyPolicy: keyPolicy, identityPolicies: iam, principal: CrossAccountStory.externalUser, keyARN: story.key)
        #expect(derived == .encryptOnly)
        let client = story.client(CrossAccountStory.externalUser)
        let generated = try await story.client(CrossAccountStory.ownerRoot).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        let decryptWorks = (try? await client.decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(story.key)))) != nil
        let encryptWorks = (try? await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))) != nil
        let describeWorks = (try? await client.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))) != nil
        #expect(decryptWorks == derived.allows(.decrypt))
        #expect(encryptWorks == derived.allows(.encrypt))
        #expect(describeWorks == derived.allows(.describeKey))
    }

    @Test("removing the external account cuts its access at once; the owner keeps it")
    func removeExternalAccount() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        try await story.roundTrip(CrossAccountStory.externalUser)
        try await story.kms.removeExternalAccount(CrossAccountStory.external, key: story.key)
        let text = try await story.kms.getKeyPolicy(key: story.key)
        #expect(!text.contains("012345678901"))
        await expectAccessDenied(CrossAccountStory.externalUser, .decrypt, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.externalUser).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        }
        await expectAccessDenied(CrossAccountStory.externalRoot, .generateDataKey, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.externalRoot).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        try await story.roundTrip(CrossAccountStory.user1)
    }

    @Test("adding an external account later gives it the story statements")
    func addExternalAccount() async throws {
        let kms = try LocalKMS()
        let key = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1]).arn
        try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: key).jsonText(), principal: CrossAccountStory.externalUser)
        let client = kms.client(principal: CrossAccountStory.externalUser, region: CrossAccountStory.region)
        await expectCode(.accessDenied) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), numberOfBytes: 32)) }
        try await kms.addExternalAccount(CrossAccountStory.external, key: key)
        try await kms.addExternalAccount(CrossAccountStory.external, key: key) // idempotent
        let document = try PolicyDocument(parsing: try await kms.getKeyPolicy(key: key), kind: .keyPolicy)
        let use = try #require(document.statements.first { $0.sid == KMSPolicyTemplates.allowUseSid })
        #expect(use.principal?.aws?.values == [CrossAccountStory.user1.description, CrossAccountStory.externalRoot.description])
        _ = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), numberOfBytes: 32))
    }

    @Test("PutKeyPolicy stores the document verbatim and rejects malformed ones, keeping the old policy")
    func putGetKeyPolicy() async throws {
        let story = try await CrossAccountStory.make()
        let before = try await story.kms.getKeyPolicy(key: story.key)
        let error = await caughtError(KMSError.self) { try await story.kms.putKeyPolicy(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*"}]}"#, key: story.key) }
        #expect(error?.code == .malformedPolicyDocument)
        #expect(try await story.kms.getKeyPolicy(key: story.key) == before)
        let custom = "{ \"Version\": \"2012-10-17\", \"Statement\": [" + enableIAM() + "] }"
        try await story.kms.putKeyPolicy(custom, key: story.key)
        #expect(try await story.kms.getKeyPolicy(key: story.key) == custom)
    }

    @Test("create-key policy: default statement plus the two story statements")
    func createKeyPolicy() async throws {
        let story = try await CrossAccountStory.make()
        let document = try PolicyDocument(parsing: try await story.kms.getKeyPolicy(key: story.key), kind: .keyPolicy)
        #expect(document.statements.map(\.sid) == [KMSPolicyTemplates.enableIAMSid, KMSPolicyTemplates.allowUseSid, KMSPolicyTemplates.allowAttachmentSid])
        #expect(document == KMSPolicyTemplates.keyPolicy(owner: CrossAccountStory.owner, principals: [CrossAccountStory.user1, CrossAccountStory.externalRoot]))
    }
}
