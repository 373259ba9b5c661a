import EnvelopeCore
import EnvelopeCrypto

/// The default of the KMS keyrings' `maxFailedDecryptAttempts`: after this many failed KMS
/// Decrypt calls for one message, a keyring stops trying its remaining encrypted data keys.
/// Legitimate messages carry one encrypted data key per wrapping key; a hostile one may carry
/// thousands naming a key the reader uses, each of which would otherwise cost a KMS call.
public let kmsDefaultMaxFailedDecryptAttempts = 10

/// The OnDecrypt loop shared by the strict, discovery and RSA KMS keyrings: filter the encrypted data
/// keys (recording why each skipped key was skipped), call Decrypt on the rest one at a time,
/// verify each answer, and on failure report every key with its exact reason.
///
/// Identical encrypted data keys are tried once, and at most `maxFailedAttempts` KMS calls may fail
/// per message (per keyring), so a message cannot make one decrypt cost thousands of KMS calls.
///
/// Spec: framework/aws-kms/aws-kms-keyring.md and aws-kms-discovery-keyring.md ("OnDecrypt").
enum KMSDecryptAttempts {
    enum Selection {
        /// Call Decrypt with this KeyId; the response must name the same key.
        case attempt(KMSKeyARN)
        /// Do not call KMS for this key; the text says why.
        case skip(String)
    }

    /// How a keyring's encrypted data keys are made: the symmetric KMS keyrings' (`aws-kms`, KMS
    /// binds the encryption context), or the RSA keyring's (`aws-kms-rsa`, an encryption
    /// algorithm, and the SHA-384 digest of the encryption context prefixed to the data key).
    struct Scheme {
        var providerID = awsKMSProviderID
        var encryptionAlgorithm: KMSEncryptionAlgorithm?
        /// The expected digest prefix of the decrypted plaintext; nil: the context goes to KMS.
        var contextDigest: [UInt8]?

        static let symmetric = Scheme()
    }

