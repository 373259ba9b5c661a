import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Foundation
import Testing
import EnvelopeTestSupport

@Suite("KMS keyrings (spec rules, with an in-memory KMS double)")
struct KMSKeyringTests {
    static let east: AWSRegion = "us-east-1"
    static let west: AWSRegion = "us-west-2"
    static let account: AWSAccountID = "111122223333"
    static let keyEast = KMSKeyARN(region: east, account: account, keyID: KMSKeyID(rawValue: "1234abcd-12ab-34cd-56ef-1234567890ab")!)
    static let otherEast = KMSKeyARN(region: east, account: account, keyID: KMSKeyID(rawValue: "0987dcba-09fe-87dc-65ba-ab0987654321")!)
    static let mrkID = KMSKeyID(rawValue: "mrk-4321abcd12ab34cd56ef1234567890ab")!
    static let mrkEast = KMSKeyARN(region: east, account: account, keyID: mrkID)
    static let mrkWest = KMSKeyARN(region: west, account: account, keyID: mrkID)
    let client = EnvelopeClient()

    @Test("GenerateDataKey asks for the suite's key length, with the encryption context and grant tokens",
          arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey])
    func generateDataKeyRequest(suite: AlgorithmSuite) async throws {
        let fake = FakeKMS()
        let keyring = try KMSKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.east), grantTokens: ["token-1", "token-2"])
        let encrypted = try await client.encrypt(samplePlaintext, keyring: keyring, encryptionContext: ["a": "b"], suite: suite)
        #expect(fake.numberOfBytesSeen == [suite.dataKeyLength])
        #expect(fake.grantTokensSeen == [["token-1", "token-2"]])
        let edk = try #require(encrypted.header.encryptedDataKeys.first)
        #expect(edk.providerID == "aws-kms")
        #expect(edk.keyName == Self.keyEast.description)
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
        #expect(decrypted.plaintext == samplePlaintext)
        #expect(fake.grantTokensSeen.last == ["token-1", "token-2"])
        #expect(decrypted.dataKeyOrigin?.keyName == Self.keyEast.description)
    }

    @Test("An alias ARN encrypts, and the encrypted data key records the key ARN KMS returned, never the alias")
    func aliasRecordsKeyARN() async throws {
        let fake = FakeKMS()
        let alias = KMSAliasARN(region: Self.east, account: Self.account, aliasName: KMSAliasName(rawValue: "alias/app")!)
        fake.aliases[alias] = Self.keyEast
        let generator = try KMSEncryptionKeyring(keyID: .aliasARN(alias), transport: fake.transport(Self.east))
        let encrypted = try await client.encrypt(samplePlaintext, keyring: generator)
        #expect(encrypted.header.encryptedDataKeys.map(\.keyName) == [Self.keyEast.description])
        #expect(!encrypted.header.encryptedDataKeys.contains { $0.keyName.contains("alias") })
    }

    @Test("Children wrap the generator's data key with Encrypt; every EDK can decrypt on its own")
    func childrenUseEncrypt() async throws {
        let fake = FakeKMS()
        let keyring = try await KMSMultiKeyrings.strict(generator: .keyARN(Self.keyEast), children: [.keyARN(Self.otherEast)],
                                                        transports: .single(fake.transport(Self.east)))
        let encrypted = try await client.encrypt(samplePlaintext, keyring: keyring)
        #expect(fake.log == ["GenerateDataKey \(Self.keyEast)", "Encrypt \(Self.otherEast)"])
        #expect(encrypted.header.encryptedDataKeys.map(\.keyName) == [Self.keyEast.description, Self.otherEast.description])
        let onlyChild = try KMSStrictDecryptionKeyring(keyARN: Self.otherEast, transport: fake.transport(Self.east))
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: onlyChild)
        #expect(decrypted.plaintext == samplePlaintext)
        #expect(decrypted.dataKeyOrigin?.keyName == Self.otherEast.description)
    }

    @Test("A strict keyring calls KMS only for its own key and records why it skipped the others")
    func strictSkipsOtherKeys() async throws {
        let fake = FakeKMS()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSKeyring(keyARN: Self.otherEast, transport: fake.transport(Self.east)))
        let before = fake.log.count
        let strict = try KMSStrictDecryptionKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.east))
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: strict) })
        #expect(error.code == .unableToDecryptDataKey)
        #expect(fake.log.count == before, "no Decrypt call for a key that is not the configured one")
        let failure = try #require(error.dataKeyFailures.first)
        #expect(failure.keyName == Self.otherEast.description)
        #expect(failure.reason.contains("not the configured key \(Self.keyEast)"))
    }

    @Test("The per-key report carries the key ARN and the exact KMS error for kms:Decrypt")
    func perKeyReport() async throws {
        let fake = FakeKMS()
        let keyring = try KMSKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.east))
        let encrypted = try await client.encrypt(samplePlaintext, keyring: keyring)
        fake.deniedDecrypt = [Self.keyEast]
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: keyring) })
        let failure = try #require(error.dataKeyFailures.first)
        #expect(failure.keyName == Self.keyEast.description)
        #expect(failure.reason.contains("kms:Decrypt on \(Self.keyEast) failed: AccessDeniedException"))
        let kmsErrors = error.kmsDataKeyErrors
        #expect(kmsErrors.count == 1)
        #expect(kmsErrors.first?.action == .decrypt)
        #expect(kmsErrors.first?.kmsError?.code == .accessDenied)
        #expect(kmsErrors.first?.key == .keyARN(Self.keyEast))
    }

    @Test("An aws-kms encrypted data key whose provider info is not a key ARN fails OnDecrypt")
    func malformedProviderInfo() async throws {
        let fake = FakeKMS()
        let keyring = try KMSStrictDecryptionKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.east))
        let materials = DecryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKey, encryptionContext: [:])
        let bad = EncryptedDataKey(providerID: "aws-kms", providerInfo: Array("arn:aws:kms:us-east-1:111122223333:alias/app".utf8), ciphertext: [1, 2, 3])
        let error = try #require(await caughtError(EnvelopeError.self) { try await keyring.onDecrypt(materials, encryptedDataKeys: [bad]) })
        #expect(error.code == .malformedMessage)
        #expect(fake.log.isEmpty)
    }

    @Test("Materials that already hold a data key: the strict keyring fails, the MRK-aware one returns them unmodified")
    func dataKeyAlreadyPresent() async throws {
        let fake = FakeKMS()
        let materials = DecryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKey, encryptionContext: [:],
                                            plaintextDataKey: try RandomBytes.secure(count: 32))
        let strict = try KMSStrictDecryptionKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.east))
        let error = try #require(await caughtError(EnvelopeError.self) { try await strict.onDecrypt(materials, encryptedDataKeys: []) })
        #expect(error.code == .keyringFailure)
        let aware = try KMSStrictDecryptionKeyring(keyARN: Self.mrkEast, transport: fake.transport(Self.east), multiRegionAware: true)
        let same = try await aware.onDecrypt(materials, encryptedDataKeys: [])
        #expect(same.plaintextDataKey === materials.plaintextDataKey)
        #expect(fake.log.isEmpty)
    }

    @Test("A single-transport supplier serves its own Region (and key IDs) and refuses others")
    func singleSupplier() throws {
        let supplier = KMSTransportSupplier.single(FakeKMS().transport(Self.east))
        #expect(try supplier.transport(for: nil).region == Self.east)
        #expect(try supplier.transport(for: Self.east).region == Self.east)
        #expect(throws: EnvelopeError.self) { try supplier.transport(for: Self.west) }
    }

    @Test("A keyring whose transport calls another Region than its key is refused when built")
    func regionMismatchRefused() async throws {
        let fake = FakeKMS()
        let error = try #require(await caughtError(EnvelopeError.self) { try KMSKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.west)) })
        #expect(error.message.contains("us-east-1") && error.message.contains("us-west-2"))
    }

    @Test("Discovery: keys outside the filter or in another Region are skipped with a reason, without calling KMS")
    func discoverySkips() async throws {
        let fake = FakeKMS()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSKeyring(keyARN: Self.keyEast, transport: fake.transport(Self.east)))
        let calls = fake.log.count
        let otherAccount = try KMSDiscoveryKeyring(transport: fake.transport(Self.east), filter: try .accounts(["444455556666"]))
        let e1 = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: otherAccount) })
        #expect(e1.dataKeyFailures.first?.reason.contains("account 111122223333 is not in the discovery filter") == true)
        let otherRegion = try KMSDiscoveryKeyring(transport: fake.transport(Self.west), filter: try .accounts([Self.account]))
        let e2 = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: otherRegion) })
        #expect(e2.dataKeyFailures.first?.reason.contains("Region us-east-1") == true)
        #expect(fake.log.count == calls)
        let good = try KMSDiscoveryKeyring(transport: fake.transport(Self.east), filter: try .accounts([Self.account]))
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: good).plaintext == samplePlaintext)
    }

    @Test("A discovery filter must list at least one account; any account must be asked for explicitly")
    func discoveryFilterNeedsAccounts() throws {
        #expect(throws: EnvelopeError.self) { try KMSDiscoveryFilter.accounts([]) }
        #expect(KMSDiscoveryFilter.anyAccount.rejection(of: Self.keyEast) == nil)
        #expect(KMSDiscoveryFilter.anyAccount(in: .awsCN).rejection(of: Self.keyEast)?.contains("partition") == true)
    }

    @Test("A discovery filter of another partition than the transport's is refused when built")
    func discoveryPartitionMismatch() async throws {
        let error = try #require(await caughtError(EnvelopeError.self) {
            try KMSDiscoveryKeyring(transport: FakeKMS().transport(Self.east), filter: try .accounts([Self.account], partition: .awsCN))
        })
        #expect(error.code == .invalidArgument)
    }

    @Test("MRK match for decrypt", arguments: [
        (mrkEast, mrkEast, true), (mrkEast, mrkWest, true), (keyEast, keyEast, true), (keyEast, otherEast, false),
        (mrkEast, KMSKeyARN(region: west, account: "444455556666", keyID: mrkID), false),
        (KMSKeyARN(region: west, account: account, keyID: KMSKeyID(rawValue: "1234abcd-12ab-34cd-56ef-1234567890ab")!), keyEast, false),
    ])
    func mrkMatch(a: KMSKeyARN, b: KMSKeyARN, expected: Bool) {
        #expect(KMSMultiRegionKeys.matchForDecrypt(a, b) == expected)
        #expect(KMSMultiRegionKeys.matchForDecrypt(b, a) == expected)
    }

    @Test("Duplicate multi-Region keys are refused, and the error lists every duplicate")
    func mrkAreUnique() throws {
        try KMSMultiRegionKeys.assertUnique([.keyARN(Self.mrkEast), .keyARN(Self.keyEast), .keyARN(Self.otherEast)])
        do {
            try KMSMultiRegionKeys.assertUnique([.keyARN(Self.mrkEast), .keyARN(Self.keyEast), .keyARN(Self.mrkWest), .keyID(Self.mrkID)])
            Issue.record("duplicates accepted")
        } catch let error as EnvelopeError {
            #expect(error.message.contains(Self.mrkEast.description))
            #expect(error.message.contains(Self.mrkWest.description))
            #expect(error.message.contains(", \(Self.mrkID.rawValue)") || error.message.contains("\(Self.mrkID.rawValue),"))
            #expect(!error.message.contains(Self.keyEast.description))
        }
    }

    @Test("A replica of a multi-Region key in another Region decrypts with the MRK-aware strict keyring (KMS double with replicas)")
    func mrkReplicaStrict() async throws {
        let fake = FakeKMS()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSKeyring(keyARN: Self.mrkEast, transport: fake.transport(Self.east)))
        // Not MRK-aware: skipped, with a hint.
        let exact = try KMSStrictDecryptionKeyring(keyARN: Self.mrkWest, transport: fake.transport(Self.west))
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: exact) })
        #expect(error.dataKeyFailures.first?.reason.contains("multiRegionAware: true") == true)
        // MRK-aware: Decrypt is called with the configured (us-west-2) replica.
        let aware = try KMSStrictDecryptionKeyring(keyARN: Self.mrkWest, transport: fake.transport(Self.west), multiRegionAware: true)
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: aware)
        #expect(decrypted.plaintext == samplePlaintext)
        #expect(fake.log.last == "Decrypt \(Self.mrkWest)")
        #expect(decrypted.dataKeyOrigin?.keyName == Self.mrkEast.description)
        #expect(decrypted.dataKeyOrigin?.notes.contains { $0.contains("replica") } == true)
    }

    @Test("The MRK-aware discovery keyring decrypts another Region's mrk- key with its local replica")
    func mrkReplicaDiscovery() async throws {
        let fake = FakeKMS()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSKeyring(keyARN: Self.mrkEast, transport: fake.transport(Self.east)))
        let plain = try KMSDiscoveryKeyring(transport: fake.transport(Self.west), filter: try .accounts([Self.account]))
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: plain) })
        #expect(error.dataKeyFailures.first?.reason.contains("multiRegionAware") == true)
        let aware = try KMSDiscoveryKeyring(transport: fake.transport(Self.west), filter: try .accounts([Self.account]), multiRegionAware: true)
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: aware).plaintext == samplePlaintext)
        #expect(fake.log.last == "Decrypt \(Self.mrkWest)")
    }

    @Test("A discovery multi-keyring over two Regions finds the Region of the key")
    func discoveryMultiRegion() async throws {
        let fake = FakeKMS()
        let westKey = KMSKeyARN(region: Self.west, account: Self.account, keyID: Self.keyEast.keyID)
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSKeyring(keyARN: westKey, transport: fake.transport(Self.west)))
        let keyring = try KMSMultiKeyrings.discovery(regions: [Self.east, Self.west], filter: try .accounts([Self.account]),
                                                     transports: KMSTransportSupplier { region in fake.transport(region ?? Self.east) })
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: keyring).plaintext == samplePlaintext)
        #expect(throws: EnvelopeError.self) {
            try KMSMultiKeyrings.discovery(regions: [], filter: .anyAccount, transports: .single(fake.transport(Self.east)))
        }
    }

    @Test("A multi-Region key on the local KMS (same Region) round-trips through the MRK-aware keyring")
    func localMRKSameRegion() async throws {
        let kms = try LocalKMS()
        let user = AWSPrincipalARN("arn:aws:iam::111122223333:user/Dev")!
        let metadata = try await kms.createKey(account: Self.account, region: Self.east, userPrincipals: [user], multiRegion: true)
        #expect(metadata.arn.isMultiRegion)
        let keyring = try KMSKeyring(keyARN: metadata.arn, transport: kms.client(principal: user, region: Self.east), multiRegionAware: true)
        let encrypted = try await client.encrypt(samplePlaintext, keyring: keyring)
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: keyring).plaintext == samplePlaintext)
    }
}
