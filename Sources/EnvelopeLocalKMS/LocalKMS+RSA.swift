import EnvelopeCrypto
import EnvelopeKMS

/// RSA key pairs for encryption (key spec `RSA_2048`/`RSA_3072`/`RSA_4096`, key usage
/// `ENCRYPT_DECRYPT`): GetPublicKey, Encrypt with the public key, Decrypt with the private key,
/// both with `RSAES_OAEP_SHA_1` or `RSAES_OAEP_SHA_256`, behind the same authorization as every
/// other operation. The ciphertext is the bare RSA-OAEP output, as AWS KMS returns it, so a
/// ciphertext made outside KMS with the public key decrypts too.
/// (https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html#key-spec-rsa)
extension LocalKMS {
    /// The key spec CreateKey asks for: nil for a symmetric encryption key, else an RSA spec.
    /// Key usages other than `ENCRYPT_DECRYPT` and other key specs are not modelled.
    static func createKeySpec(keySpec: String?, keyUsage: String?) throws -> KMSRSAKeySpec? {
        if let usage = keyUsage, usage != "ENCRYPT_DECRYPT" {
            throw LocalKMSErrors.validation("KeyUsage \(usage) is not supported by the local KMS; it creates ENCRYPT_DECRYPT keys (symmetric, or RSA_2048/RSA_3072/RSA_4096 key pairs)")
        }
        guard let keySpec, keySpec != "SYMMETRIC_DEFAULT" else { return nil }
        guard let spec = KMSRSAKeySpec(rawValue: keySpec) else {
            throw LocalKMSErrors.validation("KeySpec \(keySpec) is not supported by the local KMS; use SYMMETRIC_DEFAULT, RSA_2048, RSA_3072 or RSA_4096")
        }
        return spec
    }

    /// Fresh backing material: 32 random bytes, or an RSA private key (DER) and its public key.
    static func newKeyMaterial(_ spec: KMSRSAKeySpec?) throws -> (secret: SecureBytes, publicKey: [UInt8]?) {
        guard let spec else { return (try RandomBytes.secure(count: 32), nil) }
        let pair = try RSAPrivateKey(generatingBits: spec.bits)
        return (try pair.privateKeyDER(), try pair.publicKey.subjectPublicKeyInfo())
    }

    /// The RSA padding for `algorithm` on `key`, or nil for a symmetric key used with
    /// `SYMMETRIC_DEFAULT` (or no algorithm). Any other combination is AWS's
    /// InvalidKeyUsageException ("Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.").
    static func padding(for algorithm: KMSEncryptionAlgorithm?, on key: StoredKey) throws -> RSAPadding? {
        let requested = algorithm ?? .symmetricDefault
        guard let spec = key.rsaSpec else {
            try checkAlgorithm(algorithm)
            return nil
        }
        switch requested {
        case .rsaesOAEPSHA1: return .oaepSHA1
        case .rsaesOAEPSHA256: return .oaepSHA256
        default:
            throw KMSError(code: .invalidKeyUsage, message: "Algorithm \(requested) is incompatible with key spec \(spec.rawValue).")
        }
    }

    /// Operations that only symmetric encryption keys have (GenerateDataKey*, ReEncrypt here).
    static func requireSymmetric(_ key: StoredKey, operation: KMSOperationName) throws {
        guard let spec = key.rsaSpec else { return }
        throw KMSError(code: .invalidKeyUsage, message: "\(key.arn) has key spec \(spec.rawValue); \(operation.rawValue) needs a symmetric encryption KMS key (SYMMETRIC_DEFAULT).")
    }

    /// An encryption context only goes with symmetric encryption keys (API_Encrypt.html, "EncryptionContext").
    static func checkNoContext(_ context: [String: String], on key: StoredKey) throws {
        guard !context.isEmpty, let spec = key.rsaSpec else { return }
        throw LocalKMSErrors.validation("EncryptionContext is supported only with symmetric encryption KMS keys; \(key.arn) has key spec \(spec.rawValue). Send no encryption context.")
    }

    /// Whether an identifier names an RSA key pair for `caller` (resolution errors are left to the
    /// symmetric path, which reports them as before).
    func keyPair(named identifier: KMSKeyIdentifier?, for caller: LocalKMSCaller) -> StoredKey? {
        guard let identifier, let key = try? resolve(identifier, for: caller), key.rsaSpec != nil else { return nil }
        return key
    }

