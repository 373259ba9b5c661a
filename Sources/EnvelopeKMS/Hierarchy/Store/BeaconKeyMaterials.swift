import EnvelopeCrypto

/// A beacon key (searchable encryption's root key), as a branch key store returns it.
///
/// Spec: framework/structures.md ("Beacon Key Materials").
public struct BeaconKeyMaterials: Sendable {
    /// The beacon key's identifier: the branch key ID it was created with.
    public let beaconKeyIdentifier: String
    /// The custom encryption context of the branch key (keys without the `aws-crypto-ec:` prefix).
    public let encryptionContext: [String: String]
    /// The 32-byte beacon key, in guarded memory.
    public let beaconKey: SecureBytes

    /// Beacon key materials from their parts.
    ///
    /// - Parameters:
    ///   - beaconKeyIdentifier: The beacon key's identifier.
    ///   - encryptionContext: The custom encryption context.
    ///   - beaconKey: The beacon key.
    public init(beaconKeyIdentifier: String, encryptionContext: [String: String], beaconKey: SecureBytes) {
        self.beaconKeyIdentifier = beaconKeyIdentifier
        self.encryptionContext = encryptionContext
        self.beaconKey = beaconKey
    }
}
