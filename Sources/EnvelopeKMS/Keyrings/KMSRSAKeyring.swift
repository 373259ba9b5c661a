import EnvelopeCore
import EnvelopeCrypto

/// The provider ID of the encrypted data keys of ``KMSRSAKeyring``.
/// Spec: framework/aws-kms/aws-kms-rsa-keyring.md ("OnEncrypt") — key provider id "aws-kms-rsa".
public let awsKMSRSAProviderID = "aws-kms-rsa"

/// A keyring over an asymmetric KMS key (an RSA key pair with key usage `ENCRYPT_DECRYPT`):
/// encrypts locally with the public key, so encrypting needs no KMS call and no KMS permission,
/// and decrypts through KMS `Decrypt` with `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`.
///
/// Spec: framework/aws-kms/aws-kms-rsa-keyring.md. The RSA plaintext is the SHA-384 digest of the
/// serialized encryption context followed by the data key (KMS RSA keys take no encryption
/// context, so the digest binds it); decrypting compares the digest in constant time. Only
/// suites without a message signature are accepted: anyone holding the public key could
/// otherwise produce a validly signed message with another encryption context (test-vector spec
/// `aws-kms-rsa-keyring` vectors: "does not support asymmetric signing").
///
/// Encrypted data keys record the configured key ARN. Build from a key ARN with the public key
/// (PEM from `GetPublicKey`, or any copy of it) synchronously, or with
/// ``resolving(_:encryptionAlgorithm:transport:grantTokens:)``, which calls `GetPublicKey` once
/// and accepts a key ARN or alias ARN (another account's key too) and, for the caller's own
/// account, a key ID or alias name.
public struct KMSRSAKeyring: Keyring, CustomStringConvertible {
    /// The RSA key pair's key ARN, stored in every encrypted data key and used for Decrypt.
    public let keyARN: KMSKeyARN
    /// `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`.
    public let encryptionAlgorithm: KMSEncryptionAlgorithm
    /// The public key that wraps data keys; nil for a decrypt-only keyring.
    public let publicKey: RSAPublicKey?
    /// Grant tokens sent with every Decrypt.
    public let grantTokens: [String]
    /// See ``KMSStrictDecryptionKeyring/maxFailedDecryptAttempts`` (default 10).
    public var maxFailedDecryptAttempts = kmsDefaultMaxFailedDecryptAttempts
    private let transport: (any KMSTransport)?
    private let padding: RSAPadding

    /// Creates a keyring.
    /// - Parameters:
    ///   - keyARN: the RSA key pair's key ARN (the spec refuses aliases here; use
    ///     ``resolving(_:encryptionAlgorithm:transport:grantTokens:)`` to start from one).
    ///   - encryptionAlgorithm: `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`; must be one the key supports.
    ///   - publicKey: the key pair's public key (at least 2048 bits), needed to encrypt.
    ///   - transport: calls KMS in the key's Region, needed to decrypt.
    ///   - grantTokens: sent with every Decrypt (at most 10).
    public init(keyARN: KMSKeyARN, encryptionAlgorithm: KMSEncryptionAlgorithm, publicKey: RSAPublicKey?,
                transport: (any KMSTransport)?, grantTokens: [String] = []) throws {
        switch encryptionAlgorithm {
        case .rsaesOAEPSHA1: padding = .oaepSHA1
        case .rsaesOAEPSHA256: padding = .oaepSHA256
        default:
            throw EnvelopeError(.invalidArgument, "The KMS RSA keyring takes the encryption algorithm RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256, not \(encryptionAlgorithm). Use the one the key pair was used with.")
        }
        guard publicKey != nil || transport != nil else {
            throw EnvelopeError(.invalidArgument, "A KMS RSA keyring needs the public key (to encrypt), a KMS transport (to decrypt), or both.")
        }
        // Spec: "the Public Key MUST have an RSA modulus bit length greater than or equal to 2048".
        if let bits = publicKey?.bits, bits < RawRSAKeyring.minimumKeyBits {
            throw EnvelopeError(.invalidArgument, "The public key has \(bits) bits; the KMS RSA keyring needs at least \(RawRSAKeyring.minimumKeyBits) (the 48-byte context digest and the data key must fit). KMS RSA keys are RSA_2048, RSA_3072 or RSA_4096.")
        }
        if let transport, transport.region != keyARN.region {
            throw EnvelopeKMSKeyringErrors.regionMismatch(.keyARN(keyARN), keyRegion: keyARN.region, transportRegion: transport.region, role: "RSA")
        }
        guard grantTokens.count <= 10 else {
            throw EnvelopeError(.invalidArgument, "KMS accepts at most 10 grant tokens per request; \(grantTokens.count) were given.")
        }
        self.keyARN = keyARN
        self.encryptionAlgorithm = encryptionAlgorithm
        self.publicKey = publicKey
        self.transport = transport
        self.grantTokens = grantTokens
    }

