import EnvelopeCore
import Foundation

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
        let unstored = requiredPairs.keys.filter { stored[$0] == nil }.sorted()
        do {
            return try await underlying.decryptMaterials(request)
        } catch let error as EnvelopeError where error.code == .unableToDecryptDataKey && !unstored.isEmpty {
            // Pairs absent from the header are authenticated-only pairs; keyrings that bind the
            // context (raw AES, KMS) cannot unwrap a data key of a message encrypted without them.
            // (When the keyring does not bind it, the header tag fails and says so.)
            throw EnvelopeError(.encryptionContextMismatch,
                                "The message does not store the -c key(s) \(unstored.joined(separator: ", ")), and it does not verify with them as authenticated-only pairs: it was not encrypted with exactly these pairs",
                                causes: [error], dataKeyFailures: error.dataKeyFailures)
        }
    }
}
