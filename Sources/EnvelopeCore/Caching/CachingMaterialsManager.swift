import Foundation

/// A materials manager that reuses data keys across messages: it asks its underlying manager
/// (and so KMS) for a data key once, then serves later messages with the same encryption context
/// and suite from a ``LocalMaterialsCache`` until the entry is too old, has encrypted too many
/// messages, or too many bytes.
///
/// Spec: framework/caching-cmm.md. What is never cached:
/// - suites with the identity KDF (0x0014, 0x0046, 0x0078), whose data key is the message key;
/// - encryption requests without a known plaintext length (streams of unknown size), since the
///   byte limit could not be enforced; and requests longer than the byte limit.
/// Each is counted as a bypass with its reason in ``LocalMaterialsCache/statistics``.
///
/// Signed suites (0x0578 default) are cached as the specification allows: the messages that share
/// an entry share its data key and its signing key, and each message is still signed on its own.
/// A cache entry is never shared between partitions, suites, encryption contexts or (decrypt)
/// sets of encrypted data keys.
public struct CachingMaterialsManager: EncryptionMaterialsManager, DecryptionMaterialsManager, CustomStringConvertible {
    /// The default limit of messages per data key: 2^32. Spec: framework/caching-cmm.md ("Limit Messages").
    public static let defaultMaxMessagesPerDataKey: UInt64 = 1 << 32
    /// The default (and largest) limit of bytes per data key: 2^63-1. Spec: framework/caching-cmm.md ("Limit Bytes").
    public static let defaultMaxBytesPerDataKey: UInt64 = UInt64(Int64.max)

    private let encryptionUnderlying: (any EncryptionMaterialsManager)?
    private let decryptionUnderlying: (any DecryptionMaterialsManager)?
    /// The shared cache.
    public let cache: LocalMaterialsCache
    /// Entries are shared only between managers with the same partition ID.
    public let partitionID: String
    /// How long a cached data key may be used (the entry's time to live).
    public let maxAge: Duration
    /// The most messages one cached data key encrypts.
    public let maxMessagesPerDataKey: UInt64
    /// The most plaintext bytes one cached data key encrypts.
    public let maxBytesPerDataKey: UInt64

    /// A caching manager over `underlying` (for both encryption and decryption).
    ///
    /// - Parameters:
    ///   - underlying: the manager asked for materials on a cache miss.
    ///   - cache: the cache; share one between managers to bound the total number of entries.
    ///   - maxAge: how long a data key may be reused; must be positive.
    ///   - partitionID: managers with the same partition ID share entries; by default each manager
    ///     gets a unique one.
    ///   - maxMessagesPerDataKey: 1...2^32 (default 2^32).
    ///   - maxBytesPerDataKey: 1...2^63-1 (default 2^63-1).
    public init(underlying: any EncryptionMaterialsManager & DecryptionMaterialsManager, cache: LocalMaterialsCache, maxAge: Duration,
                partitionID: String? = nil, maxMessagesPerDataKey: UInt64 = defaultMaxMessagesPerDataKey,
                maxBytesPerDataKey: UInt64 = defaultMaxBytesPerDataKey) throws {
        try self.init(encryption: underlying, decryption: underlying, cache: cache, maxAge: maxAge, partitionID: partitionID,
                      maxMessages: maxMessagesPerDataKey, maxBytes: maxBytesPerDataKey)
    }

    /// A caching manager over a ``DefaultMaterialsManager`` with `keyring`.
    /// Spec: framework/caching-cmm.md ("Initialization") — a keyring gets a default CMM.
    public init(keyring: any Keyring, cache: LocalMaterialsCache, maxAge: Duration, partitionID: String? = nil,
                maxMessagesPerDataKey: UInt64 = defaultMaxMessagesPerDataKey, maxBytesPerDataKey: UInt64 = defaultMaxBytesPerDataKey) throws {
        let manager = DefaultMaterialsManager(keyring: keyring)
        try self.init(encryption: manager, decryption: manager, cache: cache, maxAge: maxAge, partitionID: partitionID,
                      maxMessages: maxMessagesPerDataKey, maxBytes: maxBytesPerDataKey)
    }

    /// An encrypt-only caching manager (e.g. over an encrypt-only KMS keyring's manager).
    public init(encryptionUnderlying: any EncryptionMaterialsManager, cache: LocalMaterialsCache, maxAge: Duration, partitionID: String? = nil,
                maxMessagesPerDataKey: UInt64 = defaultMaxMessagesPerDataKey, maxBytesPerDataKey: UInt64 = defaultMaxBytesPerDataKey) throws {
        try self.init(encryption: encryptionUnderlying, decryption: nil, cache: cache, maxAge: maxAge, partitionID: partitionID,
                      maxMessages: maxMessagesPerDataKey, maxBytes: maxBytesPerDataKey)
    }

    /// A decrypt-only caching manager.
    public init(decryptionUnderlying: any DecryptionMaterialsManager, cache: LocalMaterialsCache, maxAge: Duration, partitionID: String? = nil) throws {
        try self.init(encryption: nil, decryption: decryptionUnderlying, cache: cache, maxAge: maxAge, partitionID: partitionID,
                      maxMessages: Self.defaultMaxMessagesPerDataKey, maxBytes: Self.defaultMaxBytesPerDataKey)
    }

