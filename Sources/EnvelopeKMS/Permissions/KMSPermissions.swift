/// The KMS actions a principal may use on a key: what a client mirrors so that, for example, an
/// encrypt-only client offers no decrypt entry point at all.
public struct KMSPermissions: Sendable, Hashable, CustomStringConvertible {
    /// The concrete actions allowed.
    public var actions: Set<KMSAction>

    /// A set of concrete actions.
    public init(_ actions: Set<KMSAction>) { self.actions = actions }

    /// The key-user preset: kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey.
    public static let keyUser = KMSPermissions([.encrypt, .decrypt, .reEncryptFrom, .reEncryptTo, .generateDataKey,
                                                .generateDataKeyWithoutPlaintext, .describeKey])
    /// The encrypt-only preset: kms:Encrypt, kms:GenerateDataKey*, kms:DescribeKey.
    public static let encryptOnly = KMSPermissions([.encrypt, .generateDataKey, .generateDataKeyWithoutPlaintext, .describeKey])
    /// The grant actions of the AllowAttachmentOfPersistentResources statement.
    public static let persistentResourceGrants = KMSPermissions([.createGrant, .listGrants, .revokeGrant])

    /// Whether `action` is allowed.
    public func allows(_ action: KMSAction) -> Bool { actions.contains(action) }

    /// Whether the principal can decrypt (Decrypt or ReEncryptFrom).
    public var canDecrypt: Bool { allows(.decrypt) || allows(.reEncryptFrom) }

    /// Whether the principal can encrypt new data keys (GenerateDataKey or Encrypt).
    public var canEncrypt: Bool { allows(.generateDataKey) || allows(.encrypt) }

    /// The actions as a policy writes them, wildcards where a whole family is present, in the
    /// order of AWS's documents (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, …).
    public var policyActions: [String] {
        var out: [String] = []
        var rest = actions
        func take(_ pattern: String, _ members: [KMSAction]) {
            if members.allSatisfy(rest.contains) {
                out.append(pattern)
                members.forEach { rest.remove($0) }
            }
        }
        take("kms:Encrypt", [.encrypt])
        take("kms:Decrypt", [.decrypt])
        take("kms:ReEncrypt*", [.reEncryptFrom, .reEncryptTo])
        take("kms:GenerateDataKey*", [.generateDataKey, .generateDataKeyWithoutPlaintext])
        take("kms:DescribeKey", [.describeKey])
        take("kms:CreateGrant", [.createGrant])
        take("kms:ListGrants", [.listGrants])
        take("kms:RevokeGrant", [.revokeGrant])
        return out + rest.sorted().map(\.rawValue)
    }

    /// The policy action list.
    public var description: String { policyActions.joined(separator: ", ") }
}
