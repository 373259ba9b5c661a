import Foundation
import EnvelopeCrypto

/// The default materials manager: picks the suite, adds the signing key for signed suites and
/// asks its keyring for the data key.
///
/// Spec: framework/default-cmm.md.
public struct DefaultMaterialsManager: EncryptionMaterialsManager, DecryptionMaterialsManager, CustomStringConvertible {
    private let encryptionKeyring: (any EncryptionKeyring)?
    private let decryptionKeyring: (any DecryptionKeyring)?

    /// A manager that encrypts and decrypts with `keyring`.
    public init(keyring: any Keyring) {
        encryptionKeyring = keyring
        decryptionKeyring = keyring
    }

    /// An encrypt-only manager.
    public init(encryptionKeyring: any EncryptionKeyring) {
        self.encryptionKeyring = encryptionKeyring
        decryptionKeyring = nil
    }

    /// A decrypt-only manager.
    public init(decryptionKeyring: any DecryptionKeyring) {
        encryptionKeyring = nil
        self.decryptionKeyring = decryptionKeyring
    }

    /// Names the keyring(s).
    public var description: String {
        "default materials manager(\(encryptionKeyring.map { "\($0)" } ?? decryptionKeyring.map { "\($0)" } ?? ""))"
    }

    // Spec: framework/default-cmm.md ("Get Encryption Materials").
    /// Returns encryption materials for the request.
    public func getEncryptionMaterials(_ request: EncryptionMaterialsRequest) async throws -> EncryptionMaterials {
        guard let keyring = encryptionKeyring else {
            throw EnvelopeError(.invalidArgument, "This materials manager was built for decryption only and cannot encrypt. Build it with an encryption keyring.")
        }
        let suite = request.suite ?? request.commitmentPolicy.defaultSuite
        guard request.commitmentPolicy.allowsEncrypt(with: suite) else {
            throw CommitmentChecks.encryptRefused(suite, request.commitmentPolicy)
        }
        var context = request.encryptionContext
        guard context[publicKeyEncryptionContextKey] == nil else {
            throw EnvelopeError(.encryptionContextMismatch, "The encryption context already contains \"\(publicKeyEncryptionContextKey)\", which the SDK sets itself. Remove that key.")
        }
        var signingKey: ECDSAPrivateKey? = nil
        if let curve = suite.signatureCurve {
            do {
                let key = try ECDSAPrivateKey(generatingOn: curve)
                context[publicKeyEncryptionContextKey] = Data(try key.compressedPublicKey()).base64EncodedString()
                signingKey = key
            } catch {
                throw EnvelopeError.wrapping(error, "Generating the message signing key failed in the crypto library. Retry; if it persists, report it.")
            }
        }
        for key in request.requiredEncryptionContextKeys where context[key] == nil {
            throw EnvelopeError(.encryptionContextMismatch, "The required encryption context key \"\(key)\" is missing from the encryption context. Add it.")
        }
        let materials = EncryptionMaterials(suite: suite, encryptionContext: context,
                                            requiredEncryptionContextKeys: request.requiredEncryptionContextKeys, signingKey: signingKey)
        let result = try await keyring.onEncrypt(materials)
        guard let dataKey = result.plaintextDataKey, dataKey.count == suite.dataKeyLength else {
            throw EnvelopeError(.keyringFailure, "\(keyring) returned no data key of the right length for \(suite.name). Use a keyring that can generate data keys.")
        }
        guard !result.encryptedDataKeys.isEmpty else {
            throw EnvelopeError(.keyringFailure, "\(keyring) returned no encrypted data key. Check the keyring configuration.")
        }
        // Spec: default-cmm.md — obtain only the plaintext data key and the encrypted data keys from
        // the keyring; the suite, context and signing key stay this manager's. (`consume`: the
        // materials are not used again, so they are moved, not copied.)
        var out = consume materials
        out.plaintextDataKey = dataKey
        out.encryptedDataKeys = result.encryptedDataKeys
        return out
    }

