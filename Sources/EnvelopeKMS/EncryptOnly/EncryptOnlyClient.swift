import EnvelopeCore
import EnvelopeCrypto
import Logging
import Foundation
import SystemPackage

/// A client that can only encrypt: it mirrors a principal whose key policy lets it encrypt but
/// never decrypt, and it has no decrypt entry point at all.
///
/// - It needs only `kms:GenerateDataKey` on its generator key; when its permissions lack
///   GenerateDataKey but allow `kms:Encrypt`, it generates the data key locally
///   (`RandomBytes.secure`) and wraps it with Encrypt. Additional keys need `kms:Encrypt`.
/// - A configuration that lacks a permission it would need is refused when the client is built,
///   before any KMS call, with a ``KMSPermissionError`` naming the action and the key.
/// - It encrypts with a signed suite (0x0578 by default): the message's signing key is bound to
///   the data key through the encryption context KMS authenticates, so a principal that can only
///   decrypt cannot forge a message that seems to come from an encrypting one. Unsigned suites are
///   refused unless `allowUnsignedSuites` is set.
/// - ``verifyAccess(encryptionContext:requireAll:)`` checks with KMS `DryRun` requests that the principal
///   may encrypt with its keys, for a start-up health check.
public struct EncryptOnlyClient: Sendable, CustomStringConvertible {
    /// The key that makes each data key.
    public let generatorKey: EncryptOnlyKey
    /// Keys that each wrap the data key once more (Encrypt).
    public let additionalKeys: [EncryptOnlyKey]
    /// How the data key is made: GenerateDataKey, or locally then Encrypt.
    public let dataKeyGeneration: KMSEncryptionKeyring.DataKeyGeneration
    /// The suite used when a call names none (signed).
    public let defaultSuite: AlgorithmSuite
    /// Whether unsigned suites may be requested explicitly.
    public let allowUnsignedSuites: Bool
    /// Grant tokens sent with every KMS request.
    public let grantTokens: [String]

    private let keyring: MultiEncryptionKeyring
    private let materialsManager: any EncryptionMaterialsManager
    private var envelope: EnvelopeClient
    private let transports: KMSTransportSupplier

    /// Creates a client for one generator key (and optional additional keys).
    ///
    /// - Parameters:
    ///   - generatorKey: makes the data key; needs kms:GenerateDataKey, or kms:Encrypt (local generation).
    ///   - additionalKeys: each needs kms:Encrypt.
    ///   - transports: the KMS transport per Region (``KMSTransportSupplier/single(_:)`` for one Region).
    ///   - grantTokens: grant tokens sent with every KMS request (for grants not yet consistent).
    ///   - commitmentPolicy: as `EnvelopeClient`; the default suite is the policy's signed default
    ///     (0x0578, or 0x0378 under forbid-encrypt-allow-decrypt).
    ///   - maxEncryptedDataKeys: refuse to write more encrypted data keys than this (nil: no limit).
    ///   - allowUnsignedSuites: accept an unsigned suite when a message asks for one (default: refuse).
    ///   - cache: optionally reuse data keys across messages through a `CachingMaterialsManager`
    ///     over this cache, with these limits.
    ///   - concurrency: cores that seal the frames of one message at once (≥ 1, default 1), as
    ///     `EnvelopeClient/concurrency`; see `EnvelopeClient/availableCores`.
    ///   - logger: receives debug records of the client's KMS calls (default: discards them).
    /// - Throws: ``KMSPermissionError`` before any KMS call when a key lacks the permission it needs.
    public init(generatorKey: EncryptOnlyKey, additionalKeys: [EncryptOnlyKey] = [], transports: KMSTransportSupplier,
                grantTokens: [String] = [], commitmentPolicy: CommitmentPolicy = .requireEncryptRequireDecrypt,
                maxEncryptedDataKeys: Int? = nil, allowUnsignedSuites: Bool = false, cache: DataKeyCaching? = nil,
                logger: Logger = Logger(label: "EnvelopeKit.EncryptOnlyClient", factory: { _ in SwiftLogNoOpLogHandler() }),
                concurrency: Int = 1) throws {
        let generation: KMSEncryptionKeyring.DataKeyGeneration
        if generatorKey.permissions.allows(.generateDataKey) {
            generation = .generateDataKey
        } else if generatorKey.permissions.allows(.encrypt) {
            generation = .localRandomThenEncrypt
        } else {
            throw KMSPermissionError(missingActions: [.generateDataKey, .encrypt], key: generatorKey.identifier,
                                     granted: generatorKey.permissions, purpose: "generate the data key")
        }
        for key in additionalKeys where !key.permissions.allows(.encrypt) {
            throw KMSPermissionError(missingActions: [.encrypt], key: key.identifier, granted: key.permissions,
                                     purpose: "wrap the data key with an additional key")
        }
        let generatorKeyring = try KMSEncryptionKeyring(keyID: generatorKey.identifier, transport: try transports.transport(for: generatorKey.identifier.arnRegion),
                                                        grantTokens: grantTokens, dataKeyGeneration: generation)
        let children = try additionalKeys.map {
            try KMSEncryptionKeyring(keyID: $0.identifier, transport: try transports.transport(for: $0.identifier.arnRegion), grantTokens: grantTokens)
        }
        keyring = try MultiEncryptionKeyring(generator: generatorKeyring, children: children)
        let base = DefaultMaterialsManager(encryptionKeyring: keyring)
        if let cache {
            materialsManager = try CachingMaterialsManager(encryptionUnderlying: base, cache: cache.cache, maxAge: cache.maxAge,
                                                           partitionID: cache.partitionID, maxMessagesPerDataKey: cache.maxMessagesPerDataKey,
                                                           maxBytesPerDataKey: cache.maxBytesPerDataKey)
        } else {
            materialsManager = base
        }
        self.generatorKey = generatorKey
        self.additionalKeys = additionalKeys
        self.dataKeyGeneration = generation
        self.grantTokens = grantTokens
        self.allowUnsignedSuites = allowUnsignedSuites
        self.transports = transports
        envelope = try EnvelopeClient(commitmentPolicy: commitmentPolicy, maxEncryptedDataKeys: maxEncryptedDataKeys, logger: logger,
                                  concurrency: concurrency)
        defaultSuite = commitmentPolicy == .forbidEncryptAllowDecrypt ? .aes256GCMHKDFSHA384ECDSAP384 : .aes256GCMHKDFSHA512CommitKeyECDSAP384
    }

