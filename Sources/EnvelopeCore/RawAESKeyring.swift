import EnvelopeCrypto

/// Wraps data keys with a local AES-GCM key (128, 192 or 256 bits).
///
/// Byte-compatible with the official SDKs' raw AES keyring / master key.
/// Spec: framework/raw-aes-keyring.md.
public struct RawAESKeyring: Keyring, CustomStringConvertible {
    /// Everything the keyring holds, behind one reference: the keyring is one word, so passing it
    /// as `any Keyring` stores it inline in the existential instead of boxing it on the heap (one
    /// allocation per encrypt or decrypt call that takes a keyring).
    private final class Storage: Sendable {
        let keyNamespace: String
        let keyName: String
        /// The wrapping key with its OpenSSL contexts keyed once, for the life of the keyring.
        let wrappingKey: AESGCMPreparedKey
        let description: String

        init(keyNamespace: String, keyName: String, wrappingKey: AESGCMPreparedKey, description: String) {
            self.keyNamespace = keyNamespace
            self.keyName = keyName
            self.wrappingKey = wrappingKey
            self.description = description
        }
    }

    private let storage: Storage
    /// The key namespace, stored as the EDK provider ID.
    public var keyNamespace: String { storage.keyNamespace }
    /// The key name, stored at the start of the EDK provider info.
    public var keyName: String { storage.keyName }
    private var wrappingKey: AESGCMPreparedKey { storage.wrappingKey }
    /// Names the keyring (never the key bytes); built once, as every decrypt puts it in its
    /// ``DataKeyOrigin``.
    public var description: String { storage.description }

    /// Creates a keyring. The wrapping key must be 16, 24 or 32 bytes.
    public init(keyNamespace: String, keyName: String, wrappingKey: SecureBytes) throws {
        guard [16, 24, 32].contains(wrappingKey.count) else {
            throw EnvelopeError(.invalidArgument, "A raw AES wrapping key must be 16, 24 or 32 bytes, not \(wrappingKey.count). Provide a 128-, 192- or 256-bit key.")
        }
        // Spec: framework/raw-aes-keyring.md ("Initialization") — the namespace MUST NOT be "aws-kms".
        guard keyNamespace != "aws-kms" else {
            throw EnvelopeError(.invalidArgument, "The key namespace \"aws-kms\" is reserved for AWS KMS keyrings. Choose another namespace.")
        }
        guard keyNamespace.utf8.count <= Int(UInt16.max), keyName.utf8.count <= Int(UInt16.max) - 20 else {
            throw EnvelopeError(.invalidArgument, "The key namespace or name is too long to store in a message. Shorten it.")
        }
        let prepared: AESGCMPreparedKey
        do {
            prepared = try AESGCMPreparedKey(wrappingKey)
        } catch {
            throw EnvelopeError.wrapping(error, "The raw AES wrapping key could not be prepared in the crypto library. Retry; if it persists, report it.")
        }
        storage = Storage(keyNamespace: keyNamespace, keyName: keyName, wrappingKey: prepared,
                          description: "raw AES keyring \(keyNamespace)/\(keyName) (AES-\(wrappingKey.count * 8))")
    }


