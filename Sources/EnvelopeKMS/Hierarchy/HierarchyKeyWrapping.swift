import EnvelopeCrypto

/// The hierarchical keyring's key wrapping: a wrapping key derived per data key from the branch
/// key, AES-256-GCM, and the encrypted data key's ciphertext layout.
///
/// Spec: framework/aws-kms/aws-kms-hierarchical-keyring.md ("Ciphertext", "Branch Key Wrapping",
/// "Branch Key Unwrapping", "Branch Key Wrapping and Unwrapping AAD"). The ciphertext is
/// salt (16) ‖ IV (12) ‖ branch key version (16, the UUID's bytes) ‖ wrapped data key ‖ tag (16).
enum HierarchyKeyWrapping {
    /// The provider ID of the keyring's encrypted data keys, also the KDF label and the AAD prefix.
    static let providerID = "aws-kms-hierarchy"
    static let label = Array(providerID.utf8)
    static let saltLength = 16
    static let versionLength = 16
    /// Salt ‖ IV ‖ version: the bytes before the wrapped key.
    static let prefixLength = saltLength + AESGCM.ivLength + versionLength
    /// The derived wrapping key's length (AES-256).
    static let derivedKeyLength = 32

    /// The ciphertext length for a data key of `dataKeyLength` bytes.
    static func ciphertextLength(dataKeyLength: Int) -> Int { prefixLength + dataKeyLength + AESGCM.tagLength }

    /// "aws-kms-hierarchy" ‖ branch key id: the AAD's first part, fixed per branch key.
    static func aadPrefix(branchKeyID: String) -> [UInt8] {
        var prefix: [UInt8] = []
        prefix.reserveCapacity(label.count + branchKeyID.utf8.count)
        prefix += label
        prefix += branchKeyID.utf8
        return prefix
    }

    /// "aws-kms-hierarchy" ‖ branch key id ‖ version bytes ‖ serialized encryption context, from
    /// the ``aadPrefix(branchKeyID:)`` of the branch key.
    static func aad(prefix: [UInt8], version: BranchKeyVersion, serializedContext: [UInt8]) -> [UInt8] {
        var aad: [UInt8] = []
        aad.reserveCapacity(prefix.count + versionLength + serializedContext.count)
        aad += prefix
        version.withUnsafeBytes { aad += $0 }
        aad += serializedContext
        return aad
    }

    /// The per-data-key wrapping key: SP 800-108 counter-mode KDF, HMAC-SHA-256, the branch key as
    /// key (prepared once per cached branch key), "aws-kms-hierarchy" as label, the salt as
    /// context, 32 bytes.
    static func derive(branchKey: CounterModeKDF.PreparedKey, salt: UnsafeRawBufferPointer) throws -> SecureBytes {
        try branchKey.deriveKey(label: label, context: salt, length: derivedKeyLength)
    }

    /// Wraps `dataKey` under a fresh salt and IV; returns the whole EDK ciphertext.
    static func wrap(dataKey: SecureBytes, branchKey: CounterModeKDF.PreparedKey, version: BranchKeyVersion, aad: [UInt8]) throws -> [UInt8] {
        let keyLength = dataKey.count
        var out = [UInt8](repeating: 0, count: ciphertextLength(dataKeyLength: keyLength))
        try out.withUnsafeMutableBytes { o in
            // Salt and IV are public values (stored in the message): the public random generator.
            RandomBytes.fill(UnsafeMutableRawBufferPointer(rebasing: o[0..<(saltLength + AESGCM.ivLength)]))
            version.withUnsafeBytes { v in
                UnsafeMutableRawBufferPointer(rebasing: o[(saltLength + AESGCM.ivLength)..<prefixLength]).copyMemory(from: v)
            }
            let wrappingKey = try derive(branchKey: branchKey, salt: UnsafeRawBufferPointer(rebasing: o[0..<saltLength]))
            let context = try AESGCMContext(key: wrappingKey, direction: .seal)
            try dataKey.withUnsafeBytes { key in
                try aad.withUnsafeBytes { a in
                    try context.seal(plaintext: key, iv: UnsafeRawBufferPointer(rebasing: o[saltLength..<(saltLength + AESGCM.ivLength)]), aad: a,
                                     ciphertext: UnsafeMutableRawBufferPointer(rebasing: o[prefixLength..<(prefixLength + keyLength)]),
                                     tag: UnsafeMutableRawBufferPointer(rebasing: o[(prefixLength + keyLength)...]))
                }
            }
        }
        return out
    }

    /// The branch key version stored in a ciphertext of the right length.
    static func version(in ciphertext: [UInt8]) -> BranchKeyVersion {
        ciphertext.withUnsafeBytes { BranchKeyVersion(bytes: UnsafeRawBufferPointer(rebasing: $0[(saltLength + AESGCM.ivLength)..<prefixLength])) }
    }

    /// Unwraps a ciphertext of the right length (checked by the caller) into guarded memory, or
    /// throws the crypto library's authentication failure.
    static func unwrap(_ ciphertext: [UInt8], branchKey: CounterModeKDF.PreparedKey, aad: [UInt8]) throws -> SecureBytes {
        let keyLength = ciphertext.count - prefixLength - AESGCM.tagLength
        return try ciphertext.withUnsafeBytes { c in
            let wrappingKey = try derive(branchKey: branchKey, salt: UnsafeRawBufferPointer(rebasing: c[0..<saltLength]))
            let context = try AESGCMContext(key: wrappingKey, direction: .open)
            return try SecureBytes(count: keyLength) { out in
                try aad.withUnsafeBytes { a in
                    try context.open(ciphertext: UnsafeRawBufferPointer(rebasing: c[prefixLength..<(prefixLength + keyLength)]),
                                     tag: UnsafeRawBufferPointer(rebasing: c[(prefixLength + keyLength)...]),
                                     iv: UnsafeRawBufferPointer(rebasing: c[saltLength..<(saltLength + AESGCM.ivLength)]), aad: a, plaintext: out)
                }
            }
        }
    }
}