    /// `Encrypt` under an RSA key pair: RSA-OAEP with its public key.
    func encryptWithKeyPair(_ request: EncryptRequest, key: StoredKey, caller: LocalKMSCaller) throws -> EncryptResponse {
        try checkGrantTokens(request.grantTokens)
        try authorize(caller, .encrypt, on: key, encryptionContext: request.encryptionContext,
                      requestKeys: LocalKMS.cryptoRequestKeys(request.keyId, request.encryptionAlgorithm), grantOperation: .encrypt)
        try checkUsable(key)
        guard let padding = try LocalKMS.padding(for: request.encryptionAlgorithm, on: key), let spec = key.rsaSpec,
              let hash = padding.oaepHash else { throw LocalKMSErrors.invalidCiphertext }
        try LocalKMS.checkNoContext(request.encryptionContext, on: key)
        // RFC 8017 7.1.1: at most k - 2·hLen - 2 bytes (e.g. 190 for RSA_2048 with SHA-256).
        let limit = spec.bits / 8 - 2 * hash.digestLength - 2
        guard request.plaintext.count <= limit else {
            throw LocalKMSErrors.validation("The plaintext is \(request.plaintext.count) bytes; \(spec.rawValue) with \(request.encryptionAlgorithm ?? .symmetricDefault) encrypts at most \(limit) bytes.")
        }
        if request.dryRun { throw LocalKMSErrors.dryRun }
        let publicKey = try RSAPublicKey(subjectPublicKeyInfo: key.publicKey ?? [])
        return EncryptResponse(ciphertextBlob: try publicKey.encrypt(request.plaintext, padding: padding), keyId: key.arn,
                               encryptionAlgorithm: request.encryptionAlgorithm)
    }

    /// `Decrypt` under an RSA key pair: RSA-OAEP with its private key; any failure is
    /// InvalidCiphertextException, whatever was wrong (wrong algorithm, another key, tampering).
    func decryptWithKeyPair(_ request: DecryptRequest, key: StoredKey, caller: LocalKMSCaller) throws -> DecryptResponse {
        try checkGrantTokens(request.grantTokens)
        try authorize(caller, .decrypt, on: key, encryptionContext: request.encryptionContext,
                      requestKeys: LocalKMS.cryptoRequestKeys(request.keyId, request.encryptionAlgorithm), grantOperation: .decrypt)
        try checkUsable(key)
        guard let padding = try LocalKMS.padding(for: request.encryptionAlgorithm, on: key) else { throw LocalKMSErrors.invalidCiphertext }
        try LocalKMS.checkNoContext(request.encryptionContext, on: key)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        let privateKey = try RSAPrivateKey(der: try unwrap(key.material, purpose: LocalKMS.materialPurpose(key.arn)))
        let plaintext: SecureBytes
        do { plaintext = try privateKey.decrypt(request.ciphertextBlob, padding: padding) } catch {
            throw LocalKMSErrors.invalidCiphertext
        }
        return DecryptResponse(keyId: key.arn, plaintext: plaintext, encryptionAlgorithm: request.encryptionAlgorithm)
    }

    /// `GetPublicKey` as `caller` (kms:GetPublicKey; works cross-account with a key ARN or alias
    /// ARN when the key policy allows it). A symmetric key has no public key: UnsupportedOperationException.
    public func getPublicKey(_ request: GetPublicKeyRequest, caller: LocalKMSCaller) throws -> GetPublicKeyResponse {
        try refresh()
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .getPublicKey, on: key, requestKeys: LocalKMS.requestKeys(naming: request.keyId), grantOperation: .getPublicKey)
        try checkUsable(key)
        guard let spec = key.rsaSpec, let publicKey = key.publicKey else {
            throw KMSError(code: .unsupportedOperation, message: "\(key.arn) is a symmetric encryption KMS key (SYMMETRIC_DEFAULT); GetPublicKey needs an asymmetric KMS key.")
        }
        return GetPublicKeyResponse(keyId: key.arn, publicKey: publicKey, keySpec: spec.rawValue, encryptionAlgorithms: key.encryptionAlgorithms)
    }
}
