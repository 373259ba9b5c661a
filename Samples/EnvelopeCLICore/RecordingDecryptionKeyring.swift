import EnvelopeCore
import Foundation

/// Which encrypted data key a decryption used (for `--metadata-output`).
final class DecryptedKeyRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var key: EncryptedDataKey?

    var value: EncryptedDataKey? { lock.withLock { key } }
    func set(_ edk: EncryptedDataKey) { lock.withLock { key = edk } }
}

/// Wraps a decryption keyring and offers it the message's encrypted data keys one at a time, in
/// message order, so that the key that succeeded is known. The outcome is the same as offering
/// all of them at once (the first key any child can decrypt wins); when none can, the per-key
/// failures of every attempt are reported together.
///
/// Spec: framework/keyring-interface.md ("OnDecrypt") — a keyring may be given any subset of the EDKs.
struct RecordingDecryptionKeyring: DecryptionKeyring, CustomStringConvertible {
    let base: any DecryptionKeyring
    let record: DecryptedKeyRecord

    var description: String { String(describing: base) }

    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        for edk in encryptedDataKeys {
            do {
                let result = try await base.onDecrypt(materials, encryptedDataKeys: [edk])
                if result.plaintextDataKey != nil {
                    record.set(edk)
                    return result
                }
            } catch let error as EnvelopeError where error.code == .unableToDecryptDataKey {
                failures += error.dataKeyFailures
                causes += error.causes
            }
        }
        var seen = Set<EnvelopeError.DataKeyFailure>()
        let unique = failures.filter { seen.insert($0).inserted }
        throw EnvelopeError(.unableToDecryptDataKey,
                            "None of the wrapping keys could decrypt any of the message's \(encryptedDataKeys.count) encrypted data key(s)",
                            causes: causes, dataKeyFailures: unique)
    }
}

/// Checks the `-c` requirements of `decrypt` against the header before any key is tried (so no
/// KMS call is made for a message that will be refused anyway), then passes the pairs on as the
/// reproduced encryption context.
///
/// `-c k=v`: the message's context must contain `k` with value `v` (or, if `k` is not stored in
/// the header, `k=v` must be one of the authenticated-only pairs — the header tag then checks it).
/// `-c k`: the message's context must contain `k`.
struct ContextRequirementsMaterialsManager: DecryptionMaterialsManager {
    let underlying: any DecryptionMaterialsManager
    let requiredPairs: [String: String]
    let requiredKeys: [String]
    /// Receives the `-c` keys the header does not store (checked only by the header tag).
    let unstoredKeys: UnstoredKeysRecord

    func decryptMaterials(_ request: DecryptionMaterialsRequest) async throws -> DecryptionMaterials {
        let stored = request.encryptionContext
        for key in requiredKeys.sorted() where stored[key] == nil && requiredPairs[key] == nil {
            throw EnvelopeError(.encryptionContextMismatch, "The message's encryption context has no key \"\(key)\", which -c requires")
        }
        for (key, value) in requiredPairs.sorted(by: { $0.key < $1.key }) {
            if let actual = stored[key], actual != value {
                throw EnvelopeError(.encryptionContextMismatch, "The message's encryption context has \(key)=\"\(actual)\", not the \"\(value)\" that -c requires")
            }
        }
        unstoredKeys.set(requiredPairs.keys.filter { stored[$0] == nil }.sorted())
        return try await underlying.decryptMaterials(request)
    }
}

/// The `-c` keys of a decrypt that the message's header does not store.
final class UnstoredKeysRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String] = []

    var value: [String] { lock.withLock { keys } }
    func set(_ new: [String]) { lock.withLock { keys = new } }
}
