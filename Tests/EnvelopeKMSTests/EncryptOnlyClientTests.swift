import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation
import Testing
import SystemPackage
import EnvelopeTestSupport

/// Compile-level proof that ``EncryptOnlyClient`` has no decrypt entry point: this protocol
/// supplies `decrypt`, `decryptStream` and `decryptFile` members that return a marker. The calls
/// below compile without `try await` and return the marker only because the client has no such
/// methods of its own — if one were added (async throws, as on ``EnvelopeClient``), the client's
/// method would be chosen and this file would stop compiling.
protocol DecryptEntryPointProbe {}
struct NoDecryptEntryPoint: Equatable {}
extension DecryptEntryPointProbe {
    func decrypt(_ message: [UInt8], keyring: any DecryptionKeyring, encryptionContext: EncryptionContext = [:]) -> NoDecryptEntryPoint { NoDecryptEntryPoint() }
    func decrypt(_ message: [UInt8], materialsManager: any DecryptionMaterialsManager, encryptionContext: EncryptionContext = [:]) -> NoDecryptEntryPoint { NoDecryptEntryPoint() }
    func decryptStream(_ input: AsyncStream<[UInt8]>, keyring: any DecryptionKeyring) -> NoDecryptEntryPoint { NoDecryptEntryPoint() }
    func decryptFile(at input: URL, to output: URL, keyring: any DecryptionKeyring) -> NoDecryptEntryPoint { NoDecryptEntryPoint() }
    func decrypt(from input: FileDescriptor, to output: FileDescriptor, keyring: any DecryptionKeyring) -> NoDecryptEntryPoint { NoDecryptEntryPoint() }
}
extension EncryptOnlyClient: DecryptEntryPointProbe {}

@Suite("Encrypt-only client")
struct EncryptOnlyClientTests {
    /// The story's key with the external account narrowed to encrypt-only (key policy and IAM policy).
    static func encryptOnlyStory(externalActions: KMSPermissions = .encryptOnly) async throws -> (CrossAccountStory, PolicyDocument, PolicyDocument) {
        let story = try await CrossAccountStory.make(externalIAM: nil)
        var keyPolicy = KMSPolicyTemplates.keyPolicy(owner: CrossAccountStory.owner, principals: [CrossAccountStory.user1])
        var narrowed = KMSPolicyTemplates.keyPolicyStatements(principals: [CrossAccountStory.external.rootPrincipal()], permissions: externalActions)
        for i in narrowed.indices { narrowed[i].sid = "AllowEncryptOnlyForAccount\(CrossAccountStory.external)" + (i == 0 ? "" : "\(i)") }
        keyPolicy.statements += narrowed
        try await story.kms.putKeyPolicy(keyPolicy.jsonText(), key: story.key)
        let iam = KMSPolicyTemplates.externalIAMPolicy(keyARN: story.key, permissions: externalActions)
        try await story.kms.attachUserPolicy(iam.jsonText(), principal: CrossAccountStory.externalUser)
        return (story, keyPolicy, iam)
    }

    @Test("Under an encrypt-only key policy: encrypt works with GenerateDataKey only, the owner decrypts, the principal cannot")
    func encryptOnlyPolicy() async throws {
        let (story, keyPolicy, iam) = try await Self.encryptOnlyStory()
        let key = EncryptOnlyKey.derived(keyARN: story.key, keyPolicy: keyPolicy, identityPolicies: [iam], principal: CrossAccountStory.externalUser)
        #expect(key.permissions.allows(.generateDataKey))
        #expect(!key.permissions.canDecrypt)
        let transport = story.transport(CrossAccountStory.externalUser)
        let encryptOnly = try EncryptOnlyClient(generatorKey: key, transports: .single(transport))
        #expect(encryptOnly.dataKeyGeneration == .generateDataKey)
        let encrypted = try await encryptOnly.encrypt(samplePlaintext, encryptionContext: CrossAccountStory.encryptionContext)
        #expect(transport.counts == [.generateDataKey: 1])
        #expect(encrypted.header.suite == .aes256GCMHKDFSHA512CommitKeyECDSAP384, "signed suite by default")

        // The owner reads what the encrypt-only principal wrote.
        let owner = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(CrossAccountStory.user1))
        #expect(try await EnvelopeClient().decrypt(encrypted.ciphertext, keyring: owner).plaintext == samplePlaintext)

