import EnvelopeTestSupport
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation
import Testing

/// One policy case: a key-policy statement added to the story's key, a caller, a call, and
/// whether AWS allows it. Every row runs twice — as a real request to the local KMS and through
/// `LocalKMS.simulate` (what `envelope policy simulate` calls) — and both must give the expected
/// answer, so the simulator cannot disagree with the real evaluation.
struct PolicyCase: Sendable, CustomTestStringConvertible {
    enum Call: Sendable {
        case generateDataKey(viaAlias: Bool, context: [String: String])
        case encrypt
        case createGrant(grantee: AWSPrincipalARN, operations: [KMSGrantOperation], retiring: AWSPrincipalARN?, constraints: KMSGrantConstraints?)
    }

    let name: String
    /// The AWS page the expectation comes from.
    let source: String
    let statement: String
    var caller: AWSPrincipalARN = CrossAccountStory.ownerOther
    let call: Call
    let allowed: Bool
    var setup: @Sendable (LocalKMS) async throws -> Void = { _ in }

    var testDescription: String { "\(name) → \(allowed ? "allow" : "deny")" }

    static let conditionsKMS = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"
    static let globalKeys = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
    static let operators = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
    static let variables = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
    static let principalElement = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
    static let notPrincipal = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"

    static let other = CrossAccountStory.ownerOther.description
    static let adminRole = AWSPrincipalARN("arn:aws:iam::109876543210:role/team/Admin")!
    static let adminSession = AWSPrincipalARN("arn:aws:sts::109876543210:assumed-role/Admin/s1")!

    static func allow(_ principal: String = other, _ action: String, _ condition: String = "") -> String {
        let conditionPart = condition.isEmpty ? "" : #","Condition":"# + condition
        return #"{"Effect":"Allow","Principal":{"AWS":"\#(principal)"},"Action":"\#(action)","Resource":"*"\#(conditionPart)}"#
    }

    static func grant(_ operations: [KMSGrantOperation], to grantee: AWSPrincipalARN = CrossAccountStory.bob, retiring: AWSPrincipalARN? = nil,
                      constraints: KMSGrantConstraints? = nil) -> Call {
        .createGrant(grantee: grantee, operations: operations, retiring: retiring, constraints: constraints)
    }

    static let gdk = Call.generateDataKey(viaAlias: false, context: [:])
    static func gdk(_ context: [String: String]) -> Call { .generateDataKey(viaAlias: false, context: context) }