    // Spec: framework/raw-aes-keyring.md ("OnEncrypt").
    /// Adds this keyring's encrypted data key (generating the data key first if there is none).
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        // The materials are copied once, at the end; before that only their fields are read.
        let keyLength = materials.suite.dataKeyLength
        let dataKey = try materials.plaintextDataKey ?? RandomBytes.secure(count: keyLength)
        let aad = try EncryptionContextCodec.serialize(materials.encryptionContext)
        // Provider info = key name ‖ tag bits ‖ IV length ‖ IV, and the EDK ciphertext = wrapped key ‖
        // tag: each written once into its final array, the IV drawn straight into the info.
        let nameLength = keyName.utf8.count
        var info = [UInt8]()
        info.reserveCapacity(nameLength + 8 + AESGCM.ivLength)
        info.append(contentsOf: keyName.utf8)
        info.appendUInt32(UInt32(AESGCM.tagLength * 8))
        info.appendUInt32(UInt32(AESGCM.ivLength))
        info.append(contentsOf: repeatElement(0, count: AESGCM.ivLength))
        var wrapped = [UInt8](byteCapacity: dataKey.count + AESGCM.tagLength) { _, count in count = dataKey.count + AESGCM.tagLength }
        do {
            try info.withUnsafeMutableBytes { infoBytes in
                let iv = UnsafeMutableRawBufferPointer(rebasing: infoBytes[(nameLength + 8)...])
                RandomBytes.fill(iv)
                try dataKey.withUnsafeBytes { key in
                    try aad.withUnsafeBytes { a in
                        try wrapped.withUnsafeMutableBytes { w in
                            try wrappingKey.seal(plaintext: key, iv: UnsafeRawBufferPointer(iv), aad: a,
                                                 ciphertext: UnsafeMutableRawBufferPointer(rebasing: w[0..<key.count]),
                                                 tag: UnsafeMutableRawBufferPointer(rebasing: w[key.count...]))
                        }
                    }
                }
            }
        } catch {
            throw EnvelopeError.wrapping(error, "\(self) failed to wrap the data key. Retry; if it persists, report it.", code: .keyringFailure)
        }
        var result = materials
        result.encryptedDataKeys.append(EncryptedDataKey(providerID: keyNamespace, providerInfo: info, ciphertext: wrapped))
        result.plaintextDataKey = dataKey
        return result
    }

    // Spec: framework/raw-aes-keyring.md ("OnDecrypt").
    /// Decrypts the first encrypted data key this keyring can unwrap.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try KeyringChecks.requireNoDataKey(materials, keyring: description)
        let aad = try EncryptionContextCodec.serialize(materials.encryptionContext)
        let nameLength = keyName.utf8.count
        let dataKeyLength = materials.suite.dataKeyLength
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        for edk in encryptedDataKeys {
            func fail(_ reason: String) {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: description, reason: reason))
            }
            guard edk.providerID == keyNamespace else {
                fail("provider ID does not match this keyring's namespace \"\(keyNamespace)\""); continue
            }
            let info = edk.providerInfo
            guard info.count == nameLength + 20,
                  info.withUnsafeBytes({ keyName.utf8.equals(UnsafeRawBufferPointer(rebasing: $0[0..<nameLength])) }) else {
                fail("key name does not match this keyring's key name \"\(keyName)\""); continue
            }
            var header: (tagBits: UInt32, ivLength: UInt32)? = nil
            info.withUnsafeBytes { raw in
                var r = ByteReader(raw, offset: nameLength)
                if let t = r.readUInt32(), let l = r.readUInt32() { header = (t, l) }
            }
            guard let parsed = header, parsed.tagBits == 128, parsed.ivLength == 12 else {
                fail("provider info does not describe AES-GCM with a 128-bit tag and a 12-byte IV"); continue
            }
            guard edk.ciphertext.count == dataKeyLength + AESGCM.tagLength else {
                fail("wrapped key is \(edk.ciphertext.count) bytes, expected \(dataKeyLength + AESGCM.tagLength) for \(materials.suite.name)"); continue
            }
            do {
                let keyLength = edk.ciphertext.count - AESGCM.tagLength
                let dataKey = try SecureBytes(count: keyLength) { out in
                    try edk.ciphertext.withUnsafeBytes { c in
                        try info.withUnsafeBytes { i in
                            try aad.withUnsafeBytes { a in
                                try wrappingKey.open(ciphertext: UnsafeRawBufferPointer(rebasing: c[0..<keyLength]),
                                                     tag: UnsafeRawBufferPointer(rebasing: c[keyLength...]),
                                                     iv: UnsafeRawBufferPointer(rebasing: i[(nameLength + 8)...]), aad: a, plaintext: out)
                            }
                        }
                    }
                }
                // The materials are copied once, for the key that unwrapped.
                var result = materials
                result.plaintextDataKey = dataKey
                result.dataKeyOrigin = DataKeyOrigin(decrypted: edk, keyring: description)
                return result
            } catch {
                causes.append(error)
                fail("AES-GCM unwrap failed: wrong wrapping key or a different encryption context")
            }
        }
        throw KeyringChecks.unableToDecrypt(failures, keyring: description, keyCount: encryptedDataKeys.count, causes: causes)
    }
}
