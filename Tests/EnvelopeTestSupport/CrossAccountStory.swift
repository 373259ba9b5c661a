import EnvelopeCore
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS

/// The cross-account story of DESIGN.md, the one fixture of every test that needs it (the local
/// KMS, the KMS keyrings, the CLI): account 109876543210 owns a key, alias/SharedKey, whose policy
/// trusts its user User1 and the external account 012345678901; the external administrator
/// attached the key's IAM policy to ExternalUser. 111122223333 is an unrelated third account.
///
/// ``make(kms:externalIAM:)`` builds it on an in-process ``LocalKMS``; the CLI tests build the same
/// story through `envelope kms …` commands with the same ``Names``.
public struct CrossAccountStory: Sendable {
    /// The story's names as text, for tests that pass them as command-line arguments.
    public enum Names {
        public static let owner = "109876543210"
        public static let external = "012345678901"
        public static let third = "111122223333"
        public static let region = "us-east-1"
        /// The owner's alias of the shared key.
        public static let alias = "alias/SharedKey"
        /// The owner account's key user.
        public static let ownerUser = "arn:aws:iam::\(owner):user/User1"
        /// The external account's user that holds the key's IAM policy.
        public static let externalUser = "arn:aws:iam::\(external):user/ExternalUser"
        public static let externalRoot = "arn:aws:iam::\(external):root"
    }

    public static let owner = AWSAccountID(stringLiteral: Names.owner)
    public static let external = AWSAccountID(stringLiteral: Names.external)
    public static let third = AWSAccountID(stringLiteral: Names.third)
    public static let region = AWSRegion(stringLiteral: Names.region)
    public static let alias = KMSAliasName(rawValue: Names.alias)!
    public static let user1 = AWSPrincipalARN(Names.ownerUser)!
    public static let ownerRoot = owner.rootPrincipal()
    /// An owner-account user the key policy does not name.
    public static let ownerOther = AWSPrincipalARN("arn:aws:iam::\(Names.owner):user/Other")!
    public static let externalRoot = external.rootPrincipal()
    public static let externalUser = AWSPrincipalARN(Names.externalUser)!
    /// An external-account user without the IAM policy.
    public static let bob = AWSPrincipalARN("arn:aws:iam::\(Names.external):user/Bob")!
    public static let externalRole = AWSPrincipalARN("arn:aws:iam::\(Names.external):role/Builder")!
    public static let thirdUser = AWSPrincipalARN("arn:aws:iam::\(Names.third):user/Mallory")!
    /// The encryption context the story's messages use.
    public static let context = ["purpose": "cross-account story", "Department": "IT"]
    /// ``context`` as a message's encryption context.
    public static var encryptionContext: EncryptionContext { EncryptionContext(context) }

    public let kms: LocalKMS
    /// The shared key.
    public let key: KMSKeyARN

    /// The story on `kms`, whose `key` was made by ``make(kms:externalIAM:)`` (e.g. reloaded from its state directory).
    public init(kms: LocalKMS, key: KMSKeyARN) {
        self.kms = kms
        self.key = key
    }

    /// The owner's alias as an ARN (what the external account must use).
    public var aliasARN: KMSAliasARN { KMSAliasARN(region: Self.region, account: Self.owner, aliasName: Self.alias) }

    /// The story's key, with ExternalUser holding the IAM policy for `externalIAM` (nil: none).
    public static func make(kms: LocalKMS? = nil, externalIAM: KMSPermissions? = .keyUser) async throws -> CrossAccountStory {
        let kms = try kms ?? LocalKMS()
        // Key policies may only name principals that exist in the local IAM.
        for principal in [user1, ownerOther, externalUser, bob, externalRole, thirdUser] { try await kms.createPrincipal(principal) }
        let metadata = try await kms.createKey(account: owner, region: region, alias: alias, userPrincipals: [user1], externalAccounts: [external])
        if let externalIAM {
            try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: metadata.arn, permissions: externalIAM).jsonText(),
                                           principal: externalUser)
        }
        return CrossAccountStory(kms: kms, key: metadata.arn)
    }

    /// The local KMS as `principal` sees it.
    public func client(_ principal: AWSPrincipalARN, region: AWSRegion = CrossAccountStory.region, viaService: String? = nil) -> LocalKMSClient {
        kms.client(principal: principal, region: region, viaService: viaService)
    }
}
