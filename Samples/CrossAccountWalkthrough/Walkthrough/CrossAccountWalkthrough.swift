import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Foundation

/// The story of the AWS post on sharing KMS keys between accounts, run end to end on the local
/// KMS: account 109876543210 owns the keys, account 012345678901 is the external account.
///
/// Steps: create a key shared with the external account; share an existing key later; the
/// external administrator attaches the IAM policy; an external user encrypts a file by key ARN and
/// by alias ARN and is refused by bare alias name; the grant statement lets AWS services (only)
/// create grants; the owner narrows the policy to encrypt-only and the encrypt-only client mirrors
/// it; the owner removes the external account, which ends the access its key-policy statements
/// gave (grants are independent of the key policy and survive until revoked, as on AWS).
///
/// Every step is printed (with the policy documents it used) through `log`; ``run(workDirectory:log:)``
/// returns the outcomes, each with the result the story expects.
public struct CrossAccountWalkthrough: Sendable {
    /// The account that owns the keys.
    public static let ownerAccount: AWSAccountID = "109876543210"
    /// The external account.
    public static let externalAccount: AWSAccountID = "012345678901"
    /// The owner's own user, trusted by the key policy.
    public static let ownerUser = AWSPrincipalARN(account: ownerAccount, kind: .user(path: "User1"))
    /// The external account's user who encrypts files.
    public static let externalUser = AWSPrincipalARN(account: externalAccount, kind: .user(path: "ExternalUser"))
    /// The Region of the keys.
    public static let region: AWSRegion = "us-east-1"
    /// The alias of the shared key (in the owner's account).
    public static let aliasName = "alias/SharedKey"

    let log: @Sendable (String) -> Void

    /// Creates a walkthrough that prints through `log`.
    public init(log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.log = log
    }

    /// Runs the whole story in `workDirectory` (the local KMS state and the files go there; a new
    /// temporary directory, removed afterwards, when nil) and returns every outcome.
    public func run(workDirectory: String? = nil) async throws -> [WalkthroughOutcome] {
        let directory: String
        let removeAfterwards: Bool
        if let workDirectory {
            directory = workDirectory
            removeAfterwards = false
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } else {
            directory = NSTemporaryDirectory() + "cross-account-walkthrough-" + UUID().uuidString
            removeAfterwards = true
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        defer { if removeAfterwards { try? FileManager.default.removeItem(atPath: directory) } }
        let kms = try LocalKMS(stateDirectory: directory + "/kms-state")
        var story = StoryRun(kms: kms, directory: directory, log: log)
        try await story.play()
        return story.outcomes
    }
}