    // Spec: framework/default-cmm.md ("Decrypt Materials").
    /// Returns decryption materials for the request.
    public func decryptMaterials(_ request: DecryptionMaterialsRequest) async throws -> DecryptionMaterials {
        guard let keyring = decryptionKeyring else {
            throw EnvelopeError(.invalidArgument, "This materials manager was built for encryption only and cannot decrypt. Build it with a decryption keyring.")
        }
        guard request.commitmentPolicy.allowsDecrypt(of: request.suite) else {
            throw CommitmentChecks.decryptRefused(request.suite, request.commitmentPolicy)
        }
        // Reproduced pairs must match stored ones; pairs not stored become required
        // (authenticated only), as the material-providers library does.
        var context = request.encryptionContext
        var required: [String] = []
        for (key, value) in request.reproducedEncryptionContext.isEmpty ? [] : request.reproducedEncryptionContext.sorted(by: { $0.key < $1.key }) {
            if let stored = context[key] {
                // Byte for byte: a canonically equivalent but different value is another value.
                guard stored.utf8.elementsEqual(value.utf8) else {
                    throw EnvelopeError(.encryptionContextMismatch, "The message's encryption context has a different value for \"\(UntrustedText.escaped(key))\" than the one you supplied. Check that you are decrypting the right message with the right context.")
                }
            } else {
                context[key] = value
                required.append(key)
            }
        }
        var verificationKey: ECDSAPublicKey? = nil
        if let curve = request.suite.signatureCurve {
            guard let encoded = context[publicKeyEncryptionContextKey] else {
                throw EnvelopeError.malformed("a signed message (\(request.suite.name)) has no \"\(publicKeyEncryptionContextKey)\" in its encryption context")
            }
            guard let point = Data(base64Encoded: encoded), let key = try? ECDSAPublicKey(point: Array(point), curve: curve) else {
                throw EnvelopeError.malformed("the \"\(publicKeyEncryptionContextKey)\" value is not a base64 \(curve) point")
            }
            verificationKey = key
        } else if context[publicKeyEncryptionContextKey] != nil {
            throw EnvelopeError.malformed("an unsigned message (\(request.suite.name)) carries \"\(publicKeyEncryptionContextKey)\"")
        }
        let materials = DecryptionMaterials(suite: request.suite, encryptionContext: context,
                                            requiredEncryptionContextKeys: required, verificationKey: verificationKey)
        let result = try await keyring.onDecrypt(materials, encryptedDataKeys: request.encryptedDataKeys)
        guard let dataKey = result.plaintextDataKey, dataKey.count == request.suite.dataKeyLength else {
            throw EnvelopeError(.keyringFailure, "\(keyring) returned no data key of the right length for \(request.suite.name).")
        }
        // Spec: default-cmm.md — obtain only the plaintext data key from the keyring (and its
        // report of which encrypted data key it was).
        var out = consume materials
        out.plaintextDataKey = dataKey
        out.dataKeyOrigin = result.dataKeyOrigin
        return out
    }
}

enum CommitmentChecks {
    static func encryptRefused(_ suite: AlgorithmSuite, _ policy: CommitmentPolicy) -> EnvelopeError {
        EnvelopeError(.commitmentPolicyViolation, policy == .forbidEncryptAllowDecrypt
            ? "Suite \(suite.name) commits to its key, which the commitment policy \(policy.rawValue) forbids for encryption. Choose a non-committing suite or another policy."
            : "Suite \(suite.name) does not commit to its key; the commitment policy \(policy.rawValue) requires a committing suite (0x0478 or 0x0578) for encryption. Choose one of those or use forbid-encrypt-allow-decrypt.")
    }

    static func decryptRefused(_ suite: AlgorithmSuite, _ policy: CommitmentPolicy) -> EnvelopeError {
        EnvelopeError(.commitmentPolicyViolation, "The message uses \(suite.name), which does not commit to its key; the commitment policy \(policy.rawValue) refuses to decrypt it. Decrypt with require-encrypt-allow-decrypt if you trust the sender.")
    }
}
