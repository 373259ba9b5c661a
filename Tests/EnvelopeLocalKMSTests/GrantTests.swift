import EnvelopeTestSupport
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Testing

@Suite("Grants")
struct GrantTests {
    static let ebs = "ebs.us-east-1.amazonaws.com"

    func grantRequest(_ story: CrossAccountStory, grantee: AWSPrincipalARN, operations: [KMSGrantOperation] = [.decrypt, .generateDataKey],
                      constraints: KMSGrantConstraints? = nil) -> CreateGrantRequest {
        CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: grantee.description, operations: operations, constraints: constraints)
    }

    @Test("direct CreateGrant fails under the kms:GrantIsForAWSResource condition (fact 17)")
    func directCreateGrantDenied() async throws {
        let story = try await CrossAccountStory.make()
        await expectAccessDenied(CrossAccountStory.user1, .createGrant, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.user1).createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        }
        await expectAccessDenied(CrossAccountStory.externalUser, .createGrant, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.externalUser).createGrant(grantRequest(story, grantee: CrossAccountStory.bob))
        }
    }

    @Test("direct ListGrants and RevokeGrant fail under the same condition")
    func directListRevokeDenied() async throws {
        let story = try await CrossAccountStory.make()
        let grant = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        await expectCode(.accessDenied) { try await story.client(CrossAccountStory.user1).listGrants(ListGrantsRequest(keyId: .keyARN(story.key))) }
        await expectCode(.accessDenied) { try await story.client(CrossAccountStory.user1).revokeGrant(RevokeGrantRequest(keyId: .keyARN(story.key), grantId: grant.grantId)) }
    }

    @Test("via an integrated AWS service, CreateGrant, ListGrants and RevokeGrant work (fact 17)")
    func viaServiceGrants() async throws {
        let story = try await CrossAccountStory.make()
        let service = story.client(CrossAccountStory.user1, viaService: Self.ebs)
        let grant = try await service.createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        #expect(grant.grantId.count == 64)
        let listed = try await service.listGrants(ListGrantsRequest(keyId: .keyARN(story.key)))
        #expect(listed.grants.map(\.grantId) == [grant.grantId])
        #expect(listed.grants[0].granteePrincipal == CrossAccountStory.ownerOther.description)
        #expect(listed.grants[0].issuingAccount == CrossAccountStory.ownerRoot.description)
        _ = try await service.revokeGrant(RevokeGrantRequest(keyId: .keyARN(story.key), grantId: grant.grantId))
        #expect(try await service.listGrants(ListGrantsRequest(keyId: .keyARN(story.key))).grants.isEmpty)
    }

    @Test("the external account's users create grants via a service too, by key ARN")
    func externalViaService() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.externalUser, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.externalUser))
    }

    @Test("a grant adds permissions: a grantee with no policy decrypts (fact 5)")
    func grantAddsPermission() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, plaintext) = try await story.ciphertext()
        await expectCode(.accessDenied) {
            try await story.client(CrossAccountStory.ownerOther).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        }
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        let decrypted = try await story.client(CrossAccountStory.ownerOther).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        #expect(decrypted.plaintext == plaintext)
    }

    @Test("a grant's grantee may be in another account and needs no IAM policy")
    func crossAccountGrantee() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.bob))
        _ = try await story.client(CrossAccountStory.bob).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
    }

    @Test("a grant only covers its operations")
    func grantOperations() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther, operations: [.encrypt]))
        _ = try await story.client(CrossAccountStory.ownerOther).encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
        await expectAccessDenied(CrossAccountStory.ownerOther, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("EncryptionContextSubset: matching contexts only")
    func subsetConstraint() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(
            grantRequest(story, grantee: CrossAccountStory.ownerOther, constraints: KMSGrantConstraints(encryptionContextSubset: ["Department": "IT"])))
        let client = story.client(CrossAccountStory.ownerOther)
        _ = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: ["Department": "IT", "x": "y"], numberOfBytes: 32))
        await expectCode(.accessDenied) {
            try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: ["Department": "HR"], numberOfBytes: 32))
        }
        await expectCode(.accessDenied) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32)) }
    }

    @Test("EncryptionContextEquals: exactly that context")
    func equalsConstraint() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(
            grantRequest(story, grantee: CrossAccountStory.ownerOther, constraints: KMSGrantConstraints(encryptionContextEquals: ["a": "1"])))
        let client = story.client(CrossAccountStory.ownerOther)
        _ = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: ["a": "1"], numberOfBytes: 32))
        await expectCode(.accessDenied) {
            try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: ["a": "1", "b": "2"], numberOfBytes: 32))
        }
    }

    @Test("grant tokens: a token of an existing grant is accepted, any other is InvalidGrantTokenException")
    func grantTokens() async throws {
        let story = try await CrossAccountStory.make()
        let grant = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        _ = try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32, grantTokens: [grant.grantToken]))
        await expectCode(.invalidGrantToken) {
            try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32, grantTokens: ["not-a-token"]))
        }
    }

    @Test("revoking a grant removes what it allowed and invalidates its token")
    func revoke() async throws {
        let story = try await CrossAccountStory.make()
        let service = story.client(CrossAccountStory.user1, viaService: Self.ebs)
        let grant = try await service.createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        _ = try await service.revokeGrant(RevokeGrantRequest(keyId: .keyARN(story.key), grantId: grant.grantId))
        await expectCode(.accessDenied) {
            try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        await expectCode(.invalidGrantToken) {
            try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32, grantTokens: [grant.grantToken]))
        }
        await expectCode(.notFound) { try await service.revokeGrant(RevokeGrantRequest(keyId: .keyARN(story.key), grantId: grant.grantId)) }
    }

    @Test("an explicit deny wins over a grant")
    func denyBeatsGrant() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(grantRequest(story, grantee: CrossAccountStory.ownerOther))
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Deny","Action":"kms:GenerateDataKey","Resource":"*"}"#), principal: CrossAccountStory.ownerOther)
        await expectAccessDenied(CrossAccountStory.ownerOther, .generateDataKey, story.key, .explicitDenyInIdentityPolicy) {
            try await story.client(CrossAccountStory.ownerOther).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("grant operations take a key ID or key ARN, not an alias (fact 12)")
    func grantNeedsKeyARN() async throws {
        let story = try await CrossAccountStory.make()
        await expectCode(.validation) {
            try await story.client(CrossAccountStory.externalUser, viaService: Self.ebs).createGrant(
                CreateGrantRequest(keyId: .aliasARN(story.aliasARN), granteePrincipal: CrossAccountStory.externalUser.description, operations: [.decrypt]))
        }
    }

    @Test("without the condition, an IAM-delegated kms:CreateGrant works directly")
    func unconditionalCreateGrant() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"\#(story.key)"}"#), principal: CrossAccountStory.ownerOther)
        _ = try await story.client(CrossAccountStory.ownerOther).createGrant(grantRequest(story, grantee: CrossAccountStory.bob))
    }

    @Test("a grant that includes CreateGrant lets its grantee create narrower grants only")
    func subGrants() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(
            grantRequest(story, grantee: CrossAccountStory.ownerOther, operations: [.createGrant, .decrypt]))
        _ = try await story.client(CrossAccountStory.ownerOther).createGrant(grantRequest(story, grantee: CrossAccountStory.bob, operations: [.decrypt]))
        await expectCode(.accessDenied) {
            try await story.client(CrossAccountStory.ownerOther).createGrant(grantRequest(story, grantee: CrossAccountStory.bob, operations: [.encrypt]))
        }
    }

    @Test("CreateGrant validates its input")
    func validation() async throws {
        let story = try await CrossAccountStory.make()
        let service = story.client(CrossAccountStory.user1, viaService: Self.ebs)
        await expectCode(.validation) {
            try await service.createGrant(CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: "nobody", operations: [.decrypt]))
        }
        await expectCode(.validation) {
            try await service.createGrant(CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: CrossAccountStory.bob.description, operations: []))
        }
        await expectCode(.validation) {
            try await service.createGrant(CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: CrossAccountStory.bob.description, operations: [KMSGrantOperation(rawValue: "Sign")]))
        }
    }

    @Test("ListGrants pages with Limit and Marker")
    func paging() async throws {
        let story = try await CrossAccountStory.make()
        let service = story.client(CrossAccountStory.user1, viaService: Self.ebs)
        for _ in 0..<3 { _ = try await service.createGrant(grantRequest(story, grantee: CrossAccountStory.bob)) }
        let first = try await service.listGrants(ListGrantsRequest(keyId: .keyARN(story.key), limit: 2))
        #expect(first.grants.count == 2 && first.truncated)
        let second = try await service.listGrants(ListGrantsRequest(keyId: .keyARN(story.key), limit: 2, marker: first.nextMarker))
        #expect(second.grants.count == 1 && !second.truncated)
    }
}
