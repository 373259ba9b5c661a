import EnvelopeCrypto

/// The key of one entry of a ``BranchKeyMaterialsCache``: a SHA-384 digest, held as six integers
/// (no allocation; hashing and comparing cost a few integer operations).
///
/// The formula of the Material Providers Library 1.7 and later (the one that allows a cache shared
/// between keyrings), from the specification change "Cache Across Hierarchical Keyrings"
/// (changes/2024-09-13_cache-across-hierarchical-keyrings): SHA-384 of resource ID (0x02, the
/// hierarchical keyring) ‖ 0x00 ‖ scope ID (0x01 encrypt, 0x02 decrypt) ‖ 0x00 ‖ partition ID ‖
/// 0x00 ‖ logical key store name ‖ 0x00 ‖ branch key id, followed on decrypt by 0x00 ‖ version.
/// It supersedes the SHA-512 formulas of the keyring's Appendix A, which could not tell two
/// stores or two keyrings apart.
struct BranchKeyCacheIdentifier: Hashable, Sendable {
    private let w0, w1, w2, w3, w4, w5: UInt64

    private static let resourceHierarchicalKeyring: UInt8 = 0x02
    private static let scopeEncrypt: UInt8 = 0x01
    private static let scopeDecrypt: UInt8 = 0x02

    /// The 48 digest bytes.
    var bytes: [UInt8] {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian, w4.bigEndian, w5.bigEndian)
        return withUnsafeBytes(of: &words) { Array($0) }
    }

    private init(digest: [UInt8]) {
        precondition(digest.count == 48, "a SHA-384 digest is 48 bytes")
        (w0, w1, w2, w3, w4, w5) = digest.withUnsafeBytes { d in
            func word(_ i: Int) -> UInt64 { UInt64(bigEndian: d.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
            return (word(0), word(1), word(2), word(3), word(4), word(5))
        }
    }

    /// The identifier of the active version of `branchKeyID` (encrypt).
    static func active(partitionID: [UInt8], logicalKeyStoreName: String, branchKeyID: String) throws -> Self {
        try digest(scope: scopeEncrypt, partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: branchKeyID, version: nil)
    }

    /// The identifier of version `version` of `branchKeyID` (decrypt).
    static func version(_ version: BranchKeyVersion, partitionID: [UInt8], logicalKeyStoreName: String, branchKeyID: String) throws -> Self {
        try digest(scope: scopeDecrypt, partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: branchKeyID, version: version)
    }

    /// The version enters as its lower-case text form, as the store names versions.
    private static func digest(scope: UInt8, partitionID: [UInt8], logicalKeyStoreName: String, branchKeyID: String, version: BranchKeyVersion?) throws -> Self {
        var input: [UInt8] = [resourceHierarchicalKeyring, 0, scope, 0]
        input.reserveCapacity(8 + partitionID.count + logicalKeyStoreName.utf8.count + branchKeyID.utf8.count + 40)
        input += partitionID
        input.append(0)
        input += logicalKeyStoreName.utf8
        input.append(0)
        input += branchKeyID.utf8
        if let version {
            input.append(0)
            input += version.text.utf8
        }
        return Self(digest: try HashFunction.sha384.digest(input))
    }
}
