import EnvelopeCore
import EnvelopeCrypto

/// The AWS KMS hierarchical keyring: wraps each data key under a key derived locally from a
/// branch key, which a branch key store keeps (in DynamoDB, wrapped under a KMS key) and this
/// keyring caches for a time-to-live. A fleet encrypting at high rates then calls KMS and the
/// store about once per branch key per TTL, not once per message.
///
/// Spec: framework/aws-kms/aws-kms-hierarchical-keyring.md. Byte-compatible with the keyring of
/// the AWS Material Providers Library (ESDK for Python 4, Java 3, .NET 4): encrypted data keys
/// have provider ID `aws-kms-hierarchy`, the branch key ID as provider info, and the ciphertext
/// salt ‖ IV ‖ version ‖ wrapped key ‖ tag.
///
/// The branch key is either fixed or chosen per message by a ``BranchKeyIDSupplier`` from the
/// encryption context (multi-tenant use). The cache is a ``BranchKeyMaterialsCache``: each keyring
/// makes its own unless given one to share.
public struct HierarchicalKeyring: Keyring, CustomStringConvertible {
    /// Where the branch key of a message comes from.
    public enum BranchKeySource: Sendable {
        /// Always this branch key.
        case identifier(String)
        /// The branch key the supplier picks from the message's encryption context.
        case supplier(any BranchKeyIDSupplier)
    }

    /// Everything the keyring holds, behind one reference (the keyring is one word, stored inline
    /// in an existential).
    private final class Storage: Sendable {
        let store: any BranchKeyStore
        let source: BranchKeySource
        let ttl: Duration
        let cache: BranchKeyMaterialsCache
        let partitionID: [UInt8]
        let logicalKeyStoreName: String
        /// The encrypt-side cache identifier of a fixed branch key, computed once.
        let fixedActiveIdentifier: BranchKeyCacheIdentifier?
        /// The UTF-8 of a fixed branch key ID (the provider info of its encrypted data keys).
        let fixedIDBytes: [UInt8]?
        /// The AAD prefix of a fixed branch key ID.
        let fixedAADPrefix: [UInt8]?
        /// Cache identifiers computed so far (each is a SHA-384), per branch key and version.
        let identifiers = LockedState(CacheIdentifierMemo())
        let description: String

        init(store: any BranchKeyStore, source: BranchKeySource, ttl: Duration, cache: BranchKeyMaterialsCache, partitionID: [UInt8]) throws {
            self.store = store
            self.source = source
            self.ttl = ttl
            self.cache = cache
            self.partitionID = partitionID
            logicalKeyStoreName = store.logicalKeyStoreName
            switch source {
            case .identifier(let id):
                fixedActiveIdentifier = try BranchKeyCacheIdentifier.active(partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: id)
                fixedIDBytes = Array(id.utf8)
                fixedAADPrefix = HierarchyKeyWrapping.aadPrefix(branchKeyID: id)
                description = "hierarchical keyring(branch key \(id))"
            case .supplier:
                fixedActiveIdentifier = nil
                fixedIDBytes = nil
                fixedAADPrefix = nil
                description = "hierarchical keyring(branch key ID supplier)"
            }
        }

        /// The UTF-8 of branch key `id` (the provider info of its encrypted data keys).
        func idBytes(_ id: String) -> [UInt8] { fixedIDBytes ?? Array(id.utf8) }

        /// The AAD prefix of branch key `id`.
        func aadPrefix(_ id: String) -> [UInt8] { fixedAADPrefix ?? HierarchyKeyWrapping.aadPrefix(branchKeyID: id) }

        /// The cache identifier of `version` of branch key `id` (the active version when nil):
        /// computed on first use, then looked up.
        func cacheIdentifier(id: String, version: BranchKeyVersion?) throws -> BranchKeyCacheIdentifier {
            if version == nil, let fixedActiveIdentifier { return fixedActiveIdentifier }
            // A fixed branch key ID is the only one this keyring uses: the version alone is the key.
            let key = CacheIdentifierMemo.Key(branchKeyID: fixedIDBytes == nil ? id : nil, version: version)
            if let known = identifiers.withLock({ $0.identifiers[key] }) { return known }
            let computed = try version.map {
                try BranchKeyCacheIdentifier.version($0, partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: id)
            } ?? BranchKeyCacheIdentifier.active(partitionID: partitionID, logicalKeyStoreName: logicalKeyStoreName, branchKeyID: id)
            identifiers.withLock { $0.insert(computed, for: key) }
            return computed
        }
    }

