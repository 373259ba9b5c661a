import EnvelopeCrypto

/// What the hierarchical keyring keeps per cache entry: the store's answer, and what every
/// message would otherwise work out again from it — the parsed version, the note that names it,
/// and the branch key prepared for the wrapping-key derivation.
///
/// Made once per store call; nothing here is checked yet (the keyring checks each use against
/// the branch key and version it asked for, as before).
final class CachedBranchKey: Sendable {
    /// The store's answer.
    let materials: BranchKeyMaterials
    /// The version, or nil when the store's version is not a UUID.
    let version: BranchKeyVersion?
    /// `branch key version <uuid>`: the decrypt side's note in `DataKeyOrigin`.
    let originNote: String
    /// The branch key prepared for `HierarchyKeyWrapping.derive` (nil unless 32 bytes).
    let wrappingKeyDeriver: CounterModeKDF.PreparedKey?

    init(_ materials: BranchKeyMaterials) throws {
        self.materials = materials
        version = BranchKeyVersion(materials.branchKeyVersion)
        originNote = "branch key version \(version?.text ?? materials.branchKeyVersion)"
        wrappingKeyDeriver = materials.branchKey.count == 32 ? try CounterModeKDF.PreparedKey(hash: .sha256, key: materials.branchKey) : nil
    }
}
