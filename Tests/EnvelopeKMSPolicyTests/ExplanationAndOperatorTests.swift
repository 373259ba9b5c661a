import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation
import Testing

/// The evaluator says which statement decided, and the operators and statement forms compare as IAM does.
@Suite("Evaluator explanations, operators and statement forms")
struct ExplanationAndOperatorTests {
    static let owner: AWSAccountID = "109876543210"
    static let key = KMSKeyARN("arn:aws:kms:us-east-1:109876543210:key/1234abcd-12ab-34cd-56ef-1234567890ab")!
    static let user = AWSPrincipalARN("arn:aws:iam::109876543210:user/dev/Alice")!
    static let external = AWSPrincipalARN("arn:aws:iam::012345678901:user/Bob")!

    static func keyPolicy(_ json: String) throws -> PolicyDocument { try PolicyDocument(parsing: json, kind: .keyPolicy) }

    // Fact: "the key policy ... delegates to IAM"; a cross-account caller needs both sides.
    // https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html
    @Test("the explanation names the allowing statements of each side, or the missing side")
    func explanations() throws {
        let policy = try Self.keyPolicy(#"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::109876543210:root"},"Action":"kms:*","Resource":"*"},{"Sid":"AllowUseOfTheKey","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::012345678901:root"},"Action":"kms:Decrypt","Resource":"*"}]}"#)
        let iam = try PolicyDocument(parsing: #"{"Version":"2012-10-17","Statement":{"Sid":"UseSharedKey","Effect":"Allow","Action":"kms:Decrypt","Resource":"\#(Self.key)"}}"#, kind: .identityPolicy)
        let request = KMSAccessRequest(caller: Self.external, action: .decrypt, keyARN: Self.key)
        let allowed = KMSAccessEvaluator.explain(request, keyPolicy: policy, identityPolicies: [iam])
        #expect(allowed.isAllowed)
        #expect(allowed.statements.map(\.sid) == ["AllowUseOfTheKey", "UseSharedKey"])
        #expect(allowed.statements.map(\.source) == [.keyPolicy, .identityPolicy(principal: Self.external.description, index: 0)])
        let missingIAM = KMSAccessEvaluator.explain(request, keyPolicy: policy, identityPolicies: [])
        #expect(missingIAM.denial == .noIdentityPolicyAllows)
        #expect(missingIAM.statements.map(\.sid) == ["AllowUseOfTheKey"])
        let noKey = KMSAccessEvaluator.explain(KMSAccessRequest(caller: Self.external, action: .encrypt, keyARN: Self.key), keyPolicy: policy, identityPolicies: [iam])
        #expect(noKey.denial == .noKeyPolicyAllows)
        #expect(noKey.statements.isEmpty)
        #expect(noKey.description.hasPrefix("denied: no statement allows"))
    }

    @Test("an explicit Deny is named as the deciding statement")
    func explicitDeny() throws {
        let policy = try Self.keyPolicy(#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Sid":"NoDecrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#)
        let explanation = KMSAccessEvaluator.explain(KMSAccessRequest(caller: Self.user, action: .decrypt, keyARN: Self.key), keyPolicy: policy, identityPolicies: [])
        #expect(explanation.denial == .explicitDenyInKeyPolicy)
        #expect(explanation.statements == [KMSStatementReference(source: .keyPolicy, statementIndex: 1, sid: "NoDecrypt", effect: .deny)])
    }

    // Fact: ArnLike/ArnEquals split the ARN into its six colon-separated parts and compare each
    // part, with wildcards within a part.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    @Test("ArnLike compares the six parts one by one", arguments: [
        ("arn:aws:iam::*:user/dev/*", true),
        ("arn:aws:iam::109876543210:user/*", true),
        ("arn:aws:iam::1098*", false),
        ("arn:aws:*", false),
        ("arn:aws:iam::109876543210:role/*", false),
    ])
    func arnLike(_ pattern: String, _ expected: Bool) throws {
        let condition = try PolicyCondition(operatorName: "ArnLike", key: "aws:PrincipalArn", values: [.string(pattern)])
        let context = KMSAccessRequest(caller: Self.user, action: .decrypt, keyARN: Self.key).policyContext
        #expect(condition.isSatisfied(by: context) == expected)
    }

    // Fact: NotPrincipal with Deny applies to every principal except the ones named.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    @Test("NotPrincipal parses, renders and matches everyone but the named principals")
    func notPrincipal() throws {
        let text = #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::109876543210:user/dev/Alice","arn:aws:iam::109876543210:root"]},"Action":"kms:*","Resource":"*"}]}"#
        let document = try Self.keyPolicy(text)
        #expect(document.jsonText(indent: nil) == text)
        #expect(document.statements[0].principalMatch(Self.user) == .none)
        #expect(document.statements[0].principalMatch(Self.owner.rootPrincipal()) == .none)
        #expect(document.statements[0].principalMatch(Self.external) == .direct)
        // Listing the user without its account does not spare it.
        let userOnly = try Self.keyPolicy(#"{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::109876543210:user/dev/Alice"},"Action":"kms:*","Resource":"*"}]}"#)
        #expect(userOnly.statements[0].principalMatch(Self.user) == .direct)
    }

    // Fact: ForAllValues with the single-valued kms:EncryptionContext:context-key is refused
    // (it would match requests without that pair).
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    @Test("ForAllValues with kms:EncryptionContext:<key> is a policy error; with EncryptionContextKeys it is fine")
    func forAllValues() throws {
        #expect(throws: PolicyDocumentError.self) {
            try PolicyCondition(operatorName: "ForAllValues:StringEquals", key: "kms:EncryptionContext:Dept", values: [.string("IT")])
        }
        _ = try PolicyCondition(operatorName: "ForAllValues:StringEquals", key: "kms:EncryptionContextKeys", values: [.string("Dept")])
    }

    // Fact: Numeric… and Date… operators compare numbers and dates (ISO 8601 or epoch seconds).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
    @Test("Numeric and Date operators", arguments: [
        ("NumericLessThan", "aws:EpochTime", "1700000001", true),
        ("NumericGreaterThanEquals", "aws:EpochTime", "1700000000", true),
        ("NumericEquals", "aws:EpochTime", "1700000001", false),
        ("NumericNotEquals", "aws:EpochTime", "1700000001", true),
        ("DateLessThan", "aws:CurrentTime", "2023-11-14T22:13:21Z", true),
        ("DateGreaterThan", "aws:CurrentTime", "2023-11-14T22:13:21Z", false),
        ("DateEquals", "aws:CurrentTime", "1700000000", true),
        ("DateLessThanEquals", "aws:CurrentTime", "2023-11-14", false),
    ])
    func numericAndDate(_ op: String, _ key: String, _ value: String, _ expected: Bool) throws {
        let request = KMSAccessRequest(caller: Self.user, action: .decrypt, keyARN: Self.key, time: Date(timeIntervalSince1970: 1_700_000_000))
        let condition = try PolicyCondition(operatorName: op, key: key, values: [.string(value)])
        #expect(condition.isSatisfied(by: request.policyContext) == expected)
    }

    // Fact: policy variables such as ${aws:username} and ${aws:PrincipalTag/tag-key} are
    // replaced by the request's values; a missing key makes the value match nothing.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    @Test("policy variables in condition values and resources")
    func variables() throws {
        let request = KMSAccessRequest(caller: Self.user, action: .decrypt, keyARN: Self.key, encryptionContext: ["owner": "Alice", "team": "blue"],
                                       principalTags: ["team": "blue"])
        let context = request.policyContext
        #expect(try PolicyCondition(operatorName: "StringEquals", key: "kms:EncryptionContext:owner", values: [.string("${aws:username}")]).isSatisfied(by: context))
        #expect(try PolicyCondition(operatorName: "StringEquals", key: "kms:EncryptionContext:team", values: [.string("${aws:PrincipalTag/team}")]).isSatisfied(by: context))
        #expect(try !PolicyCondition(operatorName: "StringEquals", key: "kms:EncryptionContext:team", values: [.string("${aws:PrincipalTag/missing}")]).isSatisfied(by: context))
        let statement = PolicyStatement(effect: .allow, actions: "kms:Decrypt", resources: "arn:aws:kms:*:${aws:PrincipalAccount}:key/*")
        #expect(statement.covers(resource: Self.key.description, context: context))
        #expect(!statement.covers(resource: "arn:aws:kms:us-east-1:012345678901:key/x", context: context))
    }

    // Fact: for an assumed-role session, aws:PrincipalArn is the ARN of the role (with its path),
    // not of the session. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    @Test("a session request carries its role ARN with the path as aws:PrincipalArn and matches a Principal naming it")
    func sessionIdentity() throws {
        let session = AWSPrincipalARN("arn:aws:sts::109876543210:assumed-role/Admin/s1")!
        let role = AWSPrincipalARN("arn:aws:iam::109876543210:role/team/Admin")!
        let request = KMSAccessRequest(caller: session, action: .decrypt, keyARN: Self.key, principalARN: role)
        #expect(request.policyContext.values(forKey: "aws:PrincipalArn") == [role.description])
        let principal = PolicyPrincipal.aws([role.description])
        #expect(principal.match(session, principalARN: role) == .direct)
        #expect(PolicyPrincipal.aws(["arn:aws:iam::109876543210:role/Admin"]).match(session, principalARN: role) == .none)
    }
}
