import EnvelopeCrypto

/// The cache entry identifiers of the caching materials manager.
///
/// Spec: framework/caching-cmm.md ("Appendix A: Cache Entry Identifier Formulas"), with two
/// additions that keep one entry from serving a request it must not serve: the encrypt side
/// always uses the suite formula (with the commitment policy's default suite when the request
/// names none), and required encryption context keys (encrypt) or a reproduced encryption context
/// (decrypt) are hashed in after the spec's fields when present.
enum CacheEntryIdentifier {
    static func sha512(_ bytes: [UInt8]) throws -> [UInt8] { try HashFunction.sha512.digest(bytes) }

    static func suiteID(_ suite: AlgorithmSuite) -> [UInt8] { [UInt8(suite.id >> 8), UInt8(suite.id & 0xFF)] }

    // Spec: framework/caching-cmm.md ("Encryption Materials, With Algorithm Suite").
    static func encryption(partitionID: String, suite: AlgorithmSuite, encryptionContext: EncryptionContext,
                           requiredKeys: [String]) throws -> [UInt8] {
        var input = try sha512(Array(partitionID.utf8))
        input.append(0x01)
        input += suiteID(suite)
        input += try sha512(EncryptionContextCodec.serialize(encryptionContext))
        if !requiredKeys.isEmpty {
            input.append(0x02)
            input += try sha512(Array(requiredKeys.sorted().joined(separator: "\u{0}").utf8))
        }
        return try sha512(input)
    }

    // Spec: framework/caching-cmm.md ("Decryption Materials").
    static func decryption(partitionID: String, request: DecryptionMaterialsRequest) throws -> [UInt8] {
        var input = try sha512(Array(partitionID.utf8))
        input += suiteID(request.suite)
        let edkHashes = try request.encryptedDataKeys.map { try sha512(serialize($0)) }.sorted { $0.lexicographicallyPrecedes($1) }
        for hash in edkHashes { input += hash }
        input += [UInt8](repeating: 0, count: 64)
        input += try sha512(EncryptionContextCodec.serialize(request.encryptionContext))
        if !request.reproducedEncryptionContext.isEmpty {
            input.append(0x02)
            input += try sha512(EncryptionContextCodec.serialize(request.reproducedEncryptionContext))
        }
        return try sha512(input)
    }

    /// An EDK as the header stores it: three uint16-length-prefixed fields.
    /// Spec: data-format/message-header.md ("Encrypted Data Key Entries").
    static func serialize(_ edk: EncryptedDataKey) -> [UInt8] {
        var out: [UInt8] = []
        for field in [Array(edk.providerID.utf8), edk.providerInfo, edk.ciphertext] {
            let n = min(field.count, Int(UInt16.max))
            out += [UInt8(n >> 8), UInt8(n & 0xFF)]
            out += field
        }
        return out
    }
}
