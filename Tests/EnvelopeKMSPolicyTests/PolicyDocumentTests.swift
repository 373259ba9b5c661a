import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeKMSPolicy
import Testing

@Suite("Policy documents")
struct PolicyDocumentTests {
    @Test("parses strings or lists, NotAction, conditions; renders in AWS member order")
    func parseAndRender() throws {
        let text = """
        {"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/U","222233334444"]},
        "Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"},"Bool":{"kms:GrantIsForAWSResource":true}}},
        {"Effect":"Deny","Principal":"*","NotAction":["kms:Describe*"],"Resource":"*"}]}
        """
        let document = try PolicyDocument(parsing: text, kind: .keyPolicy)
        #expect(document.statements.count == 2)
        #expect(document.statements[0].conditions.count == 2)
        #expect(document.statements[1].principal == .everyone)
        #expect(document.statements[1].covers(action: "kms:Decrypt"))
        #expect(!document.statements[1].covers(action: "kms:DescribeKey"))
        let reparsed = try PolicyDocument(parsing: document.jsonText(), kind: .keyPolicy)
        #expect(reparsed == document)
        #expect(document.jsonText(indent: nil).hasPrefix(#"{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":{"AWS":["#))
    }

    @Test("rejects malformed policies with a reason", arguments: [
        ("not json", "not valid JSON"),
        (#"{"Statement":[]}"#, "no \"Statement\""),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#, "needs exactly one of \"Principal\""),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*"}]}"#, "\"Effect\""),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","NotAction":"kms:Decrypt"}]}"#, "exactly one of"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Condition":{"NumericFoo":{"a":"b"}}}]}"#, "not supported"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123:root"},"Action":"kms:*"}]}"#, "invalid principal"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Extra":1}]}"#, "unknown member"),
    ])
    func malformed(_ text: String, _ fragment: String) {
        do {
            _ = try PolicyDocument(parsing: text, kind: .keyPolicy)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("identity policies need Resource and no Principal")
    func identityPolicyShape() {
        #expect(throws: PolicyDocumentError.self) {
            try PolicyDocument(parsing: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*"}]}"#, kind: .identityPolicy)
        }
        #expect(throws: PolicyDocumentError.self) {
            try PolicyDocument(parsing: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#, kind: .identityPolicy)
        }
    }

    @Test("action wildcards match case-insensitively", arguments: [
        ("kms:ReEncrypt*", "kms:ReEncryptFrom", true), ("kms:ReEncrypt*", "kms:ReEncryptTo", true),
        ("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", true), ("kms:GenerateDataKey*", "kms:Encrypt", false),
        ("kms:*", "kms:Decrypt", true), ("*", "kms:Decrypt", true), ("kms:decrypt", "kms:Decrypt", true),
        ("kms:Decrypt", "kms:DecryptX", false), ("kms:?ncrypt", "kms:Encrypt", true),
    ])
    func actionMatching(_ pattern: String, _ action: String, _ matches: Bool) {
        let statement = PolicyStatement(effect: .allow, principal: .everyone, actions: PolicyStringList([pattern]))
        #expect(statement.covers(action: action) == matches)
    }

    @Test("resource patterns")
    func resources() {
        let statement = PolicyStatement(effect: .allow, actions: ["kms:*"], resources: ["arn:aws:kms:*:111122223333:key/*"])
        #expect(statement.covers(resource: "arn:aws:kms:us-east-1:111122223333:key/abc"))
        #expect(!statement.covers(resource: "arn:aws:kms:us-east-1:222233334444:key/abc"))
    }
}

@Suite("Policy conditions")
struct PolicyConditionTests {
    static let caller = AWSPrincipalARN("arn:aws:iam::111122223333:user/U")!

    func context(_ action: String = "kms:Decrypt", ec: [String: String]? = nil, via: String? = nil) -> PolicyRequestContext {
        PolicyRequestContext(caller: Self.caller, action: action, encryptionContext: ec, viaService: via)
    }

    func condition(_ op: String, _ key: String, _ values: [JSONValue]) throws -> PolicyCondition {
        try PolicyCondition(operatorName: op, key: key, values: values)
    }

    @Test("StringEquals on kms:CallerAccount")
    func callerAccount() throws {
        #expect(try condition("StringEquals", "kms:CallerAccount", [.string("111122223333")]).isSatisfied(by: context()))
        #expect(try !condition("StringEquals", "kms:CallerAccount", [.string("222233334444")]).isSatisfied(by: context()))
        #expect(try condition("StringNotEquals", "kms:CallerAccount", [.string("222233334444")]).isSatisfied(by: context()))
    }

    @Test("kms:EncryptionContext:<key>: key part case-insensitive, value case-sensitive under StringEquals")
    func encryptionContextKey() throws {
        let c = try condition("StringEquals", "kms:EncryptionContext:Department", [.string("IT")])
        #expect(c.isSatisfied(by: context(ec: ["department": "IT", "other": "x"])))
        #expect(!c.isSatisfied(by: context(ec: ["Department": "it"])))
        #expect(!c.isSatisfied(by: context(ec: [:])))
        let ignoreCase = try condition("StringEqualsIgnoreCase", "kms:EncryptionContext:Department", [.string("it")])
        #expect(ignoreCase.isSatisfied(by: context(ec: ["Department": "IT"])))
        let like = try condition("StringLike", "kms:EncryptionContext:path", [.string("/home/*")])
        #expect(like.isSatisfied(by: context(ec: ["path": "/home/alice"])))
        #expect(!like.isSatisfied(by: context(ec: ["path": "/etc"])))
    }

    @Test("kms:EncryptionContextKeys with ForAllValues and ForAnyValue")
    func encryptionContextKeys() throws {
        let onlyThese = try condition("ForAllValues:StringEquals", "kms:EncryptionContextKeys", [.string("a"), .string("b")])
        #expect(onlyThese.isSatisfied(by: context(ec: ["a": "1"])))
        #expect(!onlyThese.isSatisfied(by: context(ec: ["a": "1", "c": "3"])))
        #expect(onlyThese.isSatisfied(by: context(ec: [:])))
        let atLeastOne = try condition("ForAnyValue:StringEquals", "kms:EncryptionContextKeys", [.string("a")])
        #expect(atLeastOne.isSatisfied(by: context(ec: ["a": "1", "c": "3"])))
        #expect(!atLeastOne.isSatisfied(by: context(ec: ["c": "3"])))
        #expect(!atLeastOne.isSatisfied(by: context(ec: [:])))
    }

    @Test("Bool kms:GrantIsForAWSResource is true only via an AWS service, only for grant actions")
    func grantIsForAWSResource() throws {
        let c = PolicyCondition.bool("kms:GrantIsForAWSResource", true)
        #expect(!c.isSatisfied(by: context("kms:CreateGrant")))
        #expect(c.isSatisfied(by: context("kms:CreateGrant", via: "ec2.us-east-1.amazonaws.com")))
        #expect(!c.isSatisfied(by: context("kms:Decrypt", via: "ec2.us-east-1.amazonaws.com")))
        #expect(try condition("Bool", "kms:GrantIsForAWSResource", [.string("true")]).isSatisfied(by: context("kms:ListGrants", via: "rds.us-east-1.amazonaws.com")))
    }

    @Test("Null checks presence; IfExists passes on absence")
    func nullAndIfExists() throws {
        #expect(try condition("Null", "kms:ViaService", [.string("true")]).isSatisfied(by: context()))
        #expect(try !condition("Null", "kms:ViaService", [.bool(false)]).isSatisfied(by: context()))
        #expect(try condition("Null", "kms:ViaService", [.bool(false)]).isSatisfied(by: context(via: "s3.us-east-1.amazonaws.com")))
        #expect(try !condition("StringEquals", "kms:ViaService", [.string("s3.us-east-1.amazonaws.com")]).isSatisfied(by: context()))
        #expect(try condition("StringEqualsIfExists", "kms:ViaService", [.string("s3.us-east-1.amazonaws.com")]).isSatisfied(by: context()))
        #expect(try condition("StringLike", "kms:ViaService", [.string("s3.*.amazonaws.com")]).isSatisfied(by: context(via: "s3.eu-west-1.amazonaws.com")))
    }
}