    /// The cache identifiers a keyring has computed: public values (digests), bounded.
    struct CacheIdentifierMemo {
        struct Key: Hashable {
            /// Nil for a keyring with a fixed branch key ID.
            let branchKeyID: String?
            /// Nil for the active version (encrypt).
            let version: BranchKeyVersion?
        }

        /// Most identifiers kept; past it the memo starts over (a keyring that meets more branch
        /// key versions than this recomputes some digests, nothing more).
        static let limit = 1000
        private(set) var identifiers: [Key: BranchKeyCacheIdentifier] = [:]

        mutating func insert(_ identifier: BranchKeyCacheIdentifier, for key: Key) {
            if identifiers.count >= Self.limit { identifiers.removeAll(keepingCapacity: true) }
            identifiers[key] = identifier
        }
    }

    private let storage: Storage

    /// Where the branch key of a message comes from.
    public var branchKeySource: BranchKeySource { storage.source }
    /// How long a branch key is used from the cache before the store is asked again.
    public var ttl: Duration { storage.ttl }
    /// The cache of branch keys (this keyring's own, or the shared one it was given).
    public var cache: BranchKeyMaterialsCache { storage.cache }
    /// `hierarchical keyring(branch key ID)` (never key material).
    public var description: String { storage.description }
    /// How many cache identifiers (SHA-384 digests) the keyring has computed and kept (tests).
    var computedCacheIdentifierCount: Int { storage.identifiers.withLock { $0.identifiers.count } }

    /// Creates a keyring for one branch key.
    ///
    /// - Parameters:
    ///   - store: The branch key store.
    ///   - branchKeyIdentifier: The branch key to encrypt under (and the only one decrypted).
    ///   - ttl: How long a branch key is used from the cache; greater than zero.
    ///   - cache: The branch key cache; by default a new one of 1000 entries for this keyring.
    ///     Give several keyrings the same cache to share it (entries are kept apart by partition ID
    ///     and the store's logical key store name).
    ///   - partitionID: Keyrings sharing a cache share entries only if their partition IDs (and
    ///     store names) are equal; by default a random one, so no entries are shared.
    public init(store: any BranchKeyStore, branchKeyIdentifier: String, ttl: Duration,
                cache: BranchKeyMaterialsCache = BranchKeyMaterialsCache(), partitionID: String? = nil) throws {
        try self.init(store: store, source: .identifier(branchKeyIdentifier), ttl: ttl, cache: cache, partitionID: partitionID)
    }

    /// Creates a multi-tenant keyring: the supplier picks each message's branch key.
    ///
    /// - Parameters:
    ///   - store: The branch key store.
    ///   - branchKeyIDSupplier: Picks the branch key from the encryption context, on encrypt and on decrypt.
    ///   - ttl: How long a branch key is used from the cache; greater than zero.
    ///   - cache: The branch key cache; by default a new one of 1000 entries for this keyring.
    ///   - partitionID: Keyrings sharing a cache share entries only if their partition IDs (and
    ///     store names) are equal; by default a random one.
    public init(store: any BranchKeyStore, branchKeyIDSupplier: any BranchKeyIDSupplier, ttl: Duration,
                cache: BranchKeyMaterialsCache = BranchKeyMaterialsCache(), partitionID: String? = nil) throws {
        try self.init(store: store, source: .supplier(branchKeyIDSupplier), ttl: ttl, cache: cache, partitionID: partitionID)
    }

    private init(store: any BranchKeyStore, source: BranchKeySource, ttl: Duration, cache: BranchKeyMaterialsCache, partitionID: String?) throws {
        // Spec: "Cache Limit TTL" — MUST be greater than zero.
        guard ttl > .zero else {
            throw EnvelopeError(.invalidArgument, "The hierarchical keyring's cache TTL must be greater than zero, not \(ttl). Give how long a branch key may be used before the store is asked again.")
        }
        if case .identifier(let id) = source, id.isEmpty {
            throw EnvelopeError(.invalidArgument, "The hierarchical keyring needs a branch key identifier; an empty one was given.")
        }
        // Spec (cache across hierarchical keyrings): a user partition ID is its UTF-8 bytes; none
        // given is a random 16-byte (v4 UUID-sized) value, so the keyring shares no entries.
        let partition = partitionID.map { Array($0.utf8) } ?? RandomBytes.array(count: 16)
        storage = try Storage(store: store, source: source, ttl: ttl, cache: cache, partitionID: partition)
    }

