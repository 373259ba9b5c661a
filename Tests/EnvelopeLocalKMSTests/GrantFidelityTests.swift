import EnvelopeTestSupport
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Testing

/// Grants as AWS KMS has them: independent of the key policy, retired by whom the grant says,
/// constrained children only, constraints only where an encryption context exists.
@Suite("Grants: AWS fidelity")
struct GrantFidelityTests {
    static let ebs = "ebs.us-east-1.amazonaws.com"

    func grant(_ story: CrossAccountStory, to grantee: AWSPrincipalARN, _ operations: [KMSGrantOperation] = [.decrypt, .generateDataKey],
               constraints: KMSGrantConstraints? = nil, retiring: AWSPrincipalARN? = nil) async throws -> CreateGrantResponse {
        try await story.client(CrossAccountStory.user1, viaService: Self.ebs).createGrant(
            CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: grantee.description, retiringPrincipal: retiring?.description,
                               operations: operations, constraints: constraints))
    }

    func generate(_ story: CrossAccountStory, as principal: AWSPrincipalARN, context: [String: String] = [:]) async throws -> GenerateDataKeyResponse {
        try await story.client(principal).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), encryptionContext: context, numberOfBytes: 32))
    }

    // Fact: "grants are an alternative to the key policy and IAM policies"; each grant allows
    // access on its own, and changing the key policy does not affect grants — they keep working
    // until retired or revoked. https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    @Test("a grant to an external principal survives removal of its account from the key policy, until revoked")
    func grantSurvivesRemoval() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, plaintext) = try await story.ciphertext()
        let created = try await grant(story, to: CrossAccountStory.bob)
        try await story.kms.removeExternalAccount(CrossAccountStory.external, key: story.key)
        // Alice (IAM + key policy only) has lost access; Bob's grant still decrypts.
        await expectAccessDenied(CrossAccountStory.externalUser, .generateDataKey, story.key, .noKeyPolicyAllows) { try await generate(story, as: CrossAccountStory.externalUser) }
        let decrypted = try await story.client(CrossAccountStory.bob).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
        #expect(decrypted.plaintext == plaintext)
        let held = try await story.kms.grantsHeld(byAccount: CrossAccountStory.external, key: story.key)
        #expect(held.map(\.grantId) == [created.grantId])
        try await story.kms.adminRevokeGrant(grantId: created.grantId, key: story.key)
        await expectCode(.accessDenied) { try await generate(story, as: CrossAccountStory.bob) }
    }

    @Test("a grant survives PutKeyPolicy replacing the whole policy")
    func grantSurvivesPutKeyPolicy() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await grant(story, to: CrossAccountStory.bob)
        try await story.kms.putKeyPolicy(policy(enableIAM()), key: story.key)
        _ = try await generate(story, as: CrossAccountStory.bob)
    }

    // Fact: RetireGrant "can be called by the retiring principal for a grant, by the grantee
    // principal if the grant allows the RetireGrant operation, and by the AWS account in which
    // the grant is created"; permission is determined by the grant, not by policies.
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html
    @Test("RetireGrant: the retiring principal, a grantee with RetireGrant, the key's account; nobody else")
    func retireGrant() async throws {
        let story = try await CrossAccountStory.make()
        let byRetiring = try await grant(story, to: CrossAccountStory.bob, retiring: CrossAccountStory.externalUser)
        await expectCode(.accessDenied) { try await story.kms.retireGrant(grantToken: byRetiring.grantToken, caller: LocalKMSCaller(principal: CrossAccountStory.bob)) }
        try await story.kms.retireGrant(grantToken: byRetiring.grantToken, caller: LocalKMSCaller(principal: CrossAccountStory.externalUser))
        await expectCode(.accessDenied) { try await generate(story, as: CrossAccountStory.bob) }

        let selfRetiring = try await grant(story, to: CrossAccountStory.bob, [.decrypt, .retireGrant])
        try await story.kms.retireGrant(keyId: .keyARN(story.key), grantId: selfRetiring.grantId, caller: LocalKMSCaller(principal: CrossAccountStory.bob))

        let byOwner = try await grant(story, to: CrossAccountStory.bob)
        await expectCode(.accessDenied) { try await story.kms.retireGrant(grantToken: byOwner.grantToken, caller: LocalKMSCaller(principal: CrossAccountStory.thirdUser)) }
        try await story.kms.retireGrant(grantToken: byOwner.grantToken, caller: LocalKMSCaller(principal: CrossAccountStory.ownerRoot))
        await expectCode(.invalidGrantToken) { try await story.kms.retireGrant(grantToken: byOwner.grantToken, caller: LocalKMSCaller(principal: CrossAccountStory.ownerRoot)) }
        #expect(try await story.kms.grantsHeld(byAccount: CrossAccountStory.external, key: story.key).isEmpty)
    }

    // Fact: ListRetirableGrants lists the grants whose RetiringPrincipal is the given principal;
    // it needs kms:ListRetirableGrants in an IAM policy (not a key policy).
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html
    @Test("ListRetirableGrants lists the grants a principal may retire, with an IAM policy allowing it")
    func listRetirableGrants() async throws {
        let story = try await CrossAccountStory.make()
        let created = try await grant(story, to: CrossAccountStory.bob, retiring: CrossAccountStory.externalUser)
        _ = try await grant(story, to: CrossAccountStory.bob)
        let caller = LocalKMSCaller(principal: CrossAccountStory.externalUser)
        await expectCode(.accessDenied) { try await story.kms.listRetirableGrants(retiringPrincipal: CrossAccountStory.externalUser, caller: caller) }
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:ListRetirableGrants","Resource":"*"}"#), principal: CrossAccountStory.externalUser)
        let listed = try await story.kms.listRetirableGrants(retiringPrincipal: CrossAccountStory.externalUser, caller: caller)
        #expect(listed.grants.map(\.grantId) == [created.grantId])
    }

    // Fact: "If a grant with a grant constraint includes the CreateGrant operation, the constraint
    // requires that any grants created with the CreateGrant permission have an equally strict or
    // stricter encryption context constraint."
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html (Constraints)
    @Test("a grant created under a parent grant is at least as constrained as its parent")
    func childGrantAtLeastAsConstrained() async throws {
        let story = try await CrossAccountStory.make()
        _ = try await grant(story, to: CrossAccountStory.ownerOther, [.createGrant, .decrypt],
                            constraints: KMSGrantConstraints(encryptionContextSubset: ["Department": "IT"]))
        let child = story.client(CrossAccountStory.ownerOther)
        func request(_ constraints: KMSGrantConstraints?) -> CreateGrantRequest {
            CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: CrossAccountStory.bob.description, operations: [.decrypt], constraints: constraints)
        }
        await expectCode(.accessDenied) { try await child.createGrant(request(nil)) }
        await expectCode(.accessDenied) { try await child.createGrant(request(KMSGrantConstraints(encryptionContextSubset: ["Department": "HR"]))) }
        _ = try await child.createGrant(request(KMSGrantConstraints(encryptionContextSubset: ["Department": "IT", "Team": "A"])))
        _ = try await child.createGrant(request(KMSGrantConstraints(encryptionContextEquals: ["Department": "IT"])))
    }

    // Fact: "Grant constraints are not applied to operations that do not support an encryption
    // context, such as ... DescribeKey or RetireGrant."
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
    @Test("encryption-context constraints do not apply to DescribeKey and RetireGrant")
    func constraintsSkipDescribeAndRetire() async throws {
        let story = try await CrossAccountStory.make()
        let created = try await grant(story, to: CrossAccountStory.ownerOther, [.describeKey, .retireGrant, .decrypt],
                                      constraints: KMSGrantConstraints(encryptionContextEquals: ["a": "1"]))
        let described = try await story.client(CrossAccountStory.ownerOther).describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        #expect(described.keyMetadata.arn == story.key)
        try await story.kms.retireGrant(grantToken: created.grantToken, caller: LocalKMSCaller(principal: CrossAccountStory.ownerOther))
    }
}