    /// Builds a keyring that encrypts and decrypts, fetching the public key with one `GetPublicKey`
    /// call (needs `kms:GetPublicKey`). The answer names the key ARN, so `identifier` may be an
    /// alias ARN (own account or another) or, in the caller's own account, a key ID or alias name.
    /// Refuses a key that is not an RSA key pair for encryption or does not support `encryptionAlgorithm`.
    /// - Parameters:
    ///   - identifier: the key, as KMS accepts it for GetPublicKey.
    ///   - encryptionAlgorithm: `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`.
    ///   - transport: calls KMS in the key's Region.
    ///   - grantTokens: sent with GetPublicKey and every Decrypt (at most 10).
    public static func resolving(_ identifier: KMSKeyIdentifier, encryptionAlgorithm: KMSEncryptionAlgorithm,
                                 transport: any KMSTransport, grantTokens: [String] = []) async throws -> KMSRSAKeyring {
        if let region = identifier.arnRegion, region != transport.region {
            throw EnvelopeKMSKeyringErrors.regionMismatch(identifier, keyRegion: region, transportRegion: transport.region, role: "RSA")
        }
        let response: GetPublicKeyResponse
        do {
            response = try await transport.getPublicKey(GetPublicKeyRequest(keyId: identifier, grantTokens: grantTokens))
        } catch {
            let failure = EnvelopeKMSKeyringErrors.callFailed(error, key: identifier, action: .getPublicKey)
            throw EnvelopeError(.keyringFailure, "The KMS RSA keyring could not get the public key of \(identifier): \(failure). Check that the caller may use kms:GetPublicKey on the key (key policy and, for another account's key, the caller's IAM policy).",
                                causes: [failure])
        }
        guard response.keyUsage == "ENCRYPT_DECRYPT", response.encryptionAlgorithms.contains(encryptionAlgorithm) else {
            throw EnvelopeError(.invalidArgument, "\(response.keyId) (key spec \(response.keySpec), key usage \(response.keyUsage)) does not support \(encryptionAlgorithm); the KMS RSA keyring needs an RSA key pair with key usage ENCRYPT_DECRYPT. Its algorithms: \(response.encryptionAlgorithms.map(\.rawValue).joined(separator: ", ")).")
        }
        let publicKey: RSAPublicKey
        do { publicKey = try RSAPublicKey(subjectPublicKeyInfo: response.publicKey) } catch {
            throw EnvelopeError(.invalidArgument, "GetPublicKey for \(response.keyId) returned a public key that is not an RSA SubjectPublicKeyInfo.", causes: [error])
        }
        return try KMSRSAKeyring(keyARN: response.keyId, encryptionAlgorithm: encryptionAlgorithm, publicKey: publicKey,
                                 transport: transport, grantTokens: grantTokens)
    }