    /// A client for one key in one Region with known permissions (e.g. ``KMSPermissions/encryptOnly``).
    public init(key: KMSKeyIdentifier, permissions: KMSPermissions, transport: any KMSTransport, grantTokens: [String] = [],
                commitmentPolicy: CommitmentPolicy = .requireEncryptRequireDecrypt, cache: DataKeyCaching? = nil) throws {
        try self.init(generatorKey: EncryptOnlyKey(key, permissions: permissions), transports: .single(transport), grantTokens: grantTokens,
                      commitmentPolicy: commitmentPolicy, cache: cache)
    }

    /// The commitment policy.
    public var commitmentPolicy: CommitmentPolicy { envelope.commitmentPolicy }

    /// How many cores seal the frames of one message at once (see `EnvelopeClient/concurrency`).
    public var concurrency: Int { envelope.concurrency }

    /// Where messages report their span and metrics, as `EnvelopeClient/observability` (default:
    /// the backends bootstrapped when the client was created, nothing when none was). The KMS calls
    /// report to their transport's own setting, a cache to its own.
    public var observability: EnvelopeObservability {
        get { envelope.observability }
        set { envelope.observability = newValue }
    }

    /// `encrypt-only client(generator …, additional […], …)`.
    public var description: String {
        "encrypt-only client(generator \(generatorKey) via \(dataKeyGeneration)\(additionalKeys.isEmpty ? "" : ", additional [\(additionalKeys.map(\.description).joined(separator: ", "))]"), default suite \(defaultSuite.name))"
    }

    private func chooseSuite(_ suite: AlgorithmSuite?) throws -> AlgorithmSuite {
        let chosen = suite ?? defaultSuite
        guard chosen.isSigned || allowUnsignedSuites else {
            throw EnvelopeError(.invalidArgument, "\(chosen.name) is not signed: anyone able to decrypt its messages could forge new ones under the same data key. The encrypt-only client uses signed suites (default \(defaultSuite.name)); pass allowUnsignedSuites: true to accept the risk.")
        }
        return chosen
    }

    /// Encrypts a byte buffer. See `EnvelopeClient/encrypt(_:materialsManager:encryptionContext:suite:frameLength:)`.
    public func encrypt(_ plaintext: [UInt8], encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                        frameLength: Int = EnvelopeClient.defaultFrameLength) async throws -> EncryptResult {
        try await envelope.encrypt(plaintext, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                   suite: try chooseSuite(suite), frameLength: frameLength)
    }

    /// Encrypts an asynchronous sequence of chunks. See `EnvelopeClient/encryptStream(_:materialsManager:encryptionContext:suite:frameLength:)`.
    public func encryptStream<S: AsyncSequence & Sendable>(_ input: S, encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                                                          frameLength: Int = EnvelopeClient.defaultFrameLength) throws -> EncryptingStream<S> where S.Element == [UInt8] {
        envelope.encryptStream(input, materialsManager: materialsManager, encryptionContext: encryptionContext,
                               suite: try chooseSuite(suite), frameLength: frameLength)
    }

