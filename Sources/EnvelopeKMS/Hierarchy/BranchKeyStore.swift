import EnvelopeCrypto

/// A branch key of the hierarchical keyring, as a branch key store returns it.
///
/// Spec: framework/structures.md ("Branch Key Materials").
public struct BranchKeyMaterials: Sendable {
    /// The branch key's identifier (the `branch-key-id` of its DynamoDB items).
    public let branchKeyIdentifier: String
    /// The version: the UUID string of the item's `version` attribute, without its
    /// `branch:version:` prefix.
    public let branchKeyVersion: String
    /// The encryption context the branch key was wrapped under in KMS (the item's attributes).
    public let encryptionContext: [String: String]
    /// The 32-byte branch key, in guarded memory.
    public let branchKey: SecureBytes

    /// Branch key materials from their parts.
    ///
    /// - Parameters:
    ///   - branchKeyIdentifier: The branch key's identifier.
    ///   - branchKeyVersion: The version's UUID string.
    ///   - encryptionContext: The encryption context the key was wrapped under.
    ///   - branchKey: The branch key.
    public init(branchKeyIdentifier: String, branchKeyVersion: String, encryptionContext: [String: String], branchKey: SecureBytes) {
        self.branchKeyIdentifier = branchKeyIdentifier
        self.branchKeyVersion = branchKeyVersion
        self.encryptionContext = encryptionContext
        self.branchKey = branchKey
    }
}

/// What the hierarchical keyring needs of a branch key store: the active version of a branch key
/// (to encrypt) and a given version (to decrypt).
///
/// The DynamoDB-backed store of the specification implements it; so can a static store (one
/// fixed key, for tests and the official test vectors).
/// Spec: framework/branch-key-store.md ("GetActiveBranchKey", "GetBranchKeyVersion").
public protocol BranchKeyStore: Sendable {
    /// The active version of the branch key `branchKeyIdentifier`, unwrapped.
    ///
    /// - Parameter branchKeyIdentifier: The branch key's identifier.
    func activeBranchKey(branchKeyIdentifier: String) async throws -> BranchKeyMaterials

    /// Version `version` of the branch key `branchKeyIdentifier`, unwrapped.
    ///
    /// - Parameters:
    ///   - branchKeyIdentifier: The branch key's identifier.
    ///   - version: The version's UUID string.
    func branchKeyVersion(branchKeyIdentifier: String, version: String) async throws -> BranchKeyMaterials

    /// The logical key store name (a default implementation returns the empty string).
    var logicalKeyStoreName: String { get }
}

extension BranchKeyStore {
    /// The store's logical key store name, part of the hierarchical keyring's cache identifiers so
    /// that keyrings sharing a cache never serve one store's branch key for another's. The default
    /// is the empty string; a DynamoDB-backed store returns its configured logical name.
    public var logicalKeyStoreName: String { "" }
}
