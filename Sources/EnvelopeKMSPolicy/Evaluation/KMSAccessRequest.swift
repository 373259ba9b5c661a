import EnvelopeKMS
import Foundation

/// One authorization question: may `caller` perform `action` on `keyARN`, with everything the
/// request context needs for condition keys and policy variables.
public struct KMSAccessRequest: Sendable, Equatable {
    /// The calling principal (an account root, user, role, or assumed-role session).
    public var caller: AWSPrincipalARN
    /// The IAM identity policies name: the caller itself, or for a session the ARN of its role
    /// **with its path** (`arn:aws:iam::A:role/team/Admin`), which is also `aws:PrincipalArn`.
    public var principalARN: AWSPrincipalARN
    /// The action.
    public var action: KMSAction
    /// The key, always by ARN (policies' `Resource` names key ARNs).
    public var keyARN: KMSKeyARN
    /// The request's encryption context, for actions that take one.
    public var encryptionContext: [String: String]?
    /// The AWS service calling on the caller's behalf, if any (`kms:ViaService`, `kms:GrantIsForAWSResource`).
    public var viaService: String?
    /// The tags of the calling user or role (`aws:PrincipalTag/<key>`).
    public var principalTags: [String: String]
    /// The organization of the caller's account (`aws:PrincipalOrgID`), if it belongs to one.
    public var principalOrgID: String?
    /// Request-specific condition keys (e.g. `kms:GrantOperations`, `kms:RequestAlias`,
    /// `kms:EncryptionAlgorithm`, `kms:KeySpec`), name → values.
    public var additionalKeys: [String: [String]]
    /// The time of the request (`aws:CurrentTime`, `aws:EpochTime`).
    public var time: Date

    /// Creates a request.
    public init(caller: AWSPrincipalARN, action: KMSAction, keyARN: KMSKeyARN, encryptionContext: [String: String]? = nil,
                viaService: String? = nil, principalARN: AWSPrincipalARN? = nil, principalTags: [String: String] = [:],
                principalOrgID: String? = nil, additionalKeys: [String: [String]] = [:], time: Date = Date()) {
        self.caller = caller
        self.principalARN = principalARN ?? caller.policyPrincipal
        self.action = action
        self.keyARN = keyARN
        self.encryptionContext = encryptionContext
        self.viaService = viaService
        self.principalTags = principalTags
        self.principalOrgID = principalOrgID
        self.additionalKeys = additionalKeys
        self.time = time
    }

    /// The condition-key context of this request.
    public var policyContext: PolicyRequestContext {
        var context = PolicyRequestContext(caller: caller, action: action.rawValue, encryptionContext: encryptionContext, viaService: viaService)
        context.set("aws:PrincipalArn", [principalARN.description])
        if case .user(let path) = principalARN.kind, let name = path.split(separator: "/").last {
            context.set("aws:username", [String(name)])
        }
        context.set("aws:PrincipalType", [principalTypeName])
        for (key, value) in principalTags { context.set("aws:PrincipalTag/\(key)", [value]) }
        if let principalOrgID { context.set("aws:PrincipalOrgID", [principalOrgID]) }
        context.set("aws:CurrentTime", [PolicyDates.iso8601(time)])
        context.set("aws:EpochTime", [String(Int(time.timeIntervalSince1970))])
        for (key, values) in additionalKeys { context.set(key, values) }
        return context
    }

    private var principalTypeName: String {
        switch caller.kind {
        case .root: "Account"
        case .user: "User"
        case .role, .assumedRole: "AssumedRole"
        }
    }
}