    static let cases: [PolicyCase] = [
        // kms:GrantOperations is multi-valued: ForAllValues limits the operations a grant may have.
        PolicyCase(name: "kms:GrantOperations within the allowed set", source: conditionsKMS + "#conditions-kms-grant-operations",
                   statement: allow(other, "kms:CreateGrant", #"{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt","Encrypt"]}}"#),
                   call: grant([.decrypt]), allowed: true),
        PolicyCase(name: "kms:GrantOperations outside the allowed set", source: conditionsKMS + "#conditions-kms-grant-operations",
                   statement: allow(other, "kms:CreateGrant", #"{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt","Encrypt"]}}"#),
                   call: grant([.decrypt, .createGrant]), allowed: false),
        PolicyCase(name: "kms:GranteePrincipal names the grantee", source: conditionsKMS + "#conditions-kms-grantee-principal",
                   statement: allow(other, "kms:CreateGrant", #"{"StringEquals":{"kms:GranteePrincipal":"\#(CrossAccountStory.bob)"}}"#),
                   call: grant([.decrypt]), allowed: true),
        PolicyCase(name: "kms:GranteePrincipal names another grantee", source: conditionsKMS + "#conditions-kms-grantee-principal",
                   statement: allow(other, "kms:CreateGrant", #"{"StringEquals":{"kms:GranteePrincipal":"\#(CrossAccountStory.bob)"}}"#),
                   call: grant([.decrypt], to: CrossAccountStory.externalUser), allowed: false),
        PolicyCase(name: "kms:RetiringPrincipal present and matching", source: conditionsKMS + "#conditions-kms-retiring-principal",
                   statement: allow(other, "kms:CreateGrant", #"{"StringEquals":{"kms:RetiringPrincipal":"\#(CrossAccountStory.externalUser)"}}"#),
                   call: grant([.decrypt], retiring: CrossAccountStory.externalUser), allowed: true),
        PolicyCase(name: "kms:RetiringPrincipal absent", source: conditionsKMS + "#conditions-kms-retiring-principal",
                   statement: allow(other, "kms:CreateGrant", #"{"StringEquals":{"kms:RetiringPrincipal":"\#(CrossAccountStory.externalUser)"}}"#),
                   call: grant([.decrypt]), allowed: false),
        PolicyCase(name: "kms:GrantConstraintType EncryptionContextEquals", source: conditionsKMS + "#conditions-kms-grant-constraint-type",
                   statement: allow(other, "kms:CreateGrant", #"{"StringEquals":{"kms:GrantConstraintType":"EncryptionContextEquals"}}"#),
                   call: grant([.decrypt], constraints: KMSGrantConstraints(encryptionContextEquals: ["a": "1"])), allowed: true),
        PolicyCase(name: "kms:GrantConstraintType without constraints", source: conditionsKMS + "#conditions-kms-grant-constraint-type",
                   statement: allow(other, "kms:CreateGrant", #"{"StringEquals":{"kms:GrantConstraintType":"EncryptionContextEquals"}}"#),
                   call: grant([.decrypt]), allowed: false),
        PolicyCase(name: "kms:RequestAlias when the request names the alias", source: conditionsKMS + "#conditions-kms-request-alias",
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:RequestAlias":"alias/SharedKey"}}"#),
                   call: .generateDataKey(viaAlias: true, context: [:]), allowed: true),
        PolicyCase(name: "kms:RequestAlias when the request names the key ARN", source: conditionsKMS + "#conditions-kms-request-alias",
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:RequestAlias":"alias/SharedKey"}}"#),
                   call: gdk, allowed: false),
        PolicyCase(name: "kms:EncryptionAlgorithm SYMMETRIC_DEFAULT (also when the request omits it)", source: conditionsKMS + "#conditions-kms-encryption-algorithm",
                   statement: allow(other, "kms:Encrypt", #"{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}"#),
                   call: .encrypt, allowed: true),
        PolicyCase(name: "kms:KeySpec of the key", source: conditionsKMS + "#conditions-kms-key-spec",
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT","kms:KeyUsage":"ENCRYPT_DECRYPT"}}"#),
                   call: gdk, allowed: true),
        PolicyCase(name: "kms:KeyOrigin other than the key's", source: conditionsKMS + "#conditions-kms-key-origin",
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:KeyOrigin":"EXTERNAL"}}"#),
                   call: gdk, allowed: false),
        PolicyCase(name: "aws:PrincipalAccount", source: globalKeys + "#condition-keys-principalaccount",
                   statement: allow("*", "kms:GenerateDataKey", #"{"StringEquals":{"aws:PrincipalAccount":"109876543210"}}"#),
                   call: gdk, allowed: true),
        PolicyCase(name: "aws:PrincipalTag of a tagged user", source: globalKeys + "#condition-keys-principaltag",
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"aws:PrincipalTag/team":"blue"}}"#),
                   call: gdk, allowed: true, setup: { try await $0.tagPrincipal(CrossAccountStory.ownerOther, tags: ["team": "blue"]) }),
        PolicyCase(name: "aws:PrincipalTag of an untagged user", source: globalKeys + "#condition-keys-principaltag",
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"aws:PrincipalTag/team":"blue"}}"#),
                   call: gdk, allowed: false),
        PolicyCase(name: "aws:PrincipalOrgID of an account in the organization", source: globalKeys + "#condition-keys-principalorgid",
                   statement: allow("*", "kms:GenerateDataKey", #"{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg"}}"#),
                   call: gdk, allowed: true, setup: { try await $0.setOrganization("o-exampleorg", account: CrossAccountStory.owner) }),
        PolicyCase(name: "aws:PrincipalOrgID of an account outside it", source: globalKeys + "#condition-keys-principalorgid",
                   statement: allow("*", "kms:GenerateDataKey", #"{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg"}}"#),
                   call: gdk, allowed: false),
        // A role session is evaluated as its role, whose ARN includes the role's path.
        PolicyCase(name: "a role session matches its role named with its path", source: principalElement + "#principal-roles",
                   statement: allow(adminRole.description, "kms:GenerateDataKey"), caller: adminSession,
                   call: gdk, allowed: true, setup: { try await $0.createPrincipal(adminRole) }),
        PolicyCase(name: "aws:PrincipalArn of a session is not the role ARN without its path", source: globalKeys + "#condition-keys-principalarn",
                   statement: allow("*", "kms:GenerateDataKey", #"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::109876543210:role/Admin"}}"#),
                   caller: adminSession, call: gdk, allowed: false, setup: { try await $0.createPrincipal(adminRole) }),
        PolicyCase(name: "aws:PrincipalArn of a session is its role ARN with path (ArnLike)", source: globalKeys + "#condition-keys-principalarn",
                   statement: allow("*", "kms:GenerateDataKey", #"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::109876543210:role/team/*"}}"#),
                   caller: adminSession, call: gdk, allowed: true, setup: { try await $0.createPrincipal(adminRole) }),
        PolicyCase(name: "ArnLike compares part by part: a wildcard does not cross a colon", source: operators + "#Conditions_ARN",
                   statement: allow("*", "kms:GenerateDataKey", #"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::1098*"}}"#),
                   call: gdk, allowed: false),
        PolicyCase(name: "ArnEquals with a wildcard in the account part", source: operators + "#Conditions_ARN",
                   statement: allow("*", "kms:GenerateDataKey", #"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:user/Other"}}"#),
                   call: gdk, allowed: true),
        PolicyCase(name: "NotPrincipal Deny denies everyone not named", source: notPrincipal,
                   statement: allow(other, "kms:GenerateDataKey") + "," +
                       #"{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::109876543210:root","\#(CrossAccountStory.user1)"]},"Action":"kms:*","Resource":"*"}"#,
                   call: gdk, allowed: false),
        PolicyCase(name: "NotPrincipal Deny spares the principals it names", source: notPrincipal,
                   statement: allow(other, "kms:GenerateDataKey") + "," +
                       #"{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::109876543210:root","\#(other)"]},"Action":"kms:*","Resource":"*"}"#,
                   call: gdk, allowed: true),
        PolicyCase(name: "NumericLessThan aws:EpochTime", source: operators + "#Conditions_Numeric",
                   statement: allow(other, "kms:GenerateDataKey", #"{"NumericLessThan":{"aws:EpochTime":"99999999999"}}"#),
                   call: gdk, allowed: true),
        PolicyCase(name: "NumericGreaterThan aws:EpochTime", source: operators + "#Conditions_Numeric",
                   statement: allow(other, "kms:GenerateDataKey", #"{"NumericGreaterThan":{"aws:EpochTime":"99999999999"}}"#),
                   call: gdk, allowed: false),
        PolicyCase(name: "DateGreaterThan aws:CurrentTime", source: operators + "#Conditions_Date",
                   statement: allow(other, "kms:GenerateDataKey", #"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#),
                   call: gdk, allowed: true),
        PolicyCase(name: "DateLessThan aws:CurrentTime", source: operators + "#Conditions_Date",
                   statement: allow(other, "kms:GenerateDataKey", #"{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#),
                   call: gdk, allowed: false),
        PolicyCase(name: "${aws:username} matches the caller's user name", source: variables,
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:EncryptionContext:user":"${aws:username}"}}"#),
                   call: gdk(["user": "Other"]), allowed: true),
        PolicyCase(name: "${aws:username} against another name", source: variables,
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:EncryptionContext:user":"${aws:username}"}}"#),
                   call: gdk(["user": "Bob"]), allowed: false),
        PolicyCase(name: "${aws:PrincipalTag/team} matches the caller's tag", source: variables,
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:EncryptionContext:team":"${aws:PrincipalTag/team}"}}"#),
                   call: gdk(["team": "blue"]), allowed: true, setup: { try await $0.tagPrincipal(CrossAccountStory.ownerOther, tags: ["team": "blue"]) }),
        PolicyCase(name: "${aws:PrincipalTag/team} of an untagged caller matches nothing", source: variables,
                   statement: allow(other, "kms:GenerateDataKey", #"{"StringEquals":{"kms:EncryptionContext:team":"${aws:PrincipalTag/team}"}}"#),
                   call: gdk(["team": "blue"]), allowed: false),
    ]
}

@Suite("Policy cases: real requests and the simulator agree")
struct PolicyTableTests {
    /// The story's key with its policy replaced by the default statement plus the case's statement.
    func prepare(_ row: PolicyCase) async throws -> CrossAccountStory {
        let story = try await CrossAccountStory.make()
        for principal in [CrossAccountStory.ownerOther, CrossAccountStory.bob, CrossAccountStory.externalUser] { try await story.kms.createPrincipal(principal) }
        try await row.setup(story.kms)
        try await story.kms.putKeyPolicy(policy(enableIAM() + "," + row.statement), key: story.key)
        return story
    }

    /// Makes the real call; true when it succeeded, false on AccessDeniedException.
    func realCall(_ row: PolicyCase, _ story: CrossAccountStory) async throws -> Bool {
        let client = story.client(row.caller)
        do {
            switch row.call {
            case .generateDataKey(let viaAlias, let context):
                _ = try await client.generateDataKey(GenerateDataKeyRequest(keyId: viaAlias ? .aliasARN(story.aliasARN) : .keyARN(story.key),
                                                                            encryptionContext: context, numberOfBytes: 32))
            case .encrypt:
                _ = try await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1])))
            case .createGrant(let grantee, let operations, let retiring, let constraints):
                _ = try await client.createGrant(CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: grantee.description,
                                                                    retiringPrincipal: retiring?.description, operations: operations,
                                                                    constraints: constraints))
            }
            return true
        } catch let error as KMSError where error.code == .accessDenied {
            return false
        }
    }

    /// Asks the simulator the same question, with the same request keys the real call has.
    func simulated(_ row: PolicyCase, _ story: CrossAccountStory) async throws -> KMSAccessExplanation {
        switch row.call {
        case .generateDataKey(let viaAlias, let context):
            return try await story.kms.simulate(principal: row.caller, action: .generateDataKey, key: story.key, encryptionContext: context,
                                                requestKeys: LocalKMS.requestKeys(naming: viaAlias ? .aliasARN(story.aliasARN) : .keyARN(story.key)))
        case .encrypt:
            return try await story.kms.simulate(principal: row.caller, action: .encrypt, key: story.key, encryptionContext: [:],
                                                requestKeys: LocalKMS.cryptoRequestKeys(.keyARN(story.key), nil))
        case .createGrant(let grantee, let operations, let retiring, let constraints):
            let request = CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: grantee.description, retiringPrincipal: retiring?.description,
                                             operations: operations, constraints: constraints)
            let context = (constraints?.encryptionContextEquals ?? [:]).merging(constraints?.encryptionContextSubset ?? [:]) { a, _ in a }
            return try await story.kms.simulate(principal: row.caller, action: .createGrant, key: story.key, encryptionContext: context,
                                                requestKeys: LocalKMS.grantRequestKeys(request))
        }
    }

    @Test("each case: the real request and the simulator give AWS's answer", arguments: PolicyCase.cases)
    func realAndSimulatedAgree(_ row: PolicyCase) async throws {
        let story = try await prepare(row)
        let simulation = try await simulated(row, story)
        let real = try await realCall(row, story)
        #expect(real == row.allowed, "real request: \(row.name) (\(row.source))")
        #expect(simulation.isAllowed == row.allowed, "simulation: \(simulation)")
        // The decision log's last line says the same thing as the simulator.
        let last = try #require(try await story.kms.decisionLog().last)
        #expect(last.outcome == (row.allowed ? "Allow" : "Deny"))
        #expect(last.statements == simulation.statements)
    }
}
