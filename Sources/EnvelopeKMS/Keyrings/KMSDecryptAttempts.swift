import EnvelopeCore
import EnvelopeCrypto

/// The OnDecrypt loop shared by the strict and discovery KMS keyrings: filter the encrypted data
/// keys (recording why each skipped key was skipped), call Decrypt on the rest one at a time,
/// verify each answer, and on failure report every key with its exact reason.
///
/// Spec: framework/aws-kms/aws-kms-keyring.md and aws-kms-discovery-keyring.md ("OnDecrypt").
enum KMSDecryptAttempts {
    enum Selection {
        /// Call Decrypt with this KeyId; the response must name the same key.
        case attempt(KMSKeyARN)
        /// Do not call KMS for this key; the text says why.
        case skip(String)
    }

    static func run(materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey], keyring: String,
                    transport: any KMSTransport, grantTokens: [String], notes: [String], multiRegionAware: Bool = false,
                    select: (KMSKeyARN) -> Selection) async throws -> DecryptionMaterials {
        // Spec: aws-kms-mrk-keyring.md ("OnDecrypt") — materials that already hold a data key are
        // returned unmodified; aws-kms-keyring.md and the discovery keyrings fail instead.
        if multiRegionAware, materials.plaintextDataKey != nil { return materials }
        guard materials.plaintextDataKey == nil else {
            throw EnvelopeError(.keyringFailure, "\(keyring) was asked to decrypt materials that already hold a data key. Call it only before a data key is set.")
        }
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        var candidates: [(EncryptedDataKey, KMSKeyARN, KMSKeyARN)] = []
        // Spec: "The set of encrypted data keys MUST first be filtered to match this keyring's configuration."
        for edk in encryptedDataKeys {
            guard edk.providerID == awsKMSProviderID else {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: keyring,
                                      reason: "skipped: provider \"\(edk.providerID)\" is not \"\(awsKMSProviderID)\", so no KMS key can decrypt it"))
                continue
            }
            // Spec: the provider info MUST be a valid AWS KMS ARN with resource type `key`, or OnDecrypt MUST fail.
            guard let text = String(validating: edk.providerInfo, as: UTF8.self), let stored = try? KMSKeyARN(parsing: text) else {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: keyring,
                                      reason: "the provider info is not a KMS key ARN; the message is malformed"))
                throw EnvelopeError(.malformedMessage, "An \"aws-kms\" encrypted data key of the message names \"\(edk.keyName)\", which is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID). KMS always records the key ARN, so the message is malformed or was not written by an AWS Encryption SDK.",
                                    dataKeyFailures: failures)
            }
            switch select(stored) {
            case .skip(let reason):
                failures.append(.init(providerID: edk.providerID, keyName: stored.description, keyring: keyring, reason: "skipped: " + reason))
            case .attempt(let requestKey):
                candidates.append((edk, stored, requestKey))
            }
        }
        for (edk, stored, requestKey) in candidates {
            let key = KMSKeyIdentifier.keyARN(requestKey)
            let failure: KMSDataKeyError
            do {
                // Spec: Decrypt with KeyId, CiphertextBlob, the materials' encryption context and the grant tokens.
                let response = try await transport.decrypt(DecryptRequest(ciphertextBlob: edk.ciphertext, keyId: key,
                                                                          encryptionContext: materials.encryptionContext, grantTokens: grantTokens))
                if response.keyId != requestKey {
                    failure = KMSDataKeyError(key: key, action: .decrypt, reason: .unexpectedKey(response.keyId))
                } else if response.plaintext.count != materials.suite.dataKeyLength {
                    failure = KMSDataKeyError(key: key, action: .decrypt,
                                            reason: .wrongPlaintextLength(got: response.plaintext.count, expected: materials.suite.dataKeyLength))
                } else {
                    var result = materials
                    result.plaintextDataKey = response.plaintext
                    var origin = notes
                    if requestKey != stored { origin.append("multi-Region key \(stored) decrypted with its replica \(requestKey)") }
                    result.dataKeyOrigin = DataKeyOrigin(providerID: awsKMSProviderID, keyName: stored.description, keyring: keyring, notes: origin,
                                                         encryptedDataKey: edk)
                    return result
                }
            } catch {
                failure = EnvelopeKMSKeyringErrors.callFailed(error, key: key, action: .decrypt)
            }
            causes.append(failure)
            failures.append(.init(providerID: edk.providerID, keyName: stored.description, keyring: keyring, reason: failure.description))
        }
        let tried = candidates.count
        let summary = tried == 0
            ? "none of the message's \(encryptedDataKeys.count) encrypted data key(s) is one this keyring may use"
            : "KMS refused or failed for all \(tried) encrypted data key(s) it was asked to decrypt"
        throw EnvelopeError(.unableToDecryptDataKey, "\(keyring) could not decrypt the data key: \(summary). Each key and its reason are listed below; fix the access (e.g. the key policy or IAM policy for kms:Decrypt) or use a keyring with one of the listed keys.",
                            causes: causes, dataKeyFailures: failures)
    }
}
