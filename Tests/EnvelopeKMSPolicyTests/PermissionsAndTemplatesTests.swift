import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeKMSPolicy
import Testing

@Suite("Access evaluator, permissions and story templates")
struct PermissionsAndTemplatesTests {
    static let owner: AWSAccountID = "109876543210"
    static let external: AWSAccountID = "012345678901"
    static let user1 = AWSPrincipalARN("arn:aws:iam::109876543210:user/User1")!
    static let externalUser = AWSPrincipalARN("arn:aws:iam::012345678901:user/Alice")!
    static let keyARN = KMSKeyARN("arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab")!

    static var storyPolicy: PolicyDocument {
        KMSPolicyTemplates.keyPolicy(owner: owner, principals: [user1, external.rootPrincipal()])
    }

    @Test("the story's key-policy statements render like the AWS post")
    func keyPolicyStatements() {
        let statements = KMSPolicyTemplates.keyPolicyStatements(principals: [Self.user1, Self.external.rootPrincipal()])
        let rendered = JSONValue.array(statements.map(\.json)).rendered(indent: nil)
        #expect(rendered == #"[{"Sid":"AllowUseOfTheKey","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::109876543210:user/User1","arn:aws:iam::012345678901:root"]},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},{"Sid":"AllowAttachmentOfPersistentResources","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::109876543210:user/User1","arn:aws:iam::012345678901:root"]},"Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}]"#)
    }

    @Test("the external IAM policy names the key ARN; the encrypt-only variants drop decrypt and grants")
    func externalIAMPolicy() {
        let policy = KMSPolicyTemplates.externalIAMPolicy(keyARN: Self.keyARN).jsonText(indent: nil)
        #expect(policy.hasSuffix(#"{"Sid":"AllowAttachmentOfPersistentResources","Effect":"Allow","Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}]}"#))
        #expect(policy.hasPrefix(#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowUseOfTheKey","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"#))
        let encryptOnly = KMSPolicyTemplates.externalIAMPolicy(keyARN: Self.keyARN, permissions: .encryptOnly).jsonText(indent: nil)
        #expect(encryptOnly == #"{"Version":"2012-10-17","Statement":[{"Sid":"AllowUseOfTheKey","Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}"#)
        let statements = KMSPolicyTemplates.keyPolicyStatements(principals: [Self.externalUser], permissions: .encryptOnly)
        #expect(statements.count == 1)
        #expect(statements[0].actions?.values == ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"])
        let render = KMSPolicyTemplates.render(keyARN: Self.keyARN, principals: [Self.externalUser], encryptOnly: true)
        #expect(render["KeyPolicyStatements"] != nil && render["ExternalIAMPolicy"] != nil)
    }

    @Test("presets expand the wildcards")
    func presets() {
        #expect(KMSPermissions.keyUser.actions == [.encrypt, .decrypt, .reEncryptFrom, .reEncryptTo, .generateDataKey, .generateDataKeyWithoutPlaintext, .describeKey])
        #expect(KMSPermissions.encryptOnly.actions == [.encrypt, .generateDataKey, .generateDataKeyWithoutPlaintext, .describeKey])
        #expect(!KMSPermissions.encryptOnly.canDecrypt)
        #expect(KMSPermissions.encryptOnly.canEncrypt)
        #expect(KMSPermissions.keyUser.policyActions == ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"])
    }

    @Test("derive: owner user under the story policy with no IAM policy is a key user")
    func deriveOwnerUser() {
        let permissions = KMSPermissions.derive(keyPolicy: Self.storyPolicy, identityPolicies: [], principal: Self.user1, keyARN: Self.keyARN)
        #expect(permissions.actions == KMSPermissions.keyUser.actions)
    }

    @Test("derive: external user needs its IAM policy, and gets the intersection")
    func deriveExternalUser() throws {
        #expect(KMSPermissions.derive(keyPolicy: Self.storyPolicy, identityPolicies: [], principal: Self.externalUser, keyARN: Self.keyARN).actions.isEmpty)
        let iam = KMSPolicyTemplates.externalIAMPolicy(keyARN: Self.keyARN, permissions: .encryptOnly)
        let derived = KMSPermissions.derive(keyPolicy: Self.storyPolicy, identityPolicies: [iam], principal: Self.externalUser, keyARN: Self.keyARN)
        #expect(derived == .encryptOnly)
    }

    @Test("derive: encrypt-only key policy limits even a full IAM policy")
    func deriveEncryptOnlyKeyPolicy() {
        let policy = PolicyDocument(statements: [KMSPolicyTemplates.enableIAMPoliciesStatement(owner: Self.owner)]
            + KMSPolicyTemplates.keyPolicyStatements(principals: [Self.external.rootPrincipal()], permissions: .encryptOnly))
        let iam = KMSPolicyTemplates.externalIAMPolicy(keyARN: Self.keyARN)
        let derived = KMSPermissions.derive(keyPolicy: policy, identityPolicies: [iam], principal: Self.externalUser, keyARN: Self.keyARN)
        #expect(derived == .encryptOnly)
    }

    @Test("denial messages use AWS's wording")
    func messages() {
        let m = KMSAccessEvaluator.accessDeniedMessage(caller: Self.externalUser, action: .decrypt, keyARN: Self.keyARN, reason: .noKeyPolicyAllows)
        #expect(m == "User: arn:aws:iam::012345678901:user/Alice is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action")
        #expect(KMSAccessEvaluator.accessDeniedMessage(caller: Self.externalUser, action: .decrypt, keyARN: Self.keyARN, reason: .noIdentityPolicyAllows)
            .hasSuffix("because no identity-based policy allows the kms:Decrypt action"))
        #expect(KMSAccessEvaluator.accessDeniedMessage(caller: Self.externalUser, action: .encrypt, keyARN: Self.keyARN, reason: .explicitDenyInKeyPolicy)
            .hasSuffix("with an explicit deny in a resource-based policy"))
        #expect(KMSAccessEvaluator.accessDeniedMessage(caller: Self.externalUser, action: .encrypt, keyARN: Self.keyARN, reason: .explicitDenyInIdentityPolicy)
            .hasSuffix("with an explicit deny in an identity-based policy"))
    }

    @Test("cross-account: management actions never work, whatever the policies say")
    func crossAccountManagement() {
        let policy = PolicyDocument(statements: [PolicyStatement(effect: .allow, principal: .everyone, actions: "kms:*", resources: "*")])
        let iam = PolicyDocument(statements: [PolicyStatement(effect: .allow, actions: "kms:*", resources: "*")])
        let request = KMSAccessRequest(caller: Self.externalUser, action: .putKeyPolicy, keyARN: Self.keyARN)
        #expect(KMSAccessEvaluator.evaluate(request, keyPolicy: policy, identityPolicies: [iam]) == .denied(.noKeyPolicyAllows))
        let use = KMSAccessRequest(caller: Self.externalUser, action: .encrypt, keyARN: Self.keyARN)
        #expect(KMSAccessEvaluator.evaluate(use, keyPolicy: policy, identityPolicies: [iam]) == .allowed)
    }
}
