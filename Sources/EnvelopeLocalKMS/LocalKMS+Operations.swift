import EnvelopeCrypto
import EnvelopeKMS

extension LocalKMS {
    static func dataKeyLength(numberOfBytes: Int?, keySpec: KMSDataKeySpec?) throws -> Int {
        switch (numberOfBytes, keySpec) {
        case (nil, nil):
            throw LocalKMSErrors.validation("Please specify either number of bytes or key spec.")
        case (.some, .some):
            throw LocalKMSErrors.validation("Please specify either number of bytes or key spec, not both.")
        case (.some(let n), nil):
            guard (1...1024).contains(n) else {
                throw LocalKMSErrors.validation("1 validation error detected: Value '\(n)' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024")
            }
            return n
        case (nil, .some(let spec)):
            guard let n = spec.byteCount else {
                throw LocalKMSErrors.validation("1 validation error detected: Value '\(spec)' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")
            }
            return n
        }
    }

    /// The request keys of a symmetric cryptographic operation: `kms:RequestAlias` and
    /// `kms:EncryptionAlgorithm` (SYMMETRIC_DEFAULT when the request names none; conditions-kms.html#conditions-kms-encryption-algorithm).
    public static func cryptoRequestKeys(_ identifier: KMSKeyIdentifier?, _ algorithm: KMSEncryptionAlgorithm?) -> [String: [String]] {
        var keys = requestKeys(naming: identifier)
        keys["kms:EncryptionAlgorithm"] = [(algorithm ?? .symmetricDefault).rawValue]
        return keys
    }

    static func checkAlgorithm(_ algorithm: KMSEncryptionAlgorithm?) throws {
        if let algorithm, algorithm != .symmetricDefault {
            throw KMSError(code: .invalidKeyUsage, message: "The encryption algorithm \(algorithm) is not supported by a symmetric encryption key; use SYMMETRIC_DEFAULT.")
        }
    }