    // MARK: - Encrypt

    // Spec: aws-kms-hierarchical-keyring.md ("OnEncrypt").
    /// Generates the data key if there is none, and adds an encrypted data key wrapped under the
    /// active version of the branch key.
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        let s = storage
        let id = try await branchKeyID(for: materials.encryptionContext)
        let branch: CachedBranchKey
        let checked: (version: BranchKeyVersion, key: CounterModeKDF.PreparedKey)
        do {
            let cacheID = try s.cacheIdentifier(id: id, version: nil)
            branch = try await s.cache.materials(id: cacheID, ttl: s.ttl) {
                try await Self.load(id: id, version: nil, from: s.store)
            }
            checked = try Self.check(branch, id: id, version: nil)
        } catch let error as HierarchicalKeyringError {
            throw EnvelopeError(.keyringFailure, "\(self) could not get the active version of its branch key: \(error). Check the branch key store (table, KMS key permissions) and the branch key ID.",
                                causes: [error])
        }
        var result = materials
        do {
            let dataKey = try materials.plaintextDataKey ?? RandomBytes.secure(count: materials.suite.dataKeyLength)
            let aad = HierarchyKeyWrapping.aad(prefix: s.aadPrefix(id), version: checked.version,
                                               serializedContext: try materials.encryptionContext.serialized())
            let ciphertext = try HierarchyKeyWrapping.wrap(dataKey: dataKey, branchKey: checked.key, version: checked.version, aad: aad)
            result.encryptedDataKeys.append(EncryptedDataKey(providerID: HierarchyKeyWrapping.providerID, providerInfo: s.idBytes(id), ciphertext: ciphertext))
            result.plaintextDataKey = dataKey
        } catch let error as EnvelopeError {
            throw error
        } catch {
            let failure = HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: branch.materials.branchKeyVersion, reason: .crypto(error))
            throw EnvelopeError(.cryptoFailure, "\(self) failed to wrap the data key: \(failure). Retry; if it persists, report it.", causes: [failure])
        }
        return result
    }

    // MARK: - Decrypt

    // Spec: aws-kms-hierarchical-keyring.md ("OnDecrypt").
    /// Decrypts the first of the message's encrypted data keys made under this keyring's branch
    /// key; reports, per key, why not otherwise. The materials are unchanged on failure.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        guard materials.plaintextDataKey == nil else {
            throw EnvelopeError(.keyringFailure, "\(self) was asked to decrypt materials that already hold a data key. Call it only before a data key is set.")
        }
        let s = storage
        let id = try await branchKeyID(for: materials.encryptionContext)
        let idBytes = s.idBytes(id)
        let aadPrefix = s.aadPrefix(id)
        let context = try materials.encryptionContext.serialized()
        let expectedLength = HierarchyKeyWrapping.ciphertextLength(dataKeyLength: materials.suite.dataKeyLength)
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        for edk in encryptedDataKeys {
            func fail(_ reason: String) {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: description, reason: reason))
            }
            // Spec: the provider ID MUST be "aws-kms-hierarchy" and the provider info MUST be the
            // UTF-8 of the configured (or supplied) branch key ID.
            guard edk.providerID == HierarchyKeyWrapping.providerID else {
                fail("provider ID is not \"\(HierarchyKeyWrapping.providerID)\""); continue
            }
            guard edk.providerInfo == idBytes else {
                fail("not this keyring's branch key \"\(id)\""); continue
            }
            guard edk.ciphertext.count == expectedLength else {
                let error = HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: nil,
                                                     reason: .malformedCiphertext(length: edk.ciphertext.count, expected: expectedLength))
                causes.append(error); fail(error.description); continue
            }
            let version = HierarchyKeyWrapping.version(in: edk.ciphertext)
            do {
                let cacheID = try s.cacheIdentifier(id: id, version: version)
                let branch = try await s.cache.materials(id: cacheID, ttl: s.ttl) {
                    try await Self.load(id: id, version: version, from: s.store)
                }
                let key = try Self.check(branch, id: id, version: version).key
                let aad = HierarchyKeyWrapping.aad(prefix: aadPrefix, version: version, serializedContext: context)
                let dataKey: SecureBytes
                do {
                    dataKey = try HierarchyKeyWrapping.unwrap(edk.ciphertext, branchKey: key, aad: aad)
                } catch let error as CryptoError where error.kind == .authenticationFailed {
                    throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: version.text, reason: .unwrapFailed)
                } catch {
                    throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: version.text, reason: .crypto(error))
                }
                var result = materials
                result.plaintextDataKey = dataKey
                result.dataKeyOrigin = DataKeyOrigin(decrypted: edk, keyring: description, notes: [branch.originNote])
                return result
            } catch let error as HierarchicalKeyringError {
                causes.append(error); fail(error.description)
            }
        }
        throw EnvelopeError(.unableToDecryptDataKey,
                            "\(self) could not decrypt any of the message's \(encryptedDataKeys.count) encrypted data key(s). Use a keyring with the branch key (and store) that encrypted the message, or check the reasons given for each key.",
                            causes: causes, dataKeyFailures: failures)
    }

    /// The branch key ID and version that an encrypted data key of this keyring was wrapped
    /// under (for example to find messages still under an old version after a rotation), or nil
    /// for an encrypted data key of another kind.
    ///
    /// - Parameter encryptedDataKey: An encrypted data key from a message header.
    public static func branchKey(of encryptedDataKey: EncryptedDataKey) -> (identifier: String, version: String)? {
        guard encryptedDataKey.providerID == HierarchyKeyWrapping.providerID,
              encryptedDataKey.ciphertext.count > HierarchyKeyWrapping.prefixLength,
              let id = String(validating: encryptedDataKey.providerInfo, as: UTF8.self) else { return nil }
        return (id, HierarchyKeyWrapping.version(in: encryptedDataKey.ciphertext).text)
    }

    // MARK: - Shared steps

    /// The branch key ID of a message: the configured one, or the supplier's choice.
    private func branchKeyID(for context: EncryptionContext) async throws -> String {
        switch storage.source {
        case .identifier(let id): return id
        case .supplier(let supplier):
            do {
                return try await supplier.branchKeyIdentifier(for: context)
            } catch {
                let failure = HierarchicalKeyringError(branchKeyIdentifier: "", branchKeyVersion: nil, reason: .supplierFailed(error))
                throw EnvelopeError(.keyringFailure, "\(self) could not choose a branch key for this encryption context: \(error).", causes: [failure])
            }
        }
    }

    /// Asks the store (the active version when `version` is nil) and prepares its answer for the
    /// cache; failures become typed records.
    private static func load(id: String, version: BranchKeyVersion?, from store: any BranchKeyStore) async throws -> CachedBranchKey {
        let versionText = version?.text
        let materials: BranchKeyMaterials
        do {
            if let versionText {
                materials = try await store.branchKeyVersion(branchKeyIdentifier: id, version: versionText)
            } else {
                materials = try await store.activeBranchKey(branchKeyIdentifier: id)
            }
        } catch {
            throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: versionText, reason: .storeFailed(error))
        }
        do {
            return try CachedBranchKey(materials)
        } catch {
            throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: materials.branchKeyVersion, reason: .crypto(error))
        }
    }

    /// Checks that the store answered for the branch key (and version) asked for, with a 32-byte
    /// key and a UUID version; returns the version and the prepared key.
    private static func check(_ branch: CachedBranchKey, id: String, version: BranchKeyVersion?) throws -> (version: BranchKeyVersion, key: CounterModeKDF.PreparedKey) {
        let materials = branch.materials
        guard let parsed = branch.version else {
            throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: version?.text, reason: .malformedVersion(materials.branchKeyVersion))
        }
        guard materials.branchKeyIdentifier == id, version.map({ $0 == parsed }) ?? true else {
            throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: version?.text,
                                           reason: .unexpectedBranchKey(identifier: materials.branchKeyIdentifier, version: materials.branchKeyVersion))
        }
        guard let key = branch.wrappingKeyDeriver else {
            throw HierarchicalKeyringError(branchKeyIdentifier: id, branchKeyVersion: materials.branchKeyVersion, reason: .wrongBranchKeyLength(materials.branchKey.count))
        }
        return (parsed, key)
    }
}
