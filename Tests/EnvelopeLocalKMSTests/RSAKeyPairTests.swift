import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import Testing

/// RSA key pairs for encryption in the local KMS (CreateKey KeySpec RSA_*, GetPublicKey, Encrypt
/// and Decrypt with RSAES_OAEP_SHA_1/256), and the same authorization as every other operation.
@Suite("Local KMS: RSA key pairs")
struct RSAKeyPairTests {
    static let owner = CrossAccountStory.ownerRoot

    /// https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html#key-spec-rsa —
    /// RSA_2048/3072/4096 with ENCRYPT_DECRYPT support RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256;
    /// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html — the public key is a
    /// DER SubjectPublicKeyInfo, with KeySpec, KeyUsage and EncryptionAlgorithms.
    @Test("CreateKey RSA_2048/3072/4096: DescribeKey and GetPublicKey show spec, usage, algorithms; the DER key has the spec's size",
          arguments: KMSRSAKeySpec.allCases)
    func createAndDescribe(_ spec: KMSRSAKeySpec) async throws {
        let kms = try LocalKMS()
        let created = try await kms.createKey(account: CrossAccountStory.owner, keySpec: spec)
        #expect(created.keySpec == spec.rawValue)
        #expect(created.keyUsage == "ENCRYPT_DECRYPT")
        #expect(created.encryptionAlgorithms == [.rsaesOAEPSHA1, .rsaesOAEPSHA256])
        let client = kms.client(principal: Self.owner)
        let described = try await client.describeKey(DescribeKeyRequest(keyId: .keyARN(created.arn))).keyMetadata
        #expect(described.keySpec == spec.rawValue && described.encryptionAlgorithms == KMSEncryptionAlgorithm.rsaAlgorithms)
        let answer = try await client.getPublicKey(GetPublicKeyRequest(keyId: .keyARN(created.arn)))
        #expect(answer.keyId == created.arn)
        #expect(answer.keySpec == spec.rawValue && answer.keyUsage == "ENCRYPT_DECRYPT")
        #expect(answer.encryptionAlgorithms == KMSEncryptionAlgorithm.rsaAlgorithms)
        #expect(try RSAPublicKey(subjectPublicKeyInfo: answer.publicKey).bits == spec.bits)
        // The wire form: base64 DER, KeySpec also as the deprecated CustomerMasterKeySpec.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(answer)) as? [String: Any]
        #expect(json?["PublicKey"] as? String == Data(answer.publicKey).base64EncodedString())
        #expect(json?["CustomerMasterKeySpec"] as? String == spec.rawValue)
    }