    /// `GenerateDataKey` as `caller`.
    public func generateDataKey(_ request: GenerateDataKeyRequest, caller: LocalKMSCaller) throws -> GenerateDataKeyResponse {
        try refresh()
        let length = try LocalKMS.dataKeyLength(numberOfBytes: request.numberOfBytes, keySpec: request.keySpec)
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .generateDataKey, on: key, encryptionContext: request.encryptionContext,
                      requestKeys: LocalKMS.requestKeys(naming: request.keyId), grantOperation: .generateDataKey)
        try checkUsable(key)
        try LocalKMS.requireSymmetric(key, operation: .generateDataKey)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        let plaintext = try RandomBytes.secure(count: length)
        let blob = try seal(plaintext, under: key, context: request.encryptionContext)
        return GenerateDataKeyResponse(ciphertextBlob: blob, plaintext: plaintext, keyId: key.arn)
    }

    /// `GenerateDataKeyWithoutPlaintext` as `caller`.
    public func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest, caller: LocalKMSCaller) throws -> GenerateDataKeyWithoutPlaintextResponse {
        try refresh()
        let length = try LocalKMS.dataKeyLength(numberOfBytes: request.numberOfBytes, keySpec: request.keySpec)
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .generateDataKeyWithoutPlaintext, on: key, encryptionContext: request.encryptionContext,
                      requestKeys: LocalKMS.requestKeys(naming: request.keyId), grantOperation: .generateDataKeyWithoutPlaintext)
        try checkUsable(key)
        try LocalKMS.requireSymmetric(key, operation: .generateDataKeyWithoutPlaintext)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        let plaintext = try RandomBytes.secure(count: length)
        return GenerateDataKeyWithoutPlaintextResponse(ciphertextBlob: try seal(plaintext, under: key, context: request.encryptionContext), keyId: key.arn)
    }

    /// `Encrypt` as `caller`: under a symmetric key, or with `EncryptionAlgorithm` RSA-OAEP under an RSA key pair.
    public func encrypt(_ request: EncryptRequest, caller: LocalKMSCaller) throws -> EncryptResponse {
        try refresh()
        if let key = keyPair(named: request.keyId, for: caller) { return try encryptWithKeyPair(request, key: key, caller: caller) }
        guard (1...4096).contains(request.plaintext.count) else {
            throw LocalKMSErrors.validation("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096")
        }
        try LocalKMS.checkAlgorithm(request.encryptionAlgorithm)
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .encrypt, on: key, encryptionContext: request.encryptionContext,
                      requestKeys: LocalKMS.cryptoRequestKeys(request.keyId, request.encryptionAlgorithm), grantOperation: .encrypt)
        try checkUsable(key)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        return EncryptResponse(ciphertextBlob: try seal(request.plaintext, under: key, context: request.encryptionContext), keyId: key.arn)
    }

    /// Parses a blob and finds its key, checking it against the key the caller named.
    func keyForCiphertext(_ blob: [UInt8], named identifier: KMSKeyIdentifier?, caller: LocalKMSCaller) throws -> (LocalKMSCiphertext, StoredKey) {
        guard let parsed = LocalKMSCiphertext(blob: blob) else { throw LocalKMSErrors.invalidCiphertext }
        if let identifier {
            let named = try resolve(identifier, for: caller)
            // A multi-Region key decrypts the ciphertexts of its related keys in other Regions.
            guard KMSMultiRegionKeys.matchForDecrypt(named.arn, parsed.keyARN) else { throw LocalKMSErrors.incorrectKey(requested: named.arn) }
            return (parsed, named)
        }
        // Without a KeyId, KMS finds the key from the ciphertext in the Region of the request only:
        // a ciphertext of another Region's key, or of a key that does not exist, is answered like
        // a key the caller may not use.
        // A multi-Region key's ciphertext is decrypted by its replica in the request's Region.
        guard let key = relatedKey(parsed.keyARN, in: caller.region) else { throw LocalKMSErrors.ciphertextKeyUnavailable }
        return (parsed, key)
    }

    /// `Decrypt` as `caller`: a symmetric key's ciphertext blob, or with `EncryptionAlgorithm` an
    /// RSA key pair's RSA-OAEP ciphertext (then `KeyId` is required).
    public func decrypt(_ request: DecryptRequest, caller: LocalKMSCaller) throws -> DecryptResponse {
        try refresh()
        // A ciphertext of an RSA key pair carries no key: it decrypts only when KeyId names the key (API_Decrypt.html).
        if let key = keyPair(named: request.keyId, for: caller) { return try decryptWithKeyPair(request, key: key, caller: caller) }
        if request.keyId == nil, let algorithm = request.encryptionAlgorithm, KMSEncryptionAlgorithm.rsaAlgorithms.contains(algorithm) {
            throw LocalKMSErrors.validation("KeyId is required with EncryptionAlgorithm \(algorithm): the ciphertext of an asymmetric KMS key does not name its key. Name the key pair by key ARN.")
        }
        try LocalKMS.checkAlgorithm(request.encryptionAlgorithm)
        try checkGrantTokens(request.grantTokens)
        let (parsed, key) = try keyForCiphertext(request.ciphertextBlob, named: request.keyId, caller: caller)
        try authorize(caller, .decrypt, on: key, encryptionContext: request.encryptionContext,
                      requestKeys: LocalKMS.cryptoRequestKeys(request.keyId, request.encryptionAlgorithm), grantOperation: .decrypt)
        try checkUsable(key)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        let plaintext = try open(parsed, under: key, context: request.encryptionContext)
        return DecryptResponse(keyId: key.arn, plaintext: plaintext)
    }

    /// `ReEncrypt` as `caller`: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination.
    public func reEncrypt(_ request: ReEncryptRequest, caller: LocalKMSCaller) throws -> ReEncryptResponse {
        try refresh()
        try checkGrantTokens(request.grantTokens)
        let (parsed, source) = try keyForCiphertext(request.ciphertextBlob, named: request.sourceKeyId, caller: caller)
        let destination = try resolve(request.destinationKeyId, for: caller)
        try authorize(caller, .reEncryptFrom, on: source, encryptionContext: request.sourceEncryptionContext,
                      requestKeys: LocalKMS.cryptoRequestKeys(request.sourceKeyId, nil), grantOperation: .reEncryptFrom)
        try authorize(caller, .reEncryptTo, on: destination, encryptionContext: request.destinationEncryptionContext,
                      requestKeys: LocalKMS.cryptoRequestKeys(request.destinationKeyId, nil), grantOperation: .reEncryptTo)
        try checkUsable(source)
        try checkUsable(destination)
        try LocalKMS.requireSymmetric(source, operation: .reEncrypt)
        try LocalKMS.requireSymmetric(destination, operation: .reEncrypt)
        if request.dryRun { throw LocalKMSErrors.dryRun }
        let plaintext = try open(parsed, under: source, context: request.sourceEncryptionContext)
        let blob = try seal(plaintext, under: destination, context: request.destinationEncryptionContext)
        return ReEncryptResponse(ciphertextBlob: blob, sourceKeyId: source.arn, keyId: destination.arn)
    }

    /// `DescribeKey` as `caller` (works in every key state).
    public func describeKey(_ request: DescribeKeyRequest, caller: LocalKMSCaller) throws -> DescribeKeyResponse {
        try refresh()
        try checkGrantTokens(request.grantTokens)
        let key = try resolve(request.keyId, for: caller)
        try authorize(caller, .describeKey, on: key, requestKeys: LocalKMS.requestKeys(naming: request.keyId), grantOperation: .describeKey)
        return DescribeKeyResponse(keyMetadata: key.metadata)
    }
}
