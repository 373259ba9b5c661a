import EnvelopeKMS

/// The policy documents of the cross-account story (DESIGN.md "The story"), rendered as AWS
/// shows them.
public enum KMSPolicyTemplates {
    /// The Sid of the key-use statement.
    public static let allowUseSid = "AllowUseOfTheKey"
    /// The Sid of the grants-for-AWS-resources statement.
    public static let allowAttachmentSid = "AllowAttachmentOfPersistentResources"
    /// The Sid of the default statement that enables IAM policies of the owner account.
    public static let enableIAMSid = "Enable IAM User Permissions"

    /// The default key policy statement (POLICY-FACTS 6): the owner account's root may do
    /// `kms:*`, which delegates to the owner's IAM policies.
    public static func enableIAMPoliciesStatement(owner: AWSAccountID, partition: AWSPartition = .aws) -> PolicyStatement {
        PolicyStatement(sid: enableIAMSid, effect: .allow,
                        principal: PolicyPrincipal(isBareWildcard: false, aws: PolicyStringList([owner.rootPrincipal(partition: partition).description], rendersAsScalar: true), service: nil),
                        actions: "kms:*", resources: "*")
    }

    /// The default key policy: one statement enabling the owner account's IAM policies.
    public static func defaultKeyPolicy(owner: AWSAccountID, partition: AWSPartition = .aws) -> PolicyDocument {
        PolicyDocument(statements: [enableIAMPoliciesStatement(owner: owner, partition: partition)])
    }

    /// The two key-policy statements for `principals`:
    /// `AllowUseOfTheKey` (the actions of `permissions`, Resource `*`) and, unless the
    /// permissions are encrypt-only (no decrypt), `AllowAttachmentOfPersistentResources`
    /// (kms:CreateGrant, kms:ListGrants, kms:RevokeGrant with `{"Bool": {"kms:GrantIsForAWSResource": true}}`).
    /// The encrypt-only variant leaves the grant statement out, since a grant could hand out Decrypt.
    public static func keyPolicyStatements(principals: [AWSPrincipalARN], permissions: KMSPermissions = .keyUser) -> [PolicyStatement] {
        let arns = principals.map(\.description)
        var statements = [
            PolicyStatement(sid: allowUseSid, effect: .allow, principal: .aws(arns),
                            actions: PolicyStringList(permissions.policyActions), resources: "*"),
        ]
        if permissions.canDecrypt {
            statements.append(PolicyStatement(sid: allowAttachmentSid, effect: .allow, principal: .aws(arns),
                                              actions: PolicyStringList(KMSPermissions.grantPolicyActions), resources: "*",
                                              conditions: [.bool("kms:GrantIsForAWSResource", true)]))
        }
        return statements
    }

    /// A whole key policy: the default statement, then the two story statements for `principals`
    /// (none when `principals` is empty).
    public static func keyPolicy(owner: AWSAccountID, principals: [AWSPrincipalARN], permissions: KMSPermissions = .keyUser,
                                 partition: AWSPartition = .aws) -> PolicyDocument {
        var statements = [enableIAMPoliciesStatement(owner: owner, partition: partition)]
        if !principals.isEmpty { statements += keyPolicyStatements(principals: principals, permissions: permissions) }
        return PolicyDocument(statements: statements)
    }

    /// The IAM policy an external account's administrator attaches to its users and roles: the
    /// same two statements as the key policy (same Sids and actions), with `Resource` = the key
    /// ARN instead of a `Principal` (POLICY-FACTS 9); the encrypt-only variant has only the first.
    public static func externalIAMPolicy(keyARN: KMSKeyARN, permissions: KMSPermissions = .keyUser) -> PolicyDocument {
        var statements = [
            PolicyStatement(sid: allowUseSid, effect: .allow,
                            actions: PolicyStringList(permissions.policyActions), resources: PolicyStringList([keyARN.description], rendersAsScalar: true)),
        ]
        if permissions.canDecrypt {
            statements.append(PolicyStatement(sid: allowAttachmentSid, effect: .allow,
                                              actions: PolicyStringList(KMSPermissions.grantPolicyActions),
                                              resources: PolicyStringList([keyARN.description], rendersAsScalar: true),
                                              conditions: [.bool("kms:GrantIsForAWSResource", true)]))
        }
        return PolicyDocument(statements: statements)
    }

    /// What `envelope policy render` prints: `{"KeyPolicyStatements": […], "ExternalIAMPolicy": {…}}`.
    public static func render(keyARN: KMSKeyARN, principals: [AWSPrincipalARN], encryptOnly: Bool = false) -> JSONValue {
        let permissions: KMSPermissions = encryptOnly ? .encryptOnly : .keyUser
        return .object([
            ("KeyPolicyStatements", .array(keyPolicyStatements(principals: principals, permissions: permissions).map(\.json))),
            ("ExternalIAMPolicy", externalIAMPolicy(keyARN: keyARN, permissions: permissions).json),
        ])
    }
}
