import Foundation
import Logging
import EnvelopeCrypto

/// The entry point: encrypts and decrypts ESDK messages (one-shot, streaming, file to file).
///
/// Spec: client-apis/client.md, client-apis/encrypt.md, client-apis/decrypt.md.
public struct EnvelopeClient: Sendable {
    /// Which suites may be used to encrypt and decrypt.
    public let commitmentPolicy: CommitmentPolicy
    /// The most encrypted data keys a message may carry, both ways.
    ///
    /// The library default is nil: no count limit, so the number is bounded only by
    /// ``DecryptionLimits/maxHeaderLength`` (1 MiB by default, about 4000 KMS encrypted data keys).
    /// The KMS keyrings already try identical encrypted data keys once and stop after
    /// `maxFailedDecryptAttempts` (10) failed KMS calls per message, but a service decrypting
    /// messages from others should set this to the number of wrapping keys its writers use (the
    /// `envelope` CLI defaults to 10).
    public let maxEncryptedDataKeys: Int?
    /// Where the client logs (trace/debug only; silent by default). Never logs keys or plaintext.
    public let logger: Logger
    /// How many cores seal or open the frames of one message at once (file helpers, descriptor
    /// APIs and one-shot calls on large inputs). Output is byte-for-byte what one core produces;
    /// memory stays bounded by a small window of frame batches. With 1 (the default) one thread
    /// seals while another reads, so file I/O and, for signed suites, the message digest still
    /// overlap the AES work. With N ≥ 2 the reading thread is one of the N: it seals frames
    /// whenever it is ahead, so N = the number of cores keeps every core busy without
    /// oversubscribing them. See ``EnvelopeClient/availableCores``.
    public var concurrency: Int

