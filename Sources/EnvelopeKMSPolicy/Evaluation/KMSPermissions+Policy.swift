import EnvelopeKMS

extension KMSPermissions {
    /// Expands policy action patterns (`kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:*`) over the
    /// known KMS actions.
    public init(policyActions: [String]) {
        self.init(Set(KMSAction.knownActions.filter { action in
            policyActions.contains { PolicyPattern.matches($0, action.rawValue, caseInsensitive: true) }
        }))
    }

    /// The grant actions of the AllowAttachmentOfPersistentResources statement, as a policy writes them.
    static let grantPolicyActions = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]

    /// The actions `principal` may use on `keyARN` under `keyPolicy` and its IAM policies,
    /// evaluated by ``KMSAccessEvaluator``, the evaluator the local KMS enforces (grants are not included).
    public static func derive(keyPolicy: PolicyDocument, identityPolicies: [PolicyDocument], principal: AWSPrincipalARN,
                              keyARN: KMSKeyARN, encryptionContext: [String: String] = [:]) -> KMSPermissions {
        KMSPermissions(Set(KMSAction.knownActions.filter { action in
            let request = KMSAccessRequest(caller: principal, action: action, keyARN: keyARN, encryptionContext: encryptionContext)
            return KMSAccessEvaluator.evaluate(request, keyPolicy: keyPolicy, identityPolicies: identityPolicies).isAllowed
        }))
    }
}

extension EncryptOnlyKey {
    /// A key whose permissions are derived from its key policy and the caller's IAM policies with
    /// the same rules the local KMS enforces (``KMSAccessEvaluator``; grants are not counted).
    public static func derived(keyARN: KMSKeyARN, keyPolicy: PolicyDocument, identityPolicies: [PolicyDocument], principal: AWSPrincipalARN,
                               encryptionContext: [String: String] = [:]) -> EncryptOnlyKey {
        EncryptOnlyKey(.keyARN(keyARN), permissions: KMSPermissions.derive(keyPolicy: keyPolicy, identityPolicies: identityPolicies,
                                                                          principal: principal, keyARN: keyARN, encryptionContext: encryptionContext))
    }
}