        // The encrypt-only principal has no decrypt entry point on the client (compile-level, see
        // DecryptEntryPointProbe) and KMS refuses it kms:Decrypt anyway.
        #expect(encryptOnly.decrypt(encrypted.ciphertext, keyring: owner) == NoDecryptEntryPoint())
        #expect(encryptOnly.decrypt(encrypted.ciphertext, materialsManager: DefaultMaterialsManager(decryptionKeyring: owner)) == NoDecryptEntryPoint())
        #expect(encryptOnly.decryptStream(AsyncStream { $0.finish() }, keyring: owner) == NoDecryptEntryPoint())
        #expect(encryptOnly.decryptFile(at: URL(fileURLWithPath: "/nonexistent"), to: URL(fileURLWithPath: "/nonexistent2"), keyring: owner) == NoDecryptEntryPoint())
        #expect(encryptOnly.decrypt(from: FileDescriptor(rawValue: -1), to: FileDescriptor(rawValue: -1), keyring: owner) == NoDecryptEntryPoint())
        let theirs = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: transport)
        let error = try #require(await caughtError(EnvelopeError.self) { try await EnvelopeClient().decrypt(encrypted.ciphertext, keyring: theirs) })
        #expect(error.kmsDataKeyErrors.first?.kmsError?.code == .accessDenied)
        #expect(error.dataKeyFailures.first?.reason.contains("kms:Decrypt") == true)
    }

    @Test("A policy without GenerateDataKey but with Encrypt: the data key is generated locally and wrapped with Encrypt")
    func localGenerationFallback() async throws {
        let (story, keyPolicy, iam) = try await Self.encryptOnlyStory(externalActions: KMSPermissions([.encrypt, .describeKey]))
        let key = EncryptOnlyKey.derived(keyARN: story.key, keyPolicy: keyPolicy, identityPolicies: [iam], principal: CrossAccountStory.externalUser)
        #expect(!key.permissions.allows(.generateDataKey) && key.permissions.allows(.encrypt))
        let transport = story.transport(CrossAccountStory.externalUser)
        let encryptOnly = try EncryptOnlyClient(generatorKey: key, transports: .single(transport))
        #expect(encryptOnly.dataKeyGeneration == .localRandomThenEncrypt)
        let encrypted = try await encryptOnly.encrypt(samplePlaintext, encryptionContext: CrossAccountStory.encryptionContext)
        #expect(transport.counts == [.encrypt: 1], "no GenerateDataKey call at all")
        #expect(encrypted.header.encryptedDataKeys.map(\.keyName) == [story.key.description])
        // GenerateDataKey really is denied to this principal.
        let gdk = try #require(await caughtError(EnvelopeError.self) {
            try await EnvelopeClient().encrypt(samplePlaintext, keyring: try KMSEncryptionKeyring(keyID: .keyARN(story.key), transport: transport))
        })
        #expect(gdk.kmsDataKeyErrors.first?.kmsError?.code == .accessDenied)
        let owner = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(CrossAccountStory.user1))
        #expect(try await EnvelopeClient().decrypt(encrypted.ciphertext, keyring: owner, encryptionContext: CrossAccountStory.encryptionContext).plaintext == samplePlaintext)
    }

    @Test("A missing permission fails when the client is built, before any KMS call, naming the action and the key")
    func missingPermissionBeforeAnyCall() async throws {
        let story = try await CrossAccountStory.make()
        let transport = story.transport(CrossAccountStory.externalUser)
        do {
            _ = try EncryptOnlyClient(key: .keyARN(story.key), permissions: KMSPermissions([.describeKey, .decrypt]), transport: transport)
            Issue.record("built without an encrypt permission")
        } catch let error as KMSPermissionError {
            #expect(error.missingActions == [.generateDataKey, .encrypt])
            #expect(error.key == .keyARN(story.key))
            #expect(error.description.contains("kms:GenerateDataKey"))
            #expect(error.description.contains(story.key.description))
        }
        let second = KMSKeyARN(region: CrossAccountStory.region, account: CrossAccountStory.owner, keyID: .random())
        do {
            _ = try EncryptOnlyClient(generatorKey: EncryptOnlyKey(.keyARN(story.key), permissions: .encryptOnly),
                                      additionalKeys: [EncryptOnlyKey(.keyARN(second), permissions: KMSPermissions([.generateDataKey]))],
                                      transports: .single(transport))
            Issue.record("built without kms:Encrypt on the additional key")
        } catch let error as KMSPermissionError {
            #expect(error.missingActions == [.encrypt])
            #expect(error.key == .keyARN(second))
            #expect(error.description.contains("kms:Encrypt") && error.description.contains(second.description))
        }
        #expect(transport.totalCount == 0)
    }

    @Test("DryRun start-up check: allowed while the key is shared, AccessDenied after the owner removes the account")
    func dryRunCheck() async throws {
        let (story, _, _) = try await Self.encryptOnlyStory()
        let transport = story.transport(CrossAccountStory.externalUser)
        let encryptOnly = try EncryptOnlyClient(key: .keyARN(story.key), permissions: .encryptOnly, transport: transport)
        let checks = try await encryptOnly.verifyAccess(encryptionContext: CrossAccountStory.encryptionContext)
        #expect(checks.count == 1 && checks[0].isAllowed && checks[0].action == .generateDataKey)
        #expect(transport.count(.generateDataKey) == 1)

        try await story.kms.removeExternalAccount(CrossAccountStory.external, key: story.key)
        let failed = try await encryptOnly.verifyAccess(requireAll: false)
        #expect(failed.first?.failure?.kmsError?.code == .accessDenied)
        let error = try #require(await caughtError(EnvelopeError.self) { try await encryptOnly.verifyAccess() })
        #expect(error.message.contains("kms:GenerateDataKey on \(story.key) failed: AccessDeniedException"))

        // Local generation checks kms:Encrypt instead.
        let local = try EncryptOnlyClient(key: .keyARN(story.key), permissions: KMSPermissions([.encrypt]), transport: story.transport(CrossAccountStory.user1))
        let ownerChecks = try await local.verifyAccess()
        #expect(ownerChecks.map(\.action) == [.encrypt] && ownerChecks[0].isAllowed)
    }

    @Test("Signed suites only, unless unsigned ones are allowed explicitly")
    func signedSuites() async throws {
        let fake = FakeKMS()
        let key = KMSKeyARN(region: "us-east-1", account: "111122223333", keyID: .random())
        let encryptOnly = try EncryptOnlyClient(key: .keyARN(key), permissions: .encryptOnly, transport: fake.transport("us-east-1"))
        #expect(encryptOnly.defaultSuite == .aes256GCMHKDFSHA512CommitKeyECDSAP384)
        let error = try #require(await caughtError(EnvelopeError.self) { try await encryptOnly.encrypt(samplePlaintext, suite: .aes256GCMHKDFSHA512CommitKey) })
        #expect(error.code == .invalidArgument && error.message.contains("allowUnsignedSuites"))
        #expect(fake.log.isEmpty)
        let permissive = try EncryptOnlyClient(generatorKey: EncryptOnlyKey(.keyARN(key), permissions: .encryptOnly), transports: .single(fake.transport("us-east-1")),
                                               allowUnsignedSuites: true)
        #expect(try await permissive.encrypt(samplePlaintext, suite: .aes256GCMHKDFSHA512CommitKey).header.suite == .aes256GCMHKDFSHA512CommitKey)
        let legacy = try EncryptOnlyClient(generatorKey: EncryptOnlyKey(.keyARN(key), permissions: .encryptOnly), transports: .single(fake.transport("us-east-1")),
                                           commitmentPolicy: .forbidEncryptAllowDecrypt)
        #expect(legacy.defaultSuite == .aes256GCMHKDFSHA384ECDSAP384)
    }

    @Test("With data-key caching, N encrypt-only messages cost one GenerateDataKey")
    func cachingEncryptOnly() async throws {
        let (story, _, _) = try await Self.encryptOnlyStory()
        let transport = story.transport(CrossAccountStory.externalUser)
        let cache = LocalMaterialsCache()
        let encryptOnly = try EncryptOnlyClient(key: .keyARN(story.key), permissions: .encryptOnly, transport: transport,
                                                cache: DataKeyCaching(cache: cache, maxAge: .seconds(60), maxMessagesPerDataKey: 100))
        var messages: [[UInt8]] = []
        for _ in 0..<8 { messages.append(try await encryptOnly.encrypt(samplePlaintext, encryptionContext: CrossAccountStory.encryptionContext).ciphertext) }
        #expect(transport.counts == [.generateDataKey: 1])
        #expect(await cache.statistics.hits == 7)
        let owner = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(CrossAccountStory.user1))
        for message in messages { #expect(try await EnvelopeClient().decrypt(message, keyring: owner).plaintext == samplePlaintext) }
    }

    @Test("Streaming encryption through the encrypt-only client; the owner decrypts the stream's message")
    func streaming() async throws {
        let (story, _, _) = try await Self.encryptOnlyStory()
        let encryptOnly = try EncryptOnlyClient(key: .keyARN(story.key), permissions: .encryptOnly, transport: story.transport(CrossAccountStory.externalUser))
        let input = AsyncStream<[UInt8]> { continuation in
            for chunk in stride(from: 0, to: samplePlaintext.count, by: 50) {
                continuation.yield(Array(samplePlaintext[chunk..<min(chunk + 50, samplePlaintext.count)]))
            }
            continuation.finish()
        }
        var message: [UInt8] = []
        for try await chunk in try encryptOnly.encryptStream(input, frameLength: 64) { message += chunk }
        let owner = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(CrossAccountStory.user1))
        #expect(try await EnvelopeClient().decrypt(message, keyring: owner).plaintext == samplePlaintext)
    }

    @Test("Descriptor encryption through the encrypt-only client on several cores, with progress; the owner decrypts", arguments: [1, 2])
    func descriptors(concurrency: Int) async throws {
        let (story, _, _) = try await Self.encryptOnlyStory()
        let encryptOnly = try EncryptOnlyClient(generatorKey: EncryptOnlyKey(.keyARN(story.key), permissions: .encryptOnly),
                                                transports: .single(story.transport(CrossAccountStory.externalUser)), concurrency: concurrency)
        #expect(encryptOnly.concurrency == concurrency)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-eo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plaintext = (0..<(3 << 20) + 77).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let plain = dir.appendingPathComponent("plain"), enc = dir.appendingPathComponent("enc")
        try Data(plaintext).write(to: plain)
        let input = try FileDescriptor.open(plain.path, .readOnly)
        let output = try FileDescriptor.open(enc.path, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
        let last = LastProgress()
        let result = try await encryptOnly.encrypt(from: input, to: output, encryptionContext: CrossAccountStory.encryptionContext,
                                                   frameLength: 4096, progress: { last.set($0) })
        try input.close(); try output.close()
        #expect(result.header.suite == encryptOnly.defaultSuite)
        #expect(last.value == Int64(plaintext.count))
        let owner = try KMSStrictDecryptionKeyring(keyARN: story.key, transport: story.transport(CrossAccountStory.user1))
        let message = [UInt8](try Data(contentsOf: enc))
        #expect(try await EnvelopeClient().decrypt(message, keyring: owner).plaintext == plaintext)
    }

    @Test("concurrency below 1 is refused when the client is built")
    func badConcurrency() async throws {
        let (story, _, _) = try await Self.encryptOnlyStory()
        #expect(throws: EnvelopeError.self) {
            _ = try EncryptOnlyClient(generatorKey: EncryptOnlyKey(.keyARN(story.key), permissions: .encryptOnly),
                                      transports: .single(story.transport(CrossAccountStory.externalUser)), concurrency: 0)
        }
    }
}

/// The last progress count reported (from pipeline threads).
final class LastProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64 = -1
    func set(_ value: Int64) { lock.withLock { last = Swift.max(last, value) } }
    var value: Int64 { lock.withLock { last } }
}
