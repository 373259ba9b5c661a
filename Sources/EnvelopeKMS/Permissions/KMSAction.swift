/// A KMS action as policies name it, e.g. `kms:Decrypt`.
public struct KMSAction: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The action with its `kms:` prefix.
    public let rawValue: String
    /// Wraps an action name (with the `kms:` prefix).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// kms:Encrypt.
    public static let encrypt = KMSAction(rawValue: "kms:Encrypt")
    /// kms:Decrypt.
    public static let decrypt = KMSAction(rawValue: "kms:Decrypt")
    /// kms:ReEncryptFrom (ReEncrypt, on the source key).
    public static let reEncryptFrom = KMSAction(rawValue: "kms:ReEncryptFrom")
    /// kms:ReEncryptTo (ReEncrypt, on the destination key).
    public static let reEncryptTo = KMSAction(rawValue: "kms:ReEncryptTo")
    /// kms:GenerateDataKey.
    public static let generateDataKey = KMSAction(rawValue: "kms:GenerateDataKey")
    /// kms:GenerateDataKeyWithoutPlaintext.
    public static let generateDataKeyWithoutPlaintext = KMSAction(rawValue: "kms:GenerateDataKeyWithoutPlaintext")
    /// kms:DescribeKey.
    public static let describeKey = KMSAction(rawValue: "kms:DescribeKey")
    /// kms:GetPublicKey (the public half of an asymmetric key).
    public static let getPublicKey = KMSAction(rawValue: "kms:GetPublicKey")
    /// kms:CreateGrant.
    public static let createGrant = KMSAction(rawValue: "kms:CreateGrant")
    /// kms:ListGrants.
    public static let listGrants = KMSAction(rawValue: "kms:ListGrants")
    /// kms:RevokeGrant.
    public static let revokeGrant = KMSAction(rawValue: "kms:RevokeGrant")
    /// kms:RetireGrant.
    public static let retireGrant = KMSAction(rawValue: "kms:RetireGrant")
    /// kms:PutKeyPolicy (management; never effective cross-account).
    public static let putKeyPolicy = KMSAction(rawValue: "kms:PutKeyPolicy")
    /// kms:GetKeyPolicy (management; never effective cross-account).
    public static let getKeyPolicy = KMSAction(rawValue: "kms:GetKeyPolicy")
    /// kms:ScheduleKeyDeletion (management; never effective cross-account).
    public static let scheduleKeyDeletion = KMSAction(rawValue: "kms:ScheduleKeyDeletion")
    /// kms:DisableKey (management; never effective cross-account).
    public static let disableKey = KMSAction(rawValue: "kms:DisableKey")

    /// The actions of the KMS keys EnvelopeKit models (symmetric keys and RSA key pairs for encryption).
    public static let knownActions: [KMSAction] = [
        .encrypt, .decrypt, .reEncryptFrom, .reEncryptTo, .generateDataKey, .generateDataKeyWithoutPlaintext,
        .describeKey, .getPublicKey, .createGrant, .listGrants, .revokeGrant, .retireGrant, .putKeyPolicy, .getKeyPolicy,
        .scheduleKeyDeletion, .disableKey,
    ]

    /// The actions that take effect for a caller of another account (POLICY-FACTS 11); the rest
    /// never do, whatever the policies say.
    public static let crossAccountActions: Set<KMSAction> = [
        .encrypt, .decrypt, .reEncryptFrom, .reEncryptTo, .generateDataKey, .generateDataKeyWithoutPlaintext,
        .describeKey, .getPublicKey, .createGrant, .listGrants, .revokeGrant, .retireGrant,
    ]

    /// Whether the action works for a caller of another account.
    public var worksCrossAccount: Bool { KMSAction.crossAccountActions.contains(self) }

    /// The name without `kms:` (the operation name for most actions).
    public var operationName: String { String(rawValue.dropFirst(4)) }

    /// The action.
    public var description: String { rawValue }

    /// Orders by name.
    public static func < (lhs: KMSAction, rhs: KMSAction) -> Bool { lhs.rawValue < rhs.rawValue }
}