    /// Encrypts a file into another, written atomically. See `EnvelopeClient/encryptFile(at:to:materialsManager:encryptionContext:suite:frameLength:overwrite:)`.
    public func encryptFile(at input: URL, to output: URL, encryptionContext: EncryptionContext = [:], suite: AlgorithmSuite? = nil,
                            frameLength: Int = EnvelopeClient.defaultFrameLength, overwrite: Bool = false) async throws -> EncryptResult {
        try await envelope.encryptFile(at: input, to: output, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                       suite: try chooseSuite(suite), frameLength: frameLength, overwrite: overwrite)
    }

    /// Encrypts everything readable from the open descriptor `input` into `output` through the
    /// parallel frame pipeline (``concurrency`` cores). See
    /// `EnvelopeClient/encrypt(from:to:materialsManager:encryptionContext:suite:frameLength:progress:)`.
    public func encrypt(from input: FileDescriptor, to output: FileDescriptor, encryptionContext: EncryptionContext = [:],
                        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        try await envelope.encrypt(from: input, to: output, materialsManager: materialsManager,
                                   encryptionContext: encryptionContext, suite: try chooseSuite(suite), frameLength: frameLength,
                                   progress: progress)
    }

    /// Asks KMS, with `DryRun` requests, whether this principal may make each call the client
    /// needs: GenerateDataKey (or Encrypt, for local generation) on the generator key and Encrypt on
    /// every additional key. A check passes when KMS answers `DryRunOperationException`.
    ///
    /// - Parameters:
    ///   - encryptionContext: the context to check with, for policies with context conditions.
    ///   - requireAll: throw when any check fails, instead of returning the failures.
    /// - Returns: one result per call; throws only when `requireAll` is set and a check failed.
    @discardableResult
    public func verifyAccess(encryptionContext: EncryptionContext = [:], requireAll: Bool = true) async throws -> [KMSAccessCheck] {
        var checks: [KMSAccessCheck] = []
        let length = defaultSuite.dataKeyLength
        let generatorAction: KMSAction = dataKeyGeneration == .generateDataKey ? .generateDataKey : .encrypt
        checks.append(await dryRun(generatorKey.identifier, generatorAction, encryptionContext: encryptionContext, length: length))
        for key in additionalKeys {
            checks.append(await dryRun(key.identifier, .encrypt, encryptionContext: encryptionContext, length: length))
        }
        let failed = checks.compactMap(\.failure)
        if requireAll && !failed.isEmpty {
            throw EnvelopeError(.keyringFailure, "The encrypt-only client may not encrypt with every key it is configured with: \(failed.map(\.description).joined(separator: "; ")). Fix the key policy or IAM policy before encrypting.",
                                causes: failed)
        }
        return checks
    }

    private func dryRun(_ key: KMSKeyIdentifier, _ action: KMSAction, encryptionContext: EncryptionContext, length: Int) async -> KMSAccessCheck {
        do {
            let transport = try transports.transport(for: key.arnRegion)
            if action == .generateDataKey {
                _ = try await transport.generateDataKey(GenerateDataKeyRequest(keyId: key, encryptionContext: encryptionContext.dictionary, numberOfBytes: length,
                                                                               grantTokens: grantTokens, dryRun: true))
            } else {
                _ = try await transport.encrypt(EncryptRequest(keyId: key, plaintext: try RandomBytes.secure(count: length),
                                                               encryptionContext: encryptionContext.dictionary, grantTokens: grantTokens, dryRun: true))
            }
            // A transport that ignores DryRun and succeeds still shows the call is allowed.
            return KMSAccessCheck(key: key, action: action, failure: nil)
        } catch let error as KMSError where error.code == .dryRunOperation {
            return KMSAccessCheck(key: key, action: action, failure: nil)
        } catch {
            return KMSAccessCheck(key: key, action: action, failure: EnvelopeKMSKeyringErrors.callFailed(error, key: key, action: action))
        }
    }
}

/// Data-key caching settings for an ``EncryptOnlyClient`` (see `CachingMaterialsManager`).
public struct DataKeyCaching: Sendable {
    /// The cache (may be shared).
    public let cache: LocalMaterialsCache
    /// How long a data key may be reused.
    public let maxAge: Duration
    /// The most messages per data key.
    public let maxMessagesPerDataKey: UInt64
    /// The most plaintext bytes per data key.
    public let maxBytesPerDataKey: UInt64
    /// The cache partition (nil: unique to the client).
    public let partitionID: String?

    /// Creates the settings.
    public init(cache: LocalMaterialsCache, maxAge: Duration, maxMessagesPerDataKey: UInt64 = CachingMaterialsManager.defaultMaxMessagesPerDataKey,
                maxBytesPerDataKey: UInt64 = CachingMaterialsManager.defaultMaxBytesPerDataKey, partitionID: String? = nil) {
        self.cache = cache
        self.maxAge = maxAge
        self.maxMessagesPerDataKey = maxMessagesPerDataKey
        self.maxBytesPerDataKey = maxBytesPerDataKey
        self.partitionID = partitionID
    }
}