    private init(encryption: (any EncryptionMaterialsManager)?, decryption: (any DecryptionMaterialsManager)?, cache: LocalMaterialsCache,
                 maxAge: Duration, partitionID: String?, maxMessages: UInt64, maxBytes: UInt64) throws {
        // Spec: framework/caching-cmm.md ("Cache Limit TTL") — must be greater than zero.
        guard maxAge > .zero else {
            throw EnvelopeError(.invalidArgument, "The maximum age of a cached data key must be greater than zero, not \(maxAge). Use e.g. .seconds(300).")
        }
        guard (1...Self.defaultMaxMessagesPerDataKey).contains(maxMessages) else {
            throw EnvelopeError(.invalidArgument, "maxMessagesPerDataKey must be between 1 and 2^32, not \(maxMessages).")
        }
        guard (1...Self.defaultMaxBytesPerDataKey).contains(maxBytes) else {
            throw EnvelopeError(.invalidArgument, "maxBytesPerDataKey must be between 1 and 2^63-1, not \(maxBytes).")
        }
        encryptionUnderlying = encryption
        decryptionUnderlying = decryption
        self.cache = cache
        // Spec: framework/caching-cmm.md ("Partition ID") — unique per manager unless given.
        self.partitionID = partitionID ?? UUID().uuidString
        self.maxAge = maxAge
        maxMessagesPerDataKey = maxMessages
        maxBytesPerDataKey = maxBytes
    }

    /// Names the partition and limits.
    public var description: String {
        "caching materials manager(partition \(partitionID), max age \(maxAge), max \(maxMessagesPerDataKey) messages / \(maxBytesPerDataKey) bytes per data key)"
    }

    // Spec: framework/caching-cmm.md ("Get Encryption Materials").
    /// Returns cached materials when allowed and available, else fresh ones from the underlying manager.
    public func getEncryptionMaterials(_ request: EncryptionMaterialsRequest) async throws -> EncryptionMaterials {
        guard let underlying = encryptionUnderlying else {
            throw EnvelopeError(.invalidArgument, "This caching materials manager was built for decryption only and cannot encrypt. Build it with an encryption materials manager.")
        }
        // The suite is resolved once and passed down, so the cache entry, the bypass decision and
        // the underlying manager all see the same suite; what comes back is checked against it.
        let suite = request.suite ?? request.commitmentPolicy.defaultSuite
        let policy = request.commitmentPolicy
        guard policy.allowsEncrypt(with: suite) else {
            throw CommitmentChecks.encryptRefused(suite, policy)
        }
        var resolved = request
        resolved.suite = suite
        let bypass: MaterialsCacheBypassReason?
        if suite.keyDerivation == .identity {
            bypass = .identityKDF
        } else if request.maxPlaintextLength == nil {
            bypass = .unknownPlaintextLength
        } else if UInt64(max(request.maxPlaintextLength!, 0)) > maxBytesPerDataKey {
            bypass = .plaintextLongerThanByteLimit
        } else if cache.capacity == 0 {
            bypass = .zeroCapacity
        } else {
            bypass = nil
        }
        if let bypass {
            await cache.recordBypass(bypass)
            let materials = try await underlying.getEncryptionMaterials(resolved)
            try MaterialsChecks.checkEncryption(materials, suite: suite, policy: policy, manager: "\(underlying)")
            return materials
        }
        let id = try CacheEntryIdentifier.encryption(partitionID: partitionID, suite: suite, encryptionContext: request.encryptionContext,
                                                     requiredKeys: request.requiredEncryptionContextKeys)
        // Spec: framework/caching-cmm.md — the underlying request carries Max Plaintext Length = Limit Bytes.
        var underlyingRequest = resolved
        underlyingRequest.maxPlaintextLength = Int(clamping: maxBytesPerDataKey)
        let limits = LocalMaterialsCache.EncryptionLimits(maxAge: maxAge, maxMessages: maxMessagesPerDataKey, maxBytes: maxBytesPerDataKey)
        let frozen = underlyingRequest
        return try await cache.encryptionMaterials(id: id, plaintextLength: UInt64(request.maxPlaintextLength!), limits: limits) {
            // Checked before the cache stores it: materials of another suite (e.g. one without key
            // derivation, whose every message would reuse GCM nonces under one key) never get in.
            let materials = try await underlying.getEncryptionMaterials(frozen)
            try MaterialsChecks.checkEncryption(materials, suite: suite, policy: policy, manager: "\(underlying)")
            return materials
        }
    }

    // Spec: framework/caching-cmm.md ("Decrypt Materials").
    /// Returns cached decryption materials for the same suite, data keys and context, else fresh ones.
    public func decryptMaterials(_ request: DecryptionMaterialsRequest) async throws -> DecryptionMaterials {
        guard let underlying = decryptionUnderlying else {
            throw EnvelopeError(.invalidArgument, "This caching materials manager was built for encryption only and cannot decrypt. Build it with a decryption materials manager.")
        }
        // The commitment policy is checked before the cache so that a hit never lets through a
        // suite the caller's policy refuses.
        guard request.commitmentPolicy.allowsDecrypt(of: request.suite) else {
            throw CommitmentChecks.decryptRefused(request.suite, request.commitmentPolicy)
        }
        if request.suite.keyDerivation == .identity || cache.capacity == 0 {
            await cache.recordBypass(request.suite.keyDerivation == .identity ? .identityKDF : .zeroCapacity)
            let materials = try await underlying.decryptMaterials(request)
            try MaterialsChecks.checkDecryption(materials, suite: request.suite, policy: request.commitmentPolicy, manager: "\(underlying)")
            return materials
        }
        let id = try CacheEntryIdentifier.decryption(partitionID: partitionID, request: request)
        return try await cache.decryptionMaterials(id: id, maxAge: maxAge) {
            let materials = try await underlying.decryptMaterials(request)
            try MaterialsChecks.checkDecryption(materials, suite: request.suite, policy: request.commitmentPolicy, manager: "\(underlying)")
            return materials
        }
    }
}
