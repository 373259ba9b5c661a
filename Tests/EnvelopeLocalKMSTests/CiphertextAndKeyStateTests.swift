import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Testing
import EnvelopeTestSupport

@Suite("Ciphertext binding, key states, dry runs, validation")
struct CiphertextAndKeyStateTests {
    @Test("a different encryption context fails with InvalidCiphertextException (fact 18)")
    func wrongContext() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        var changed = CrossAccountStory.context
        changed["Department"] = "it"
        await expectCode(.invalidCiphertext) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: changed))
        }
        await expectCode(.invalidCiphertext) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key)))
        }
    }

    @Test("ciphertext from one key decrypted with another key ID fails with IncorrectKeyException")
    func incorrectKey() async throws {
        let story = try await CrossAccountStory.make()
        let other = try await story.kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1]).arn
        let (blob, _) = try await story.ciphertext()
        await expectCode(.incorrectKey) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(other), encryptionContext: CrossAccountStory.context))
        }
        await expectCode(.incorrectKey) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyID(other.keyID), encryptionContext: CrossAccountStory.context))
        }
    }

    @Test("a tampered or foreign blob fails with InvalidCiphertextException")
    func tampered() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        for index in [blob.count - 1, blob.count - 20, blob.count - 55] {
            var bad = blob
            bad[index] ^= 0x01
            await expectCode(.invalidCiphertext) {
                try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: bad, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context))
            }
        }
        await expectCode(.invalidCiphertext) {
            try await story.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: [1, 2, 3], keyId: .keyARN(story.key)))
        }
        // Another KMS instance does not have the ciphertext's key: AWS answers AccessDeniedException
        // ("The ciphertext refers to a customer master key that does not exist…"; RegionAndWordingTests).
        let other = try await CrossAccountStory.make()
        await expectCode(.accessDenied) {
            try await other.client(CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: nil, encryptionContext: CrossAccountStory.context))
        }
    }

    @Test("Decrypt without KeyId finds the key in the ciphertext")
    func decryptWithoutKeyId() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, plaintext) = try await story.ciphertext()
        let decrypted = try await story.client(CrossAccountStory.externalUser).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: nil, encryptionContext: CrossAccountStory.context))
        #expect(decrypted.plaintext == plaintext)
        #expect(decrypted.keyId == story.key)
    }

    @Test("a disabled key refuses cryptographic operations with DisabledException, DescribeKey still works")
    func disabled() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        try await story.kms.disableKey(story.key)
        let client = story.client(CrossAccountStory.user1)
        await expectCode(.disabled) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32)) }
        await expectCode(.disabled) { try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context)) }
        let error = await caughtError(KMSError.self) { try await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1]))) }
        #expect(error?.message == "\(story.key) is disabled.")
        let described = try await client.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        #expect(described.keyMetadata.keyState == .disabled)
        #expect(!described.keyMetadata.enabled)
        try await story.kms.enableKey(story.key)
        try await story.roundTrip(CrossAccountStory.user1)
    }

    @Test("a key pending deletion refuses with KMSInvalidStateException; cancelling leaves it Disabled")
    func pendingDeletion() async throws {
        let story = try await CrossAccountStory.make()
        let date = try await story.kms.scheduleKeyDeletion(story.key, pendingWindowInDays: 7)
        let client = story.client(CrossAccountStory.externalUser)
        let error = await caughtError(KMSError.self) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32)) }
        #expect(error?.code == .invalidState)
        #expect(error?.message == "\(story.key) is pending deletion.")
        let metadata = try await client.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key))).keyMetadata
        #expect(metadata.keyState == .pendingDeletion)
        #expect(metadata.deletionDate == date)
        await expectCode(.invalidState) { try await story.kms.enableKey(story.key) }
        await expectCode(.validation) { try await story.kms.scheduleKeyDeletion(story.key, pendingWindowInDays: 3) }
        try await story.kms.cancelKeyDeletion(story.key)
        #expect(try await story.kms.keyMetadata(story.key).keyState == .disabled)
    }

    @Test("authorization comes before the key state: an outsider gets AccessDenied on a disabled key")
    func authorizationFirst() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.disableKey(story.key)
        await expectAccessDenied(CrossAccountStory.thirdUser, .generateDataKey, story.key, .noKeyPolicyAllows) {
            try await story.client(CrossAccountStory.thirdUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
    }

    @Test("DryRun answers DryRunOperationException when the call would succeed, AccessDenied when not")
    func dryRun() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        let client = story.client(CrossAccountStory.externalUser)
        await expectCode(.dryRunOperation) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32, dryRun: true)) }
        await expectCode(.dryRunOperation) { try await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [1]), dryRun: true)) }
        await expectCode(.dryRunOperation) { try await client.decrypt(DecryptRequest(ciphertextBlob: blob, keyId: .keyARN(story.key), encryptionContext: CrossAccountStory.context, dryRun: true)) }
        await expectAccessDenied(CrossAccountStory.bob, .generateDataKey, story.key, .noIdentityPolicyAllows) {
            try await story.client(CrossAccountStory.bob).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32, dryRun: true))
        }
    }

    @Test("GenerateDataKey sizes and validation")
    func sizes() async throws {
        let story = try await CrossAccountStory.make()
        let client = story.client(CrossAccountStory.user1)
        #expect(try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), keySpec: .aes128)).plaintext.count == 16)
        #expect(try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 64)).plaintext.count == 64)
        await expectCode(.validation) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key))) }
        await expectCode(.validation) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 2000)) }
        await expectCode(.validation) { try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32, keySpec: .aes256)) }
        await expectCode(.validation) { try await client.encrypt(EncryptRequest(keyId: .keyARN(story.key), plaintext: SecureBytes(copying: [UInt8](repeating: 0, count: 4097)))) }
        let a = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        let b = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        #expect(a.plaintext != b.plaintext)
        #expect(a.ciphertextBlob != b.ciphertextBlob)
    }

    @Test("aliases: create, update, delete; reserved names refused")
    func aliases() async throws {
        let story = try await CrossAccountStory.make()
        let second = try await story.kms.createKey(account: CrossAccountStory.owner, region: CrossAccountStory.region, userPrincipals: [CrossAccountStory.user1]).arn
        try await story.kms.updateAlias(story.aliasARN, key: second)
        #expect(try await story.client(CrossAccountStory.user1).describeKey(DescribeKeyRequest(keyId: .aliasName(CrossAccountStory.alias))).keyMetadata.arn == second)
        await expectCode(.alreadyExists) { try await story.kms.createAlias(CrossAccountStory.alias, key: story.key) }
        await expectCode(.validation) { try await story.kms.createAlias(KMSAliasName(rawValue: "alias/aws/s3")!, key: story.key) }
        try await story.kms.deleteAlias(story.aliasARN)
        await expectCode(.notFound) { try await story.client(CrossAccountStory.user1).describeKey(DescribeKeyRequest(keyId: .aliasName(CrossAccountStory.alias))) }
    }

    @Test("many concurrent tasks share one local KMS safely")
    func concurrency() async throws {
        let story = try await CrossAccountStory.make()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<40 {
                let principal = i.isMultiple(of: 2) ? CrossAccountStory.user1 : CrossAccountStory.externalUser
                let client = story.client(principal)
                let key = story.key
                group.addTask {
                    let r = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), encryptionContext: ["i": "\(i)"], numberOfBytes: 32))
                    let d = try await client.decrypt(DecryptRequest(ciphertextBlob: r.ciphertextBlob, keyId: .keyARN(key), encryptionContext: ["i": "\(i)"]))
                    return d.plaintext == r.plaintext
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 40 && results.allSatisfy { $0 })
    }
}