    /// The number of cores of this machine, a good ``concurrency`` for large files.
    public static var availableCores: Int { Swift.max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// Bounds on what a message being decrypted may claim (header size, frame length, non-framed
    /// body size); hostile messages beyond them are refused before any key work.
    public var limits = DecryptionLimits()

    /// Where messages report metrics and spans (``EnvelopeObservability``; default: the backends
    /// bootstrapped when the client is created, nothing at all when none was).
    public var observability = EnvelopeObservability.default {
        didSet { telemetry = EnvelopeTelemetry(observability) }
    }
    /// `observability` resolved; nil when there is nothing to report to.
    var telemetry = EnvelopeTelemetry(.default)

    /// Creates a client with no limit on encrypted data keys and one core per message.
    /// - Parameters:
    ///   - commitmentPolicy: defaults to `requireEncryptRequireDecrypt` (encrypt with 0x0578).
    ///   - logger: defaults to a logger that discards everything.
    public init(commitmentPolicy: CommitmentPolicy = .requireEncryptRequireDecrypt,
                logger: Logger = Logger(label: "EnvelopeKit.EnvelopeCore", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.init(checked: commitmentPolicy, maxEncryptedDataKeys: nil, logger: logger, concurrency: 1)
    }

    /// Creates a client.
    /// - Parameters:
    ///   - commitmentPolicy: defaults to `requireEncryptRequireDecrypt` (encrypt with 0x0578).
    ///   - maxEncryptedDataKeys: refuse messages (both ways) with more encrypted data keys; must be ≥ 1.
    ///   - logger: defaults to a logger that discards everything.
    ///   - concurrency: cores used per message (≥ 1, default 1); see ``concurrency``.
    /// - Throws: ``EnvelopeError/Code/invalidArgument`` when `maxEncryptedDataKeys` or `concurrency` is below 1.
    public init(commitmentPolicy: CommitmentPolicy = .requireEncryptRequireDecrypt, maxEncryptedDataKeys: Int? = nil,
                logger: Logger = Logger(label: "EnvelopeKit.EnvelopeCore", factory: { _ in SwiftLogNoOpLogHandler() }),
                concurrency: Int = 1) throws {
        if let max = maxEncryptedDataKeys, max < 1 {
            throw EnvelopeError(.invalidArgument, "maxEncryptedDataKeys must be at least 1, not \(max). Pass nil for no limit.")
        }
        try Self.checkConcurrency(concurrency)
        self.init(checked: commitmentPolicy, maxEncryptedDataKeys: maxEncryptedDataKeys, logger: logger, concurrency: concurrency)
    }

    private init(checked commitmentPolicy: CommitmentPolicy, maxEncryptedDataKeys: Int?, logger: Logger, concurrency: Int) {
        self.concurrency = concurrency
        self.commitmentPolicy = commitmentPolicy
        self.maxEncryptedDataKeys = maxEncryptedDataKeys
        self.logger = logger
    }

    /// Refuses a ``concurrency`` below 1 (checked at creation and again by every call, as the
    /// property can be changed).
    static func checkConcurrency(_ concurrency: Int) throws {
        guard concurrency >= 1 else {
            throw EnvelopeError(.invalidArgument, "The client's concurrency must be at least 1 (cores per message), not \(concurrency). Use 1, or EnvelopeClient.availableCores.")
        }
    }

    /// The default frame length of new messages.
    public static let defaultFrameLength = 4096

    // MARK: - shared setup

    /// Validates the request, obtains materials and builds the frame encryptor (header included).
    func makeEncryptor(materialsManager: some EncryptionMaterialsManager, encryptionContext: EncryptionContext,
                       suite: AlgorithmSuite?, frameLength: Int, plaintextLength: Int?) async throws -> FrameEncryptor {
        // Spec: client-apis/encrypt.md ("Encryption Context") — reserved prefix refused.
        try EncryptionContextCodec.checkNoReservedKeys(encryptionContext)
        guard frameLength >= 1, frameLength <= BodyCodec.maxFrameLength else {
            throw EnvelopeError(.invalidArgument, "The frame length must be between 1 and \(BodyCodec.maxFrameLength) bytes, not \(frameLength). The default is 4096.")
        }
        // The suite is resolved here (the policy's default when none is named) and passed down, so
        // every manager sees it and what comes back is always checked against it.
        let suite = suite ?? commitmentPolicy.defaultSuite
        // Spec: client-apis/encrypt.md — the requested suite must be allowed by the commitment policy.
        guard commitmentPolicy.allowsEncrypt(with: suite) else {
            throw CommitmentChecks.encryptRefused(suite, commitmentPolicy)
        }
        let request = EncryptionMaterialsRequest(encryptionContext: encryptionContext, suite: suite,
                                                 commitmentPolicy: commitmentPolicy, maxPlaintextLength: plaintextLength)
        let materials = try await materialsManager.getEncryptionMaterials(request)
        try MaterialsChecks.checkEncryption(materials, suite: suite, policy: commitmentPolicy, manager: "The materials manager \(materialsManager)")
        // Spec: client-apis/encrypt.md — fail when the materials exceed the maximum EDK count.
        if let max = maxEncryptedDataKeys, materials.encryptedDataKeys.count > max {
            throw EnvelopeError(.tooManyEncryptedDataKeys, "The keyring produced \(materials.encryptedDataKeys.count) encrypted data keys, more than the configured maximum of \(max). Use fewer wrapping keys or raise maxEncryptedDataKeys.",
                                causes: [LimitFailure(.encryptedDataKeys, value: UInt64(materials.encryptedDataKeys.count), maximum: UInt64(max))])
        }
        for (key, _) in materials.encryptionContext where key.hasPrefix(reservedEncryptionContextPrefix) && key != publicKeyEncryptionContextKey {
            throw EnvelopeError(.keyringFailure, "The materials manager added the unknown reserved key \"\(key)\".")
        }
        let encryptor = try FrameEncryptor(materials: materials, frameLength: frameLength)
        logger.debug("encrypting", metadata: ["suite": "\(materials.suite.idHex)", "frameLength": "\(frameLength)", "edks": "\(materials.encryptedDataKeys.count)"])
        return encryptor
    }

    /// Obtains decryption materials for a parsed header and builds the frame decryptor.
    func makeDecryptor(header: MessageHeader, materialsManager: some DecryptionMaterialsManager,
                       reproducedEncryptionContext: EncryptionContext) async throws -> (FrameDecryptor, DecryptionMaterials) {
        // Spec: client-apis/decrypt.md — refuse suites the commitment policy forbids before any key work.
        guard commitmentPolicy.allowsDecrypt(of: header.suite) else {
            throw CommitmentChecks.decryptRefused(header.suite, commitmentPolicy)
        }
        let request = DecryptionMaterialsRequest(suite: header.suite, commitmentPolicy: commitmentPolicy,
                                                 encryptedDataKeys: header.encryptedDataKeys, encryptionContext: header.encryptionContext,
                                                 reproducedEncryptionContext: reproducedEncryptionContext)
        let materials = try await materialsManager.decryptMaterials(request)
        try MaterialsChecks.checkDecryption(materials, suite: header.suite, policy: commitmentPolicy, manager: "The materials manager \(materialsManager)")
        let decryptor = try FrameDecryptor(header: header, materials: materials)
        decryptor.limits = limits
        logger.debug("decrypting", metadata: ["suite": "\(header.suite.idHex)", "frameLength": "\(header.frameLength)", "edks": "\(header.encryptedDataKeys.count)"])
        return (decryptor, materials)
    }

    /// Parses a header and applies ``limits``: an incomplete header already longer than allowed,
    /// a longer header or a too-large frame length are refused.
    func parseHeader(_ bytes: UnsafeRawBufferPointer) throws -> HeaderCodec.ParseResult {
        let result = try HeaderCodec.parse(bytes, maxEncryptedDataKeys: maxEncryptedDataKeys)
        switch result {
        case .needMoreBytes: try limits.checkIncompleteHeader(buffered: bytes.count)
        case .header(let header): try limits.check(header)
        }
        return result
    }
}

/// The result of an encryption: the message (for in-memory encryption) and its metadata.
public struct EncryptResult: Sendable {
    /// The complete message; empty when it went to a file or descriptor.
    public let ciphertext: [UInt8]
    /// What the header says: suite, message ID, stored encryption context, EDKs, frame length.
    public let header: MessageHeaderInfo
    /// The full encryption context: the stored pairs plus those authenticated but not stored.
    public let encryptionContext: EncryptionContext
    /// The keys of ``encryptionContext`` that were authenticated but not stored in the header
    /// (required encryption context): a decrypt must supply them again.
    public let requiredEncryptionContextKeys: [String]

    /// The algorithm suite.
    public var suite: AlgorithmSuite { header.suite }
    /// The message's encrypted data keys.
    public var encryptedDataKeys: [EncryptedDataKey] { header.encryptedDataKeys }

    init(ciphertext: [UInt8], encryptor: FrameEncryptor) {
        self.ciphertext = ciphertext
        self.header = encryptor.header.info
        self.encryptionContext = encryptor.encryptionContext
        self.requiredEncryptionContextKeys = unstoredKeys(of: encryptor.encryptionContext, stored: encryptor.header.encryptionContext)
    }
}

/// The result of a decryption: the plaintext (for in-memory decryption) and the message's metadata.
public struct DecryptResult: Sendable {
    /// The plaintext; empty when it went to a file or descriptor.
    public let plaintext: [UInt8]
    /// The full encryption context: the header's pairs plus the required pairs you supplied.
    public let encryptionContext: EncryptionContext
    /// The keys of ``encryptionContext`` that were authenticated but not stored in the header
    /// (required encryption context you supplied, checked by the header tag).
    public let requiredEncryptionContextKeys: [String]
    /// The algorithm suite the message uses.
    public let suite: AlgorithmSuite
    /// The message's encrypted data keys.
    public let encryptedDataKeys: [EncryptedDataKey]
    /// The frame length (0 for non-framed messages).
    public let frameLength: Int
    /// The parsed header.
    public let header: MessageHeaderInfo
    /// Which encrypted data key was decrypted and how the keyring found it, e.g. how an alias
    /// resolved (nil if the keyring did not say; the built-in keyrings always do).
    public let dataKeyOrigin: DataKeyOrigin?

    /// The encrypted data key that was decrypted (nil if the keyring did not say).
    public var decryptedDataKey: EncryptedDataKey? { dataKeyOrigin?.encryptedDataKey }

    init(plaintext: [UInt8], header: MessageHeader, materials: DecryptionMaterials) {
        self.dataKeyOrigin = materials.dataKeyOrigin
        self.plaintext = plaintext
        self.encryptionContext = materials.encryptionContext
        self.requiredEncryptionContextKeys = unstoredKeys(of: materials.encryptionContext, stored: header.encryptionContext)
        self.suite = header.suite
        self.encryptedDataKeys = header.encryptedDataKeys
        self.frameLength = Int(header.frameLength)
        self.header = header.info
    }
}

/// The keys of `context` that `stored` (the header's pairs, a subset) lacks, sorted; no work in
/// the usual case where everything is stored.
private func unstoredKeys(of context: EncryptionContext, stored: EncryptionContext) -> [String] {
    guard context.count != stored.count else { return [] }
    return context.keys.filter { stored[$0] == nil }.sorted()
}
