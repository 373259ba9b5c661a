import EnvelopeCore

/// Builders that compose one KMS keyring per key (or per Region) into a multi-keyring.
///
/// Spec: framework/aws-kms/aws-kms-multi-keyrings.md (and aws-kms-mrk-multi-keyrings.md: the
/// multi-Region aware builders refuse duplicate multi-Region keys, aws-kms-mrk-are-unique.md).
public enum KMSMultiKeyrings {
    /// Encrypts with `generator` (GenerateDataKey) and wraps with every child (Encrypt); decrypts
    /// with whichever of those keys can. Aliases and key IDs are resolved for decryption.
    public static func strict(generator: KMSKeyIdentifier, children: [KMSKeyIdentifier] = [], transports: KMSTransportSupplier,
                              grantTokens: [String] = [], multiRegionAware: Bool = false) async throws -> MultiKeyring {
        if multiRegionAware { try KMSMultiRegionKeys.assertUnique([generator] + children) }
        let generatorKeyring = try await KMSKeyring.resolving(generator, transport: try transports.transport(for: generator.arnRegion),
                                                              grantTokens: grantTokens, multiRegionAware: multiRegionAware)
        var childKeyrings: [any Keyring] = []
        for child in children {
            childKeyrings.append(try await KMSKeyring.resolving(child, transport: try transports.transport(for: child.arnRegion),
                                                                grantTokens: grantTokens, multiRegionAware: multiRegionAware))
        }
        return try MultiKeyring(generator: generatorKeyring, children: childKeyrings)
    }

    /// The encrypt side only: no key needs resolving and none needs decrypt permissions.
    public static func encryption(generator: KMSKeyIdentifier, children: [KMSKeyIdentifier] = [], transports: KMSTransportSupplier,
                                  grantTokens: [String] = []) throws -> MultiEncryptionKeyring {
        let g = try KMSEncryptionKeyring(keyID: generator, transport: try transports.transport(for: generator.arnRegion), grantTokens: grantTokens)
        let c = try children.map { try KMSEncryptionKeyring(keyID: $0, transport: try transports.transport(for: $0.arnRegion), grantTokens: grantTokens) }
        return try MultiEncryptionKeyring(generator: g, children: c)
    }

    /// The decrypt side only: one strict keyring per key, tried in order; the first that decrypts wins.
    public static func strictDecryption(keys: [KMSKeyIdentifier], transports: KMSTransportSupplier, grantTokens: [String] = [],
                                        multiRegionAware: Bool = false) async throws -> MultiDecryptionKeyring {
        if multiRegionAware { try KMSMultiRegionKeys.assertUnique(keys) }
        var keyrings: [any DecryptionKeyring] = []
        for key in keys {
            keyrings.append(try await KMSStrictDecryptionKeyring.resolving(key, transport: try transports.transport(for: key.arnRegion),
                                                                           grantTokens: grantTokens, multiRegionAware: multiRegionAware))
        }
        return try MultiDecryptionKeyring(keyrings: keyrings)
    }

    /// One discovery keyring per Region, all with the same filter.
    /// Spec: aws-kms-multi-keyrings.md ("Discovery Multi-Keyring") — an empty Region list fails.
    public static func discovery(regions: [AWSRegion], filter: KMSDiscoveryFilter, transports: KMSTransportSupplier,
                                 grantTokens: [String] = [], multiRegionAware: Bool = false) throws -> MultiDecryptionKeyring {
        guard !regions.isEmpty else {
            throw EnvelopeError(.invalidArgument, "A discovery multi-keyring needs at least one Region.")
        }
        let keyrings = try regions.map {
            try KMSDiscoveryKeyring(transport: try transports.transport(for: $0), filter: filter, grantTokens: grantTokens,
                                    multiRegionAware: multiRegionAware) as any DecryptionKeyring
        }
        return try MultiDecryptionKeyring(keyrings: keyrings)
    }
}
