/// Encrypts with a generator and every child; decrypts with the first keyring that succeeds.
///
/// Spec: framework/multi-keyring.md.
public struct MultiKeyring: Keyring, CustomStringConvertible {
    private let encryptSide: MultiEncryptionKeyring
    private let decryptSide: MultiDecryptionKeyring

    /// Creates a multi-keyring. Needs a generator or at least one child.
    public init(generator: (any Keyring)?, children: [any Keyring]) throws {
        encryptSide = try MultiEncryptionKeyring(generator: generator, children: children)
        decryptSide = try MultiDecryptionKeyring(keyrings: (generator.map { [$0] } ?? []) + children)
    }

    /// Lists the member keyrings.
    public var description: String { encryptSide.description }

    /// Generates the data key with the generator, then wraps it with every child.
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        try await encryptSide.onEncrypt(materials)
    }

    /// Tries the generator, then each child; the first that decrypts a data key wins.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try await decryptSide.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
    }
}

/// The encrypt side of a multi-keyring, usable with encrypt-only members.
public struct MultiEncryptionKeyring: EncryptionKeyring, CustomStringConvertible {
    /// The keyring that generates the data key, if any.
    public let generator: (any EncryptionKeyring)?
    /// The keyrings that each add one more encrypted data key.
    public let children: [any EncryptionKeyring]

    /// Creates the keyring. Needs a generator or at least one child.
    public init(generator: (any EncryptionKeyring)?, children: [any EncryptionKeyring]) throws {
        guard generator != nil || !children.isEmpty else {
            throw EnvelopeError(.invalidArgument, "A multi-keyring needs a generator or at least one child keyring.")
        }
        self.generator = generator
        self.children = children
    }

    /// Lists the member keyrings.
    public var description: String {
        "multi-keyring(generator: \(generator.map { "\($0)" } ?? "none"), children: [\(children.map { "\($0)" }.joined(separator: ", "))])"
    }

    // Spec: framework/multi-keyring.md ("OnEncrypt").
    /// Generates the data key with the generator (or requires one), then wraps it with every child.
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        var current = materials
        if let generator {
            guard current.plaintextDataKey == nil else {
                throw EnvelopeError(.keyringFailure, "The multi-keyring has a generator but the materials already hold a data key. Remove the generator or the existing data key.")
            }
            current = try await generator.onEncrypt(current)
            guard current.plaintextDataKey != nil else {
                throw EnvelopeError(.keyringFailure, "The multi-keyring's generator (\(generator)) returned no data key. Use a generator that can generate data keys.")
            }
        } else if current.plaintextDataKey == nil {
            throw EnvelopeError(.keyringFailure, "The multi-keyring has no generator and the materials hold no data key. Configure a generator keyring.")
        }
        for child in children {
            let before = current
            current = try await child.onEncrypt(current)
            // Re-check the materials after each child: same key, same context, EDKs only appended.
            guard current.plaintextDataKey == before.plaintextDataKey, current.suite == before.suite,
                  current.encryptionContext == before.encryptionContext,
                  current.encryptedDataKeys.count > before.encryptedDataKeys.count,
                  Array(current.encryptedDataKeys.prefix(before.encryptedDataKeys.count)) == before.encryptedDataKeys
            else {
                throw EnvelopeError(.keyringFailure, "Child keyring \(child) changed the materials or added no encrypted data key. Check its configuration.")
            }
        }
        return current
    }
}

/// The decrypt side of a multi-keyring: tries each keyring in order, first success wins; on
/// failure the error lists every keyring's cause.
public struct MultiDecryptionKeyring: DecryptionKeyring, CustomStringConvertible {
    /// The keyrings to try, in order (the generator first, if there was one).
    public let keyrings: [any DecryptionKeyring]

    /// Creates the keyring from at least one member.
    public init(keyrings: [any DecryptionKeyring]) throws {
        guard !keyrings.isEmpty else {
            throw EnvelopeError(.invalidArgument, "A multi-keyring needs a generator or at least one child keyring.")
        }
        self.keyrings = keyrings
    }

    /// Lists the member keyrings.
    public var description: String { "multi-keyring[\(keyrings.map { "\($0)" }.joined(separator: ", "))]" }

    // Spec: framework/multi-keyring.md ("OnDecrypt").
    /// Tries each keyring in order; the first that decrypts a data key wins, else every cause is listed.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try KeyringChecks.requireNoDataKey(materials, keyring: description)
        var causes: [any Error] = []
        var failures: [EnvelopeError.DataKeyFailure] = []
        for keyring in keyrings {
            do {
                let result = try await keyring.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
                if result.plaintextDataKey != nil { return result }
                causes.append(EnvelopeError(.keyringFailure, "\(keyring) returned without a data key."))
            } catch let error as EnvelopeError {
                causes.append(error)
                if error.dataKeyFailures.isEmpty {
                    for edk in encryptedDataKeys {
                        failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: "\(keyring)", reason: error.message))
                    }
                } else {
                    failures.append(contentsOf: error.dataKeyFailures)
                }
            } catch {
                causes.append(error)
                for edk in encryptedDataKeys {
                    failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: "\(keyring)", reason: "\(error)"))
                }
            }
        }
        throw KeyringChecks.unableToDecrypt(failures, keyring: description, keyCount: encryptedDataKeys.count, causes: causes)
    }
}