    /// A ciphertext made outside KMS with the public key decrypts with Decrypt and the same
    /// algorithm (API_Decrypt.html: "also decrypts ciphertext that was encrypted outside of AWS KMS
    /// by the public key in an AWS KMS asymmetric KMS key").
    @Test("Encrypt in KMS or locally with the public key; Decrypt with KeyId and the algorithm", arguments: KMSEncryptionAlgorithm.rsaAlgorithms)
    func encryptDecrypt(_ algorithm: KMSEncryptionAlgorithm) async throws {
        let story = try await RSAKeyPairStory.make()
        let client = story.client(Self.owner)
        let secret = try SecureBytes(copying: Array(0..<48))
        let inKMS = try await client.encrypt(EncryptRequest(keyId: .aliasARN(story.aliasARN), plaintext: secret, encryptionAlgorithm: algorithm))
        #expect(inKMS.keyId == story.key && inKMS.encryptionAlgorithm == algorithm)
        #expect(inKMS.ciphertextBlob.count == 256, "the bare RSA-OAEP output of a 2048-bit key")
        let publicKey = try RSAPublicKey(subjectPublicKeyInfo: try await client.getPublicKey(GetPublicKeyRequest(keyId: .keyARN(story.key))).publicKey)
        let outside = try publicKey.encrypt(secret, padding: algorithm == .rsaesOAEPSHA1 ? .oaepSHA1 : .oaepSHA256)
        for blob in [inKMS.ciphertextBlob, outside] {
            let decrypted = try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionAlgorithm: algorithm))
            #expect(decrypted.plaintext == secret)
            #expect(decrypted.keyId == story.key && decrypted.encryptionAlgorithm == algorithm)
        }
    }

    /// https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html — EncryptionAlgorithm is
    /// required for an asymmetric key (the default SYMMETRIC_DEFAULT is incompatible), a different
    /// algorithm than at encryption fails; InvalidKeyUsageException ("The encryption algorithm …
    /// is incompatible with the type of key material", with AWS's wording "Algorithm SYMMETRIC_DEFAULT
    /// is incompatible with key spec RSA_4096." as reported in
    /// https://github.com/zalando/spring-cloud-config-aws-kms/issues/82).
    @Test("errors: no or symmetric algorithm, wrong OAEP hash, tampered ciphertext, GenerateDataKey, ReEncrypt, context, size, GetPublicKey of a symmetric key")
    func errors() async throws {
        let story = try await RSAKeyPairStory.make()
        let client = story.client(Self.owner)
        let key = KMSKeyIdentifier.keyARN(story.key)
        let secret = try SecureBytes(copying: Array(repeating: 7, count: 32))
        let blob = try await client.encrypt(EncryptRequest(keyId: key, plaintext: secret, encryptionAlgorithm: .rsaesOAEPSHA256)).ciphertextBlob

        let missing = try await #require(throws: KMSError.self) { try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: key)) }
        #expect(missing.code == .invalidKeyUsage)
        #expect(missing.message == "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")
        await expectCode(.invalidKeyUsage) { try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: key, encryptionAlgorithm: .symmetricDefault)) }
        await expectCode(.invalidKeyUsage) { try await client.encrypt(EncryptRequest(keyId: key, plaintext: secret)) }
        await expectCode(.invalidCiphertext) { try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: key, encryptionAlgorithm: .rsaesOAEPSHA1)) }
        var tampered = blob
        tampered[100] ^= 0x01
        await expectCode(.invalidCiphertext) { try await client.decrypt(DecryptRequest(ciphertextBlob: tampered, keyId: key, encryptionAlgorithm: .rsaesOAEPSHA256)) }
        // Without KeyId nothing names the key of a bare RSA ciphertext.
        await expectCode(.validation) { try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: nil, encryptionAlgorithm: .rsaesOAEPSHA256)) }
        // https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html — "To generate a data key, specify the symmetric encryption KMS key".
        await expectCode(.invalidKeyUsage) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: key, keySpec: .aes256)) }
        await expectCode(.invalidKeyUsage) { try await client.generateDataKeyWithoutPlaintext(GenerateDataKeyWithoutPlaintextRequest(keyId: key, keySpec: .aes256)) }
        let symmetric = try await story.kms.createKey(account: CrossAccountStory.owner)
        await expectCode(.invalidKeyUsage) {
            let sealed = try await client.encrypt(EncryptRequest(keyId: .keyARN(symmetric.arn), plaintext: secret))
            return try await client.reEncrypt(ReEncryptRequest(ciphertextBlob: sealed.ciphertextBlob, sourceKeyId: .keyARN(symmetric.arn), destinationKeyId: key))
        }
        // API_Encrypt.html: "An encryption context is supported only on operations with symmetric encryption KMS keys."
        await expectCode(.validation) { try await client.encrypt(EncryptRequest(keyId: key, plaintext: secret, encryptionContext: ["a": "b"], encryptionAlgorithm: .rsaesOAEPSHA256)) }
        // RFC 8017 7.1.1: RSA_2048 with SHA-256 OAEP takes at most 256 - 2·32 - 2 = 190 bytes.
        await expectCode(.validation) { try await client.encrypt(EncryptRequest(keyId: key, plaintext: try SecureBytes(copying: [UInt8](repeating: 1, count: 191)), encryptionAlgorithm: .rsaesOAEPSHA256)) }
        _ = try await client.encrypt(EncryptRequest(keyId: key, plaintext: try SecureBytes(copying: [UInt8](repeating: 1, count: 190)), encryptionAlgorithm: .rsaesOAEPSHA256))
        // A symmetric key has no public key: UnsupportedOperationException (API_GetPublicKey.html, Errors).
        await expectCode(.unsupportedOperation) { try await client.getPublicKey(GetPublicKeyRequest(keyId: .keyARN(symmetric.arn))) }
        // A symmetric key still refuses the RSA algorithms.
        await expectCode(.invalidKeyUsage) { try await client.encrypt(EncryptRequest(keyId: .keyARN(symmetric.arn), plaintext: secret, encryptionAlgorithm: .rsaesOAEPSHA256)) }
        // Only ENCRYPT_DECRYPT key pairs are modelled.
        await expectCode(.validation) {
            try await story.kms.createKey(CreateKeyRequest(keyUsage: "SIGN_VERIFY", keySpec: "RSA_2048"), caller: LocalKMSCaller(principal: Self.owner, region: CrossAccountStory.region))
        }
    }

    /// The cross-account story with an asymmetric key: the key policy lets the other account use
    /// kms:GetPublicKey and kms:Decrypt, its administrator delegates them to ExternalUser; a principal
    /// needs both the key policy and its IAM policy (POLICY-FACTS 1, 2), Encrypt is not granted.
    @Test("cross-account: ExternalUser may GetPublicKey and Decrypt by key or alias ARN; Encrypt, Bob and a third account are denied")
    func crossAccount() async throws {
        let story = try await RSAKeyPairStory.make()
        let external = story.client(CrossAccountStory.externalUser)
        let answer = try await external.getPublicKey(GetPublicKeyRequest(keyId: .aliasARN(story.aliasARN)))
        #expect(answer.keyId == story.key)
        let secret = try SecureBytes(copying: Array(repeating: 9, count: 80))
        let blob = try RSAPublicKey(subjectPublicKeyInfo: answer.publicKey).encrypt(secret, padding: .oaepSHA256)
        let decrypted = try await external.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA256))
        #expect(decrypted.plaintext == secret)

        await expectCode(.accessDenied) {
            try await external.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: secret, encryptionAlgorithm: .rsaesOAEPSHA256))
        }
        await expectAccessDenied(CrossAccountStory.bob, .getPublicKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.bob).getPublicKey(GetPublicKeyRequest(keyId: .keyARN(story.key)))
        }
        await expectAccessDenied(CrossAccountStory.bob, .decrypt, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.bob).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA256))
        }
        await expectCode(.accessDenied) {
            try await story.client(CrossAccountStory.thirdUser).getPublicKey(GetPublicKeyRequest(keyId: .keyARN(story.key)))
        }
        // A bare key ID resolves in the caller's own account, where there is no such key.
        await expectCode(.notFound) { try await external.getPublicKey(GetPublicKeyRequest(keyId: .keyID(story.key.keyID))) }
    }

    /// A grant adds kms:GetPublicKey / kms:Decrypt for a principal no policy allows (grants.html,
    /// "Grant operations": GetPublicKey is a grant operation of asymmetric keys).
    @Test("a grant for GetPublicKey and Decrypt lets Bob use the key pair")
    func grant() async throws {
        let story = try await RSAKeyPairStory.make()
        _ = try await story.kms.createGrant(CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: CrossAccountStory.bob.description,
                                                               operations: [.getPublicKey, .decrypt]),
                                           caller: LocalKMSCaller(principal: Self.owner, region: CrossAccountStory.region))
        let bob = story.client(CrossAccountStory.bob)
        let answer = try await bob.getPublicKey(GetPublicKeyRequest(keyId: .keyARN(story.key)))
        let secret = try SecureBytes(copying: [1, 2, 3])
        let blob = try RSAPublicKey(subjectPublicKeyInfo: answer.publicKey).encrypt(secret, padding: .oaepSHA1)
        #expect(try await bob.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionAlgorithm: .rsaesOAEPSHA1)).plaintext == secret)
    }

    @Test("the key pair persists: a reopened state directory decrypts, and state.json holds no private key in clear")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rsa-kms-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try LocalKMS(stateDirectory: directory)
        let created = try await first.createKey(account: CrossAccountStory.owner, keySpec: .rsa3072)
        let secret = try SecureBytes(copying: Array(repeating: 5, count: 64))
        let blob = try await first.client(principal: Self.owner).encrypt(EncryptRequest(keyId: .keyARN(created.arn), plaintext: secret, encryptionAlgorithm: .rsaesOAEPSHA1)).ciphertextBlob

        let reopened = try LocalKMS(stateDirectory: directory)
        #expect(try await reopened.keyMetadata(created.arn).keySpec == "RSA_3072")
        let decrypted = try await reopened.client(principal: Self.owner).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(created.arn), encryptionAlgorithm: .rsaesOAEPSHA1))
        #expect(decrypted.plaintext == secret)
        let stateText = try String(contentsOfFile: directory + "/state.json", encoding: .utf8)
        #expect(!stateText.contains("PRIVATE KEY"))
        // A PKCS #1 RSAPrivateKey of 3072 bits starts 30 82 06 xx 02 01 00 (version 0); its base64 would start "MIIG".
        #expect(!stateText.contains("\"MIIG"))
    }
}