    static func run(materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey], keyring: String,
                    transport: any KMSTransport, grantTokens: [String], notes: [String], multiRegionAware: Bool = false,
                    maxFailedAttempts: Int, scheme: Scheme = .symmetric, select: (KMSKeyARN) -> Selection) async throws -> DecryptionMaterials {
        let providerID = scheme.providerID
        // Spec: aws-kms-mrk-keyring.md ("OnDecrypt") — materials that already hold a data key are
        // returned unmodified; aws-kms-keyring.md and the discovery keyrings fail instead.
        if multiRegionAware, materials.plaintextDataKey != nil { return materials }
        guard materials.plaintextDataKey == nil else {
            throw EnvelopeError(.keyringFailure, "\(keyring) was asked to decrypt materials that already hold a data key. Call it only before a data key is set.")
        }
        var failures: [EnvelopeError.DataKeyFailure] = []
        var causes: [any Error] = []
        var candidates: [(EncryptedDataKey, KMSKeyARN, KMSKeyARN)] = []
        /// (key called, ciphertext) of every candidate so far: an identical one is not called again.
        var seen = Set<KMSCallIdentity>()
        // Spec: "The set of encrypted data keys MUST first be filtered to match this keyring's configuration."
        for edk in encryptedDataKeys {
            guard edk.providerID == providerID else {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: keyring,
                                      reason: "skipped: provider \"\(UntrustedText.escaped(edk.providerID))\" is not \"\(providerID)\", so this keyring cannot decrypt it"))
                continue
            }
            // Spec: the provider info MUST be a valid AWS KMS ARN with resource type `key`, or OnDecrypt MUST fail.
            guard let text = String(validating: edk.providerInfo, as: UTF8.self), let stored = try? KMSKeyARN(parsing: text) else {
                failures.append(.init(providerID: edk.providerID, keyName: edk.keyName, keyring: keyring,
                                      reason: "the provider info is not a KMS key ARN; the message is malformed"))
                throw EnvelopeError(.malformedMessage, "An \"\(providerID)\" encrypted data key of the message names \"\(UntrustedText.escaped(edk.keyName))\", which is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID). KMS always records the key ARN, so the message is malformed or was not written by an AWS Encryption SDK.",
                                    dataKeyFailures: failures)
            }
            switch select(stored) {
            case .skip(let reason):
                failures.append(.init(providerID: edk.providerID, keyName: stored.description, keyring: keyring, reason: "skipped: " + reason))
            case .attempt(let requestKey):
                guard seen.insert(KMSCallIdentity(key: requestKey, ciphertext: edk.ciphertext)).inserted else {
                    failures.append(.init(providerID: edk.providerID, keyName: stored.description, keyring: keyring,
                                          reason: "skipped: identical to an earlier encrypted data key of the message"))
                    continue
                }
                candidates.append((edk, stored, requestKey))
            }
        }
        let limit = max(1, maxFailedAttempts)
        var failed = 0
        for (index, (edk, stored, requestKey)) in candidates.enumerated() {
            if failed >= limit {
                for (edk, stored, _) in candidates[index...] {
                    failures.append(.init(providerID: edk.providerID, keyName: stored.description, keyring: keyring,
                                          reason: "not tried: \(limit) KMS Decrypt calls already failed for this message (maxFailedDecryptAttempts)"))
                }
                break
            }
            let key = KMSKeyIdentifier.keyARN(requestKey)
            let failure: KMSDataKeyError
            do {
                // Spec: Decrypt with KeyId, CiphertextBlob, the materials' encryption context and the grant tokens.
                // The RSA keyring sends no context (KMS RSA keys take none) but its encryption algorithm.
                let response = try await transport.decrypt(DecryptRequest(
                    ciphertextBlob: edk.ciphertext, keyId: key,
                    encryptionContext: scheme.contextDigest == nil ? materials.encryptionContext.dictionary : [:],
                    grantTokens: grantTokens, encryptionAlgorithm: scheme.encryptionAlgorithm))
                let dataKey = try scheme.contextDigest.map { try splitDigest(response.plaintext, expected: $0) } ?? response.plaintext
                if response.keyId != requestKey {
                    failure = KMSDataKeyError(key: key, action: .decrypt, reason: .unexpectedKey(response.keyId))
                } else if let dataKey, dataKey.count != materials.suite.dataKeyLength {
                    failure = KMSDataKeyError(key: key, action: .decrypt,
                                            reason: .wrongPlaintextLength(got: dataKey.count, expected: materials.suite.dataKeyLength))
                } else if dataKey == nil {
                    failure = KMSDataKeyError(key: key, action: .decrypt, reason: .encryptionContextDigestMismatch)
                } else {
                    var result = materials
                    result.plaintextDataKey = dataKey
                    var origin = notes
                    if requestKey != stored { origin.append("multi-Region key \(stored) decrypted with its replica \(requestKey)") }
                    result.dataKeyOrigin = DataKeyOrigin(providerID: providerID, keyName: stored.description, keyring: keyring, notes: origin,
                                                         encryptedDataKey: edk)
                    return result
                }
            } catch {
                failure = EnvelopeKMSKeyringErrors.callFailed(error, key: key, action: .decrypt)
            }
            causes.append(failure)
            failures.append(.init(providerID: edk.providerID, keyName: stored.description, keyring: keyring, reason: failure.description))
            failed += 1
        }
        let tried = failed
        let summary = tried == 0
            ? "none of the message's \(encryptedDataKeys.count) encrypted data key(s) is one this keyring may use"
            : "KMS refused or failed for all \(tried) encrypted data key(s) it was asked to decrypt"
        throw EnvelopeError(.unableToDecryptDataKey, "\(keyring) could not decrypt the data key: \(summary). Each key and its reason are listed below; fix the access (e.g. the key policy or IAM policy for kms:Decrypt) or use a keyring with one of the listed keys.",
                            causes: causes, dataKeyFailures: failures)
    }
}

extension KMSDecryptAttempts {
    /// Splits a KMS RSA keyring plaintext, digest (48 bytes) ‖ data key: the data key when the
    /// digest equals `expected` (compared in constant time), nil when it does not or is too short.
    static func splitDigest(_ plaintext: SecureBytes, expected: [UInt8]) throws -> SecureBytes? {
        let n = expected.count
        let matches = plaintext.withUnsafeBytes { bytes in
            bytes.count >= n && expected.withUnsafeBytes { ConstantTime.equal(UnsafeRawBufferPointer(rebasing: bytes[..<n]), $0) }
        }
        guard matches else { return nil }
        return try SecureBytes(count: plaintext.count - n) { out in
            plaintext.withUnsafeBytes { bytes in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[n...])) }
        }
    }
}

/// What one KMS Decrypt call is made of, for spotting identical encrypted data keys.
private struct KMSCallIdentity: Hashable {
    let key: KMSKeyARN
    let ciphertext: [UInt8]
}
