import EnvelopeCrypto

/// The hierarchical keyring's cache entry identifiers.
///
/// The formula of the Material Providers Library 1.7 and later (the one that allows a cache shared
/// between keyrings), from the specification change "Cache Across Hierarchical Keyrings"
/// (changes/2024-09-13_cache-across-hierarchical-keyrings): SHA-384 of resource ID (0x02, the
/// hierarchical keyring) ‖ 0x00 ‖ scope ID (0x01 encrypt, 0x02 decrypt) ‖ 0x00 ‖ partition ID ‖
/// 0x00 ‖ logical key store name ‖ 0x00 ‖ branch key id, followed on decrypt by 0x00 ‖ version.
/// It supersedes the SHA-512 formulas of the keyring's Appendix A, which could not tell two
/// stores or two keyrings apart.
enum BranchKeyCacheIdentifier {
    private static let resourceHierarchicalKeyring: UInt8 = 0x02
    private static let scopeEncrypt: UInt8 = 0x01
    private static let scopeDecrypt: UInt8 = 0x02

    /// The identifier of the active version of `branchKeyID` (encrypt).
    static func active(partitionID: [UInt8], logicalKeyStoreName: String, branchKeyID: String) throws -> [UInt8] {
        try digest(scope: scopeEncrypt, partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: branchKeyID, version: nil)
    }

    /// The identifier of version `version` of `branchKeyID` (decrypt).
    static func version(_ version: String, partitionID: [UInt8], logicalKeyStoreName: String, branchKeyID: String) throws -> [UInt8] {
        try digest(scope: scopeDecrypt, partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: branchKeyID, version: version)
    }

    private static func digest(scope: UInt8, partitionID: [UInt8], logicalKeyStoreName: String, branchKeyID: String, version: String?) throws -> [UInt8] {
        var input: [UInt8] = [resourceHierarchicalKeyring, 0, scope, 0]
        input.reserveCapacity(8 + partitionID.count + logicalKeyStoreName.utf8.count + branchKeyID.utf8.count + 40)
        input += partitionID
        input.append(0)
        input += logicalKeyStoreName.utf8
        input.append(0)
        input += branchKeyID.utf8
        if let version {
            input.append(0)
            input += version.utf8
        }
        return try HashFunction.sha384.digest(input)
    }
}
