import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Foundation
import Testing
import EnvelopeTestSupport

/// DESIGN.md "The story", end to end through the client API on the in-process local KMS.
@Suite("Cross-account story through the client API")
struct CrossAccountStoryTests {
    let client = EnvelopeClient()

    enum Who: String, CaseIterable, Sendable { case owner, external }
    enum Naming: String, CaseIterable, Sendable { case keyARN, aliasARN }

    static func principal(_ who: Who) -> AWSPrincipalARN { who == .owner ? CrossAccountStory.user1 : CrossAccountStory.externalUser }

    @Test("Owner and external account encrypt with key ARN and alias ARN; the EDK stores the key ARN; both decrypt",
          arguments: Who.allCases, Naming.allCases)
    func encryptWithKeyAndAliasARN(who: Who, naming: Naming) async throws {
        let story = try await CrossAccountStory.make()
        let transport = story.transport(Self.principal(who))
        let identifier: KMSKeyIdentifier = naming == .keyARN ? .keyARN(story.key) : .aliasARN(story.aliasARN)
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSEncryptionKeyring(keyID: identifier, transport: transport),
                                                 encryptionContext: CrossAccountStory.encryptionContext)
        #expect(transport.count(.generateDataKey) == 1)
        #expect(encrypted.header.encryptedDataKeys.map(\.providerID) == ["aws-kms"])
        #expect(encrypted.header.encryptedDataKeys.map(\.keyName) == [story.key.description])
        for reader in Who.allCases {
            let keyring = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(Self.principal(reader)))
            let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
            #expect(decrypted.plaintext == samplePlaintext)
            #expect(decrypted.dataKeyOrigin?.keyName == story.key.description)
        }
    }

    @Test("The owner may also name its key by bare key ID or alias name; the EDK still stores the key ARN",
          arguments: ["keyID", "aliasName"])
    func ownerBareNames(naming: String) async throws {
        let story = try await CrossAccountStory.make()
        let identifier: KMSKeyIdentifier = naming == "keyID" ? .keyID(story.key.keyID) : .aliasName(CrossAccountStory.alias)
        let keyring = try await KMSKeyring.resolving(identifier, transport: story.transport(CrossAccountStory.user1))
        let encrypted = try await client.encrypt(samplePlaintext, keyring: keyring)
        #expect(encrypted.header.encryptedDataKeys.map(\.keyName) == [story.key.description])
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
        #expect(decrypted.plaintext == samplePlaintext)
        #expect(decrypted.dataKeyOrigin?.notes == ["\(identifier) resolved to \(story.key) through DescribeKey when the keyring was built"])
    }

    @Test("A strict keyring from the owner's alias ARN is resolved once (DescribeKey across accounts) and the resolution shows in the result")
    func strictFromAliasARN() async throws {
        let story = try await CrossAccountStory.make()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSEncryptionKeyring(keyID: .keyARN(story.key), transport: story.transport(CrossAccountStory.user1)),
                                                 encryptionContext: CrossAccountStory.encryptionContext)
        let transport = story.transport(CrossAccountStory.externalUser)
        let keyring = try await KMSStrictDecryptionKeyring.resolving(.aliasARN(story.aliasARN), transport: transport)
        #expect(keyring.keyARN == story.key)
        #expect(keyring.resolution?.configured == .aliasARN(story.aliasARN))
        #expect(transport.count(.describeKey) == 1)
        for _ in 0..<2 {
            let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
            #expect(decrypted.plaintext == samplePlaintext)
            let notes = try #require(decrypted.dataKeyOrigin?.notes)
            #expect(notes.contains("\(story.aliasARN) resolved to \(story.key) through DescribeKey when the keyring was built"))
        }
        #expect(transport.count(.describeKey) == 1, "the alias is resolved once, when the keyring is built")
        #expect(transport.count(.decrypt) == 2)
    }

    @Test("File decryption reports the key and the alias resolution too")
    func fileDecryptReportsOrigin() async throws {
        let story = try await CrossAccountStory.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyrings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("plain"), message = directory.appendingPathComponent("message"), output = directory.appendingPathComponent("out")
        try Data(samplePlaintext).write(to: input)
        let external = story.transport(CrossAccountStory.externalUser)
        _ = try await client.encryptFile(at: input, to: message, keyring: try KMSEncryptionKeyring(keyID: .aliasARN(story.aliasARN), transport: external))
        let keyring = try await KMSStrictDecryptionKeyring.resolving(.aliasARN(story.aliasARN), transport: external)
        let result = try await client.decryptFile(at: message, to: output, keyring: keyring)
        #expect(try Data(contentsOf: output) == Data(samplePlaintext))
        #expect(result.dataKeyOrigin?.keyName == story.key.description)
        #expect(result.dataKeyOrigin?.notes.first?.contains("resolved to \(story.key)") == true)
    }

    @Test("Discovery keyrings: a filter naming the owner's account decrypts, one naming another account skips with the reason, any-account decrypts")
    func discoveryFilters() async throws {
        let story = try await CrossAccountStory.make()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSEncryptionKeyring(keyID: .aliasARN(story.aliasARN), transport: story.transport(CrossAccountStory.user1)),
                                                 encryptionContext: CrossAccountStory.encryptionContext)
        let transport = story.transport(CrossAccountStory.externalUser)
        let matching = try KMSDiscoveryKeyring(transport: transport, filter: try .accounts([CrossAccountStory.owner], partition: .aws))
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: matching).plaintext == samplePlaintext)
        let any = try KMSDiscoveryKeyring(transport: transport, filter: .anyAccount)
        #expect(try await client.decrypt(encrypted.ciphertext, keyring: any).plaintext == samplePlaintext)
        let calls = transport.count(.decrypt)
        let nonMatching = try KMSDiscoveryKeyring(transport: transport, filter: try .accounts([CrossAccountStory.external]))
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: nonMatching) })
        #expect(error.code == .unableToDecryptDataKey)
        let failure = try #require(error.dataKeyFailures.first)
        #expect(failure.keyName == story.key.description)
        #expect(failure.reason.contains("account 109876543210 is not in the discovery filter (012345678901)"))
        #expect(transport.count(.decrypt) == calls, "a key outside the filter is never sent to KMS")
    }

    @Test("The external account's bare alias name and bare key ID are refused when the decrypt keyring is built, with the reason")
    func bareNamesFromExternalAccountRefused() async throws {
        let story = try await CrossAccountStory.make()
        let transport = story.transport(CrossAccountStory.externalUser)
        let aliasError = try #require(await caughtError(EnvelopeError.self) {
            try await KMSStrictDecryptionKeyring.resolving(.aliasName(CrossAccountStory.alias), transport: transport)
        })
        #expect(aliasError.code == .invalidArgument)
        #expect(aliasError.message.contains("alias/SharedKey"))
        #expect(aliasError.message.contains("NotFoundException"))
        #expect(aliasError.message.contains("own account"))
        #expect(aliasError.message.contains("key ARN"))
        let idError = try #require(await caughtError(EnvelopeError.self) {
            try await KMSKeyring.resolving(.keyID(story.key.keyID), transport: transport)
        })
        #expect(idError.message.contains("NotFoundException") && idError.message.contains("own account"))
        // Encrypting with the bare alias name fails too, with KMS's answer and the same advice.
        let encryptError = try #require(await caughtError(EnvelopeError.self) {
            try await client.encrypt(samplePlaintext, keyring: try KMSEncryptionKeyring(keyID: .aliasName(CrossAccountStory.alias), transport: transport))
        })
        #expect(encryptError.message.contains("NotFoundException") && encryptError.message.contains("alias ARN"))
        // In the owner's account the bare alias name resolves, and the result says so.
        let owner = try await KMSKeyring.resolving(.aliasName(CrossAccountStory.alias), transport: story.transport(CrossAccountStory.user1))
        let encrypted = try await client.encrypt(samplePlaintext, keyring: owner)
        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: owner)
        #expect(decrypted.dataKeyOrigin?.notes.first?.contains("alias/SharedKey resolved to \(story.key)") == true)
    }

    @Test("Multi-keyring over keys of two accounts: after the owner removes the external account, decrypt works with the other key and the error list names the denied one")
    func multiKeyringLostAccess() async throws {
        let story = try await CrossAccountStory.make()
        let ownKey = try await story.kms.createKey(account: CrossAccountStory.external, region: CrossAccountStory.region,
                                                   userPrincipals: [CrossAccountStory.externalUser]).arn
        let transports = KMSTransportSupplier { region in story.kms.client(principal: CrossAccountStory.externalUser, region: region ?? CrossAccountStory.region) }
        let keyring = try await KMSMultiKeyrings.strict(generator: .keyARN(story.key), children: [.keyARN(ownKey)], transports: transports)
        let encrypted = try await client.encrypt(samplePlaintext, keyring: keyring, encryptionContext: CrossAccountStory.encryptionContext)
        #expect(encrypted.header.encryptedDataKeys.map(\.keyName) == [story.key.description, ownKey.description])

        try await story.kms.removeExternalAccount(CrossAccountStory.external, key: story.key)

        let decrypted = try await client.decrypt(encrypted.ciphertext, keyring: keyring)
        #expect(decrypted.plaintext == samplePlaintext)
        #expect(decrypted.dataKeyOrigin?.keyName == ownKey.description)

        // The shared key alone: refused, with kms:Decrypt and AccessDeniedException on its ARN.
        let sharedOnly = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: try transports.transport(for: nil))
        let denied = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: sharedOnly) })
        let deniedFailure = try #require(denied.dataKeyFailures.first { $0.keyName == story.key.description && !$0.reason.hasPrefix("skipped") })
        #expect(deniedFailure.reason.contains("kms:Decrypt on \(story.key) failed: AccessDeniedException"))

        // Both keys unusable: the multi-keyring's error lists each key with its exact KMS error.
        try await story.kms.disableKey(ownKey)
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: keyring) })
        #expect(error.code == .unableToDecryptDataKey)
        let kmsErrors = error.kmsDataKeyErrors
        #expect(kmsErrors.contains { $0.key == .keyARN(story.key) && $0.action == .decrypt && $0.kmsError?.code == .accessDenied })
        #expect(kmsErrors.contains { $0.key == .keyARN(ownKey) && $0.kmsError?.code == .disabled })
        #expect(error.description.contains("AccessDeniedException"))
        #expect(error.description.contains(story.key.description))
    }

    @Test("The per-key error report: key ARN and AccessDeniedException for kms:Decrypt, never a bare 'unable to decrypt'")
    func perKeyErrorReport() async throws {
        let story = try await CrossAccountStory.make()
        let encrypted = try await client.encrypt(samplePlaintext, keyring: try KMSKeyring(keyARN: story.key, transport: story.transport(CrossAccountStory.user1)),
                                                 encryptionContext: CrossAccountStory.encryptionContext)
        // Bob of the external account has no IAM policy for the key: the key policy delegates, IAM does not allow.
        let bob = AWSPrincipalARN("arn:aws:iam::012345678901:user/Bob")!
        let keyring = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(bob))
        let error = try #require(await caughtError(EnvelopeError.self) { try await client.decrypt(encrypted.ciphertext, keyring: keyring) })
        #expect(error.code == .unableToDecryptDataKey)
        #expect(error.dataKeyFailures.count == 1)
        let failure = try #require(error.dataKeyFailures.first)
        #expect(failure.providerID == "aws-kms")
        #expect(failure.keyName == story.key.description)
        #expect(failure.reason.contains("AccessDeniedException"))
        #expect(failure.reason.contains("is not authorized to perform: kms:Decrypt on resource: \(story.key)"))
        let kms = try #require(error.kmsDataKeyErrors.first?.kmsError)
        #expect(kms.code == .accessDenied)
        #expect(kms.message.hasPrefix("User: \(bob) is not authorized to perform: kms:Decrypt"))
    }
}