    /// `KMS RSA keyring(ARN, ALGORITHM)`.
    public var description: String { "KMS RSA keyring(\(keyARN), \(encryptionAlgorithm))" }

    /// Spec: the encryption context digest — SHA-384 of the serialized encryption context.
    static func contextDigest(_ context: EncryptionContext) throws -> [UInt8] {
        try HashFunction.sha384.digest(try context.serialized())
    }

    private func refuseSignedSuite(_ suite: AlgorithmSuite) throws {
        guard suite.isSigned else { return }
        throw EnvelopeError(.signedSuiteRefused, "\(description) cannot be used with \(suite.name), a suite with a message signature: whoever holds the public key could sign a message with another encryption context. Choose a suite without signing (e.g. AES_256_GCM_HKDF_SHA512_COMMIT_KEY, 0x0478).")
    }

    /// Generates a data key when there is none, and wraps it with the public key (no KMS call).
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        try refuseSignedSuite(materials.suite)
        guard let publicKey else {
            throw EnvelopeError(.keyringFailure, "\(description) has no public key, so it cannot encrypt. Give it the public key, or build it with KMSRSAKeyring.resolving(…), which fetches it.")
        }
        var result = materials
        let dataKey: SecureBytes
        if let existing = materials.plaintextDataKey { dataKey = existing } else {
            do { dataKey = try RandomBytes.secure(count: materials.suite.dataKeyLength) } catch {
                throw EnvelopeError(.cryptoFailure, "Generating a data key failed in the crypto library. Retry; if it persists, report it.", causes: [error])
            }
            result.plaintextDataKey = dataKey
        }
        let ciphertext: [UInt8]
        do {
            // Spec: the RSA plaintext is the encryption context digest ‖ the plaintext data key.
            let digest = try Self.contextDigest(materials.encryptionContext)
            let input = try SecureBytes(count: digest.count + dataKey.count) { out in
                digest.withUnsafeBytes { out.copyMemory(from: $0) }
                dataKey.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[digest.count...]).copyMemory(from: $0) }
            }
            ciphertext = try publicKey.encrypt(input, padding: padding)
        } catch let error as EnvelopeError {
            throw error
        } catch {
            throw EnvelopeError(.cryptoFailure, "\(description) could not encrypt the data key with the RSA public key.", causes: [error])
        }
        result.encryptedDataKeys.append(EncryptedDataKey(providerID: awsKMSRSAProviderID, providerInfo: Array(keyARN.description.utf8),
                                                         ciphertext: ciphertext))
        return result
    }

    /// Decrypts the first `aws-kms-rsa` encrypted data key of the configured key (or a
    /// multi-Region replica of it) through KMS Decrypt; reports every key otherwise.
    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try refuseSignedSuite(materials.suite)
        guard let transport else {
            throw EnvelopeError(.keyringFailure, "\(description) has no KMS transport, so it cannot decrypt. Give it a transport for \(keyARN.region).")
        }
        let digest: [UInt8]
        do { digest = try Self.contextDigest(materials.encryptionContext) } catch let error as EnvelopeError { throw error } catch {
            throw EnvelopeError(.cryptoFailure, "\(description) could not hash the encryption context.", causes: [error])
        }
        let configured = keyARN
        let scheme = KMSDecryptAttempts.Scheme(providerID: awsKMSRSAProviderID, encryptionAlgorithm: encryptionAlgorithm, contextDigest: digest)
        return try await KMSDecryptAttempts.run(materials: materials, encryptedDataKeys: encryptedDataKeys, keyring: description,
                                                transport: transport, grantTokens: grantTokens, notes: [],
                                                maxFailedAttempts: maxFailedDecryptAttempts, scheme: scheme) { stored in
            // Spec: AWS KMS MRK Match for Decrypt with the configured key; KeyId = the configured key.
            KMSMultiRegionKeys.matchForDecrypt(configured, stored) ? .attempt(configured) : .skip("not the configured key \(configured)")
        }
    }
}
