import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation
import Logging

/// A KMS that runs in-process and behaves like AWS KMS for symmetric encryption keys and RSA key
/// pairs for encryption (`LocalKMS+RSA.swift`): accounts,
/// Regions, IAM principals, keys and their states, aliases, key policies, IAM identity policies,
/// grants, the KMS authorization rules (POLICY-FACTS.md) and AWS's error codes and wording.
///
/// Backing keys are AES-256 keys generated here and never leave it in clear: in memory they are
/// unwrapped per operation into guarded memory; on disk (with a state directory) they are
/// wrapped with AES-GCM under a state key kept in its own 0600 file.
///
/// An actor: any number of tasks may use one instance. With a state directory, several processes
/// may share it too: every change is made under a file lock on the freshest state.
public actor LocalKMS {
    /// The Region used when none is given.
    public static let defaultRegion: AWSRegion = "us-east-1"

    var state: LocalKMSState
    let store: LocalKMSStateStore?
    let stateKey: SecureBytes
    let logger: Logger
    private var policyCache: [String: PolicyDocument] = [:]
    /// The decision log of an in-memory KMS (a persisted one appends to its state directory).
    var memoryDecisions: [LocalKMSDecision] = []

    /// An in-memory local KMS (nothing is written anywhere; the state key is random).
    public init(logger: Logger = LocalKMS.silentLogger) throws {
        state = LocalKMSState()
        store = nil
        stateKey = try RandomBytes.secure(count: 32)
        self.logger = logger
    }

    /// A local KMS persisted in `stateDirectory` (created with mode 0700 if missing).
    public init(stateDirectory: String, logger: Logger = LocalKMS.silentLogger) throws {
        let store = try LocalKMSStateStore(directory: stateDirectory)
        self.store = store
        stateKey = store.stateKey
        state = try store.loadIfChanged(force: true) ?? LocalKMSState()
        self.logger = logger
    }

    /// A logger that discards everything (the default).
    public static let silentLogger = Logger(label: "envelope.local-kms", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The state directory, if persisted.
    public nonisolated var stateDirectory: String? { store?.directory }

    /// A `KMSTransport` that calls this KMS as `principal` in `region`.
    public nonisolated func client(principal: AWSPrincipalARN, region: AWSRegion = LocalKMS.defaultRegion, viaService: String? = nil) -> LocalKMSClient {
        LocalKMSClient(kms: self, caller: LocalKMSCaller(principal: principal, region: region, viaService: viaService))
    }

    // MARK: - State access

    /// Picks up changes another process made to the state directory.
    func refresh() throws {
        guard let store, let fresh = try store.loadIfChanged() else { return }
        state = fresh
    }

    /// Applies `body` to the freshest state under the directory lock and saves the result; the
    /// in-memory state changes only if saving succeeded.
    func mutate<T>(_ body: (inout LocalKMSState) throws -> T) throws -> T {
        guard let store else { return try body(&state) }
        return try store.withLock {
            var copy = try store.loadIfChanged(force: true) ?? LocalKMSState()
            let result = try body(&copy)
            try store.save(copy)
            state = copy
            return result
        }
    }

    func parsedPolicy(_ text: String, kind: PolicyDocument.Kind) -> PolicyDocument? {
        let cacheKey = (kind == .keyPolicy ? "K" : "I") + text
        if let cached = policyCache[cacheKey] { return cached }
        guard let parsed = try? PolicyDocument(parsing: text, kind: kind) else { return nil }
        if policyCache.count > 256 { policyCache.removeAll() }
        policyCache[cacheKey] = parsed
        return parsed
    }

    // MARK: - Secrets under the state key

    func wrap(_ secret: SecureBytes, purpose: String) throws -> WrappedSecret {
        let iv = RandomBytes.array(count: AESGCM.ivLength)
        let aad = Array(("envelope-local-kms/v1/" + purpose).utf8)
        let sealed = try AESGCM.seal(secret, key: stateKey, iv: iv, authenticating: aad)
        return WrappedSecret(iv: iv, ciphertext: sealed.ciphertext, tag: sealed.tag)
    }

    func unwrap(_ wrapped: WrappedSecret, purpose: String) throws -> SecureBytes {
        let aad = Array(("envelope-local-kms/v1/" + purpose).utf8)
        do {
            return try AESGCM.openSecret(wrapped.ciphertext, tag: wrapped.tag, key: stateKey, iv: wrapped.iv, authenticating: aad)
        } catch {
            throw KMSError(code: .internalError, message: "the local KMS could not unwrap a stored secret (\(purpose)): the state key does not match the state; restore the state directory as a whole")
        }
    }

    static func materialPurpose(_ arn: KMSKeyARN) -> String { "key-material/" + arn.description }
    static func accessKeyPurpose(_ id: String) -> String { "access-key-secret/" + id }

    /// Seals `plaintext` under the key's backing key, bound to the key ARN and `context`.
    func seal(_ plaintext: SecureBytes, under key: StoredKey, context: [String: String]) throws -> [UInt8] {
        // An RSA key pair's material is a private key, never an AES key.
        guard key.rsaSpec == nil else { throw KMSError(code: .invalidKeyUsage, message: "\(key.arn) is not a symmetric encryption KMS key.") }
        let material = try unwrap(key.material, purpose: LocalKMS.materialPurpose(key.arn))
        let header = LocalKMSCiphertext.header(for: key.arn)
        let aad = LocalKMSCiphertext.associatedData(header: header, context: context)
        let iv = RandomBytes.array(count: AESGCM.ivLength)
        let sealed = try AESGCM.seal(plaintext, key: material, iv: iv, authenticating: aad)
        return LocalKMSCiphertext(keyARN: key.arn, iv: iv, ciphertext: sealed.ciphertext, tag: sealed.tag).blob
    }

    /// Opens a parsed blob under the key's backing key; `InvalidCiphertextException` if the key
    /// or the encryption context differs.
    func open(_ parsed: LocalKMSCiphertext, under key: StoredKey, context: [String: String]) throws -> SecureBytes {
        guard key.rsaSpec == nil else { throw KMSError(code: .invalidKeyUsage, message: "\(key.arn) is not a symmetric encryption KMS key.") }
        let material = try unwrap(key.material, purpose: LocalKMS.materialPurpose(key.arn))
        let aad = LocalKMSCiphertext.associatedData(header: parsed.header, context: context)
        do {
            return try AESGCM.openSecret(parsed.ciphertext, tag: parsed.tag, key: material, iv: parsed.iv, authenticating: aad)
        } catch {
            throw LocalKMSErrors.invalidCiphertext
        }
    }
}
