import EnvelopeCore
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS

/// The cross-account story with an asymmetric key: the owner (109876543210) creates an RSA key
/// pair for encryption, alias/RSAKey, whose key policy lets the external account 012345678901 use
/// kms:GetPublicKey, kms:Decrypt and kms:DescribeKey (not kms:Encrypt); the external administrator
/// attached an IAM policy with kms:GetPublicKey and kms:Decrypt on the key to ExternalUser. Bob,
/// of the external account, has no IAM policy.
public struct RSAKeyPairStory: Sendable {
    public static let alias = KMSAliasName(rawValue: "alias/RSAKey")!
    /// The external account's actions on the key (key policy and ExternalUser's IAM policy).
    public static let externalActions = ["kms:Decrypt", "kms:GetPublicKey"]

    public let kms: LocalKMS
    /// The RSA key pair.
    public let key: KMSKeyARN

    /// The owner's alias as an ARN (what the external account must use).
    public var aliasARN: KMSAliasARN {
        KMSAliasARN(region: CrossAccountStory.region, account: CrossAccountStory.owner, aliasName: Self.alias)
    }

    /// The story's key policy for `keyARN`'s account (the owner's root may do everything).
    public static func keyPolicy() -> String {
        let owner = CrossAccountStory.owner, external = CrossAccountStory.external
        return #"{"Version":"2012-10-17","Statement":["#
            + #"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(owner):root"},"Action":"kms:*","Resource":"*"},"#
            + #"{"Sid":"AllowExternalRSAUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(external):root"},"#
            + #""Action":["kms:Decrypt","kms:GetPublicKey","kms:DescribeKey"],"Resource":"*"}]}"#
    }

    /// Builds the story on `kms` (a new in-memory one by default) with a `spec` key pair.
    public static func make(kms: LocalKMS? = nil, spec: KMSRSAKeySpec = .rsa2048) async throws -> RSAKeyPairStory {
        let kms = try kms ?? LocalKMS()
        try await kms.createAccount(CrossAccountStory.external)
        try await kms.createAccount(CrossAccountStory.third)
        for principal in [CrossAccountStory.user1, CrossAccountStory.externalUser, CrossAccountStory.bob, CrossAccountStory.thirdUser] {
            try await kms.createPrincipal(principal)
        }
        let metadata = try await kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, alias: alias,
                                               policy: keyPolicy(), keySpec: spec)
        let iam = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GetPublicKey"],"Resource":"\#(metadata.arn)"}]}"#
        try await kms.attachUserPolicy(iam, principal: CrossAccountStory.externalUser)
        return RSAKeyPairStory(kms: kms, key: metadata.arn)
    }

    /// The local KMS as `principal` sees it.
    public func client(_ principal: AWSPrincipalARN) -> LocalKMSClient {
        kms.client(principal: principal, region: CrossAccountStory.region)
    }
}
