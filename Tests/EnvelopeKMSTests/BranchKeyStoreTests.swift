import EnvelopeCrypto
@testable import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import Testing

/// The branch key store against the in-process local KMS and the in-memory DynamoDB.
/// Spec: framework/branch-key-store.md (aws-encryption-sdk-specification).
@Suite struct BranchKeyStoreTests {
    static let table = "branch-keys"
    static let logicalName = "envelope-test-store"

    struct Setup {
        let story: CrossAccountStory
        let dynamoDB: InMemoryDynamoDB
        let kms: CountingKMSTransport
        let recorder: RecordingKMSTransport
        let store: KMSBranchKeyStore

        func store(_ configuration: BranchKeyStoreKMSConfiguration, logicalName: String = BranchKeyStoreTests.logicalName,
                   dynamoDB: (any DynamoDBTransport)? = nil) -> KMSBranchKeyStore {
            KMSBranchKeyStore(tableName: BranchKeyStoreTests.table, logicalKeyStoreName: logicalName, kmsConfiguration: configuration,
                              kms: kms, dynamoDB: dynamoDB ?? self.dynamoDB)
        }
    }

    static func setup() async throws -> Setup {
        let story = try await CrossAccountStory.make()
        let dynamoDB = InMemoryDynamoDB()
        let recorder = RecordingKMSTransport(story.client(CrossAccountStory.user1))
        let kms = CountingKMSTransport(recorder)
        let store = KMSBranchKeyStore(tableName: table, logicalKeyStoreName: logicalName, kmsConfiguration: .keyARN(story.key),
                                      kms: kms, dynamoDB: dynamoDB)
        _ = try await store.createKeyStore()
        return Setup(story: story, dynamoDB: dynamoDB, kms: kms, recorder: recorder, store: store)
    }

    static func activeItem(_ setup: Setup, _ id: String) async -> DynamoDBItem? {
        await setup.dynamoDB.items(tableName: table).first { $0["branch-key-id"] == .string(id) && $0["type"] == .string("branch:ACTIVE") }
    }

    @Test func createThenReadActiveVersionAndBeacon() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey(encryptionContext: ["department": "admin"])
        #expect(UUID(uuidString: id) != nil)
        let active = try await setup.store.activeBranchKey(branchKeyIdentifier: id)
        #expect(active.branchKeyIdentifier == id)
        #expect(active.branchKey.count == 32)
        #expect(active.encryptionContext == ["department": "admin"])
        let version = try await setup.store.branchKeyVersion(branchKeyIdentifier: id, version: active.branchKeyVersion)
        #expect(version.branchKey == active.branchKey)
        #expect(version.branchKeyVersion == active.branchKeyVersion)
        let beacon = try await setup.store.beaconKey(branchKeyIdentifier: id)
        #expect(beacon.beaconKeyIdentifier == id)
        #expect(beacon.beaconKey.count == 32)
        #expect(beacon.beaconKey != active.branchKey)
    }

    /// The three items carry exactly the attributes of the spec's record format (and the Python MPL's items).
    @Test func itemsAreLaidOutAsSpecified() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey(branchKeyIdentifier: "tenant-1", encryptionContext: ["department": "admin"])
        let items = await setup.dynamoDB.items(tableName: Self.table)
        #expect(items.count == 3)
        let common: Set<String> = ["branch-key-id", "type", "enc", "create-time", "kms-arn", "hierarchy-version", "aws-crypto-ec:department"]
        let byType = Dictionary(uniqueKeysWithValues: items.map { ($0["type"]!.stringValue!, $0) })
        let active = try #require(byType["branch:ACTIVE"])
        let beacon = try #require(byType["beacon:ACTIVE"])
        let versionType = try #require(active["version"]?.stringValue)
        #expect(versionType.hasPrefix("branch:version:"))
        let decryptOnly = try #require(byType[versionType])
        #expect(Set(active.keys) == common.union(["version"]))
        #expect(Set(beacon.keys) == common)
        #expect(Set(decryptOnly.keys) == common)
        for item in [active, beacon, decryptOnly] {
            #expect(item["branch-key-id"] == .string(id))
            #expect(item["kms-arn"] == .string(setup.story.key.description))
            #expect(item["hierarchy-version"] == .number("1"))
            #expect(item["aws-crypto-ec:department"] == .string("admin"))
            #expect(item["enc"]?.binaryValue?.isEmpty == false)
            let time = try #require(item["create-time"]?.stringValue)
            #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/) != nil)
        }
        #expect(UUID(uuidString: String(versionType.dropFirst("branch:version:".count))) != nil)
    }

    /// The KMS calls and their encryption contexts, as the spec's "Wrapped Branch Key Creation v1" and
    /// "Wrapped Beacon Key Creation v1" construct them.
    @Test func createSendsTheSpecifiedEncryptionContexts() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey(branchKeyIdentifier: "tenant-2", encryptionContext: ["department": "admin"])
        #expect(setup.kms.counts == [.generateDataKeyWithoutPlaintext: 2, .reEncrypt: 1])
        let generated = setup.recorder.generated
        let reEncrypted = try #require(setup.recorder.reEncrypted.first)
        let versionType = try #require(generated.first?.encryptionContext["type"])
        let base = ["branch-key-id": id, "tablename": Self.logicalName, "kms-arn": setup.story.key.description,
                    "hierarchy-version": "1", "aws-crypto-ec:department": "admin"]
        let createTime = try #require(generated.first?.encryptionContext["create-time"])
        func context(_ extra: [String: String]) -> [String: String] { base.merging(extra) { _, new in new }.merging(["create-time": createTime]) { _, n in n } }
        #expect(generated.map(\.encryptionContext) == [context(["type": versionType]), context(["type": "beacon:ACTIVE"])])
        #expect(generated.allSatisfy { $0.numberOfBytes == 32 && $0.keyId == .keyARN(setup.story.key) })
        #expect(reEncrypted.sourceEncryptionContext == context(["type": versionType]))
        #expect(reEncrypted.destinationEncryptionContext == context(["type": "branch:ACTIVE", "version": versionType]))
        #expect(reEncrypted.sourceKeyId == .keyARN(setup.story.key) && reEncrypted.destinationKeyId == .keyARN(setup.story.key))
    }

    /// Rotation: a new active version; the old version still reads with its old key.
    @Test func versionKeyRotatesAndOldVersionStaysReadable() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        let first = try await setup.store.activeBranchKey(branchKeyIdentifier: id)
        let firstActiveItem = await Self.activeItem(setup, id)
        try await setup.store.versionKey(branchKeyIdentifier: id)
        let second = try await setup.store.activeBranchKey(branchKeyIdentifier: id)
        #expect(second.branchKeyVersion != first.branchKeyVersion)
        #expect(second.branchKey != first.branchKey)
        let old = try await setup.store.branchKeyVersion(branchKeyIdentifier: id, version: first.branchKeyVersion)
        #expect(old.branchKey == first.branchKey)
        #expect(await setup.dynamoDB.items(tableName: Self.table).count == 4)
        #expect(await Self.activeItem(setup, id)?["enc"] != firstActiveItem?["enc"])
        let description = try await setup.store.describeBranchKey(branchKeyIdentifier: id)
        #expect(description.activeVersion == second.branchKeyVersion)
    }

    @Test func versionKeyKeepsTheCustomEncryptionContext() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey(branchKeyIdentifier: "tenant-3", encryptionContext: ["tenant": "3", "tier": "gold"])
        try await setup.store.versionKey(branchKeyIdentifier: id)
        let active = try await setup.store.activeBranchKey(branchKeyIdentifier: id)
        #expect(active.encryptionContext == ["tenant": "3", "tier": "gold"])
    }

    /// An item wrapped under another KMS key than the configured one is refused before any KMS call.
    @Test func wrongKMSKeyARNIsRefused() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        let other = try KMSKeyARN(parsing: "arn:aws:kms:us-east-1:109876543210:key/11111111-2222-3333-4444-555555555555")
        setup.kms.reset()
        let error = await caughtError(BranchKeyStoreError.self) { try await setup.store(.keyARN(other)).activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .kmsKeyNotAllowed)
        #expect(setup.kms.totalCount == 0)
        let versioning = await caughtError(BranchKeyStoreError.self) { try await setup.store(.keyARN(other)).versionKey(branchKeyIdentifier: id) }
        #expect(versioning?.kind == .kmsKeyNotAllowed)
    }

    @Test func discoveryReadsButDoesNotWrite() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        let discovery = setup.store(.discovery)
        let active = try await discovery.activeBranchKey(branchKeyIdentifier: id)
        #expect(active.branchKey.count == 32)
        #expect(await caughtError(BranchKeyStoreError.self) { try await discovery.createKey() }?.kind == .discoveryCannotWrite)
        #expect(await caughtError(BranchKeyStoreError.self) { try await discovery.versionKey(branchKeyIdentifier: id) }?.kind == .discoveryCannotWrite)
    }

    /// Another logical key store name: the encryption context differs, KMS refuses to decrypt.
    @Test func anotherLogicalNameCannotDecrypt() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        let error = await caughtError(BranchKeyStoreError.self) {
            try await setup.store(.keyARN(setup.story.key), logicalName: "another-store").activeBranchKey(branchKeyIdentifier: id)
        }
        #expect(error?.kind == .kmsCallFailed)
        #expect((error?.cause as? KMSError)?.code == .invalidCiphertext)
    }

    @Test func creatingAnExistingBranchKeyIsAConflict() async throws {
        let setup = try await Self.setup()
        _ = try await setup.store.createKey(branchKeyIdentifier: "tenant-4", encryptionContext: ["tenant": "4"])
        let error = await caughtError(BranchKeyStoreError.self) {
            try await setup.store.createKey(branchKeyIdentifier: "tenant-4", encryptionContext: ["tenant": "4"])
        }
        #expect(error?.kind == .branchKeyExists)
        #expect((error?.cause as? DynamoDBError)?.isConditionalCheckFailure == true)
        #expect(await setup.dynamoDB.items(tableName: Self.table).count == 3)
    }

    /// Two writers version the same key: the one whose active item changed under it fails and writes nothing.
    @Test func concurrentVersionIsRefused() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        let interleaving = InterleavingDynamoDB(base: setup.dynamoDB) {
            try await setup.store.versionKey(branchKeyIdentifier: id)
        }
        let error = await caughtError(BranchKeyStoreError.self) {
            try await setup.store(.keyARN(setup.story.key), dynamoDB: interleaving).versionKey(branchKeyIdentifier: id)
        }
        #expect(error?.kind == .concurrentModification)
        #expect(await setup.dynamoDB.items(tableName: Self.table).count == 4)  // 3 + the other writer's version
    }

    @Test(arguments: [
        ("aws-crypto-ec:department", DynamoDBAttributeValue.string("finance")),
        ("create-time", .string("2020-01-01T00:00:00.000000Z")),
        ("version", .string("branch:version:00000000-0000-4000-8000-000000000000")),
        ("extra", .string("added")),
    ])
    func tamperedItemIsRefusedByKMS(attribute: String, value: DynamoDBAttributeValue) async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey(branchKeyIdentifier: "tenant-5", encryptionContext: ["department": "admin"])
        var item = try #require(await Self.activeItem(setup, id))
        item[attribute] = value
        try await setup.dynamoDB.overwrite(item, tableName: Self.table)
        let error = await caughtError(BranchKeyStoreError.self) { try await setup.store.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .kmsCallFailed)
        #expect((error?.cause as? KMSError)?.code == .invalidCiphertext)
        // Versioning authenticates the active item first (ReEncrypt), so it refuses too.
        let versioning = await caughtError(BranchKeyStoreError.self) { try await setup.store.versionKey(branchKeyIdentifier: id) }
        #expect(versioning?.kind == .kmsCallFailed)
    }

    @Test(arguments: ["enc", "kms-arn", "hierarchy-version", "create-time", "version"])
    func itemWithoutARequiredAttributeIsMalformed(attribute: String) async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        var item = try #require(await Self.activeItem(setup, id))
        item[attribute] = nil
        try await setup.dynamoDB.overwrite(item, tableName: Self.table)
        let error = await caughtError(BranchKeyStoreError.self) { try await setup.store.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .malformedItem)
    }

    @Test func hierarchyVersion2IsNotImplemented() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        var item = try #require(await Self.activeItem(setup, id))
        item["hierarchy-version"] = .number("2")
        try await setup.dynamoDB.overwrite(item, tableName: Self.table)
        let error = await caughtError(BranchKeyStoreError.self) { try await setup.store.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .unsupportedHierarchyVersion)
    }

    @Test func missingItemsAndTables() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        #expect(await caughtError(BranchKeyStoreError.self) { try await setup.store.activeBranchKey(branchKeyIdentifier: "nope") }?.kind == .itemNotFound)
        #expect(await caughtError(BranchKeyStoreError.self) {
            try await setup.store.branchKeyVersion(branchKeyIdentifier: id, version: "00000000-0000-4000-8000-000000000000")
        }?.kind == .itemNotFound)
        let elsewhere = KMSBranchKeyStore(tableName: "missing", logicalKeyStoreName: Self.logicalName,
                                          kmsConfiguration: .keyARN(setup.story.key), kms: setup.kms, dynamoDB: setup.dynamoDB)
        let error = await caughtError(BranchKeyStoreError.self) { try await elsewhere.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .tableNotFound)
        #expect((error?.cause as? DynamoDBError)?.code == .resourceNotFound)
        #expect(await caughtError(BranchKeyStoreError.self) { try await elsewhere.createKey() }?.kind == .tableNotFound)
    }

    @Test func createKeyStoreIsIdempotentAndChecksTheSchema() async throws {
        let setup = try await Self.setup()
        let arn = try await setup.store.createKeyStore()
        #expect(arn == "arn:aws:dynamodb:us-east-1:000000000000:table/\(Self.table)")
        #expect(try await setup.store.createKeyStore() == arn)
        _ = try await setup.dynamoDB.createTable(tableName: "other", keySchema: [DynamoDBKeySchemaElement(attributeName: "id", keyType: .hash)])
        let other = KMSBranchKeyStore(tableName: "other", logicalKeyStoreName: "x", kmsConfiguration: .keyARN(setup.story.key),
                                      kms: setup.kms, dynamoDB: setup.dynamoDB)
        #expect(await caughtError(BranchKeyStoreError.self) { try await other.createKeyStore() }?.kind == .tableKeySchemaMismatch)
    }

    @Test func invalidRequests() async throws {
        let setup = try await Self.setup()
        #expect(await caughtError(BranchKeyStoreError.self) { try await setup.store.createKey(branchKeyIdentifier: "no-context") }?.kind == .invalidRequest)
        #expect(await caughtError(BranchKeyStoreError.self) { try await setup.store.createKey(branchKeyIdentifier: "", encryptionContext: ["a": "b"]) }?.kind == .invalidRequest)
        #expect(await caughtError(BranchKeyStoreError.self) { try await setup.store.activeBranchKey(branchKeyIdentifier: "") }?.kind == .invalidRequest)
    }

    /// A KMS answer with a key of the wrong length is refused.
    @Test func shortKeyFromKMSIsRefused() async throws {
        let setup = try await Self.setup()
        let id = try await setup.store.createKey()
        let short = KMSBranchKeyStore(tableName: Self.table, logicalKeyStoreName: Self.logicalName, kmsConfiguration: .keyARN(setup.story.key),
                                      kms: RecordingKMSTransport(setup.kms, shortDecrypt: true), dynamoDB: setup.dynamoDB)
        #expect(await caughtError(BranchKeyStoreError.self) { try await short.activeBranchKey(branchKeyIdentifier: id) }?.kind == .unexpectedKMSResponse)
    }

    /// Typed DynamoDB errors of the in-memory table.
    @Test func inMemoryTableConditionsAndErrors() async throws {
        let db = InMemoryDynamoDB()
        _ = try await db.createTable(tableName: "t", keySchema: KMSBranchKeyStore.tableKeySchema)
        let item: DynamoDBItem = ["branch-key-id": .string("a"), "type": .string("b"), "enc": .binary([1])]
        try await db.transactWriteItems([DynamoDBPut(tableName: "t", item: item, condition: .attributeNotExists("branch-key-id"))])
        let conflict = await caughtError(DynamoDBError.self) {
            try await db.transactWriteItems([DynamoDBPut(tableName: "t", item: item, condition: .attributeNotExists("branch-key-id"))])
        }
        #expect(conflict?.code == .transactionCanceled && conflict?.cancellationReasons == [.conditionalCheckFailedReason])
        try await db.transactWriteItems([DynamoDBPut(tableName: "t", item: item, condition: .and(.attributeExists("branch-key-id"), .equals("enc", .binary([1]))))])
        #expect(await caughtError(DynamoDBError.self) {
            try await db.transactWriteItems([DynamoDBPut(tableName: "t", item: item, condition: .equals("enc", .binary([2])))])
        }?.isConditionalCheckFailure == true)
        #expect(await caughtError(DynamoDBError.self) { try await db.describeTable(tableName: "u") }?.code == .resourceNotFound)
        #expect(await caughtError(DynamoDBError.self) { try await db.createTable(tableName: "t", keySchema: []) }?.code == .resourceInUse)
        #expect(await db.callCount("TransactWriteItems") == 4)
    }

    @Test func timestampHasMicrosecondPrecision() {
        #expect(KMSBranchKeyStore.timestamp(Date(timeIntervalSince1970: 1_685_818_409.358123)) == "2023-06-03T18:53:29.358123Z")
    }
}

/// Records the write requests the store sends to KMS; with `shortDecrypt`, Decrypt answers a 16-byte plaintext.
final class RecordingKMSTransport: KMSTransport, @unchecked Sendable {
    let base: any KMSTransport
    let shortDecrypt: Bool
    private let lock = NSLock()
    private var generatedRequests: [GenerateDataKeyWithoutPlaintextRequest] = []
    private var reEncryptRequests: [ReEncryptRequest] = []

    init(_ base: any KMSTransport, shortDecrypt: Bool = false) {
        self.base = base
        self.shortDecrypt = shortDecrypt
    }

    var generated: [GenerateDataKeyWithoutPlaintextRequest] { lock.withLock { generatedRequests } }
    var reEncrypted: [ReEncryptRequest] { lock.withLock { reEncryptRequests } }
    var region: AWSRegion { base.region }

    func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest) async throws -> GenerateDataKeyWithoutPlaintextResponse {
        lock.withLock { generatedRequests.append(request) }
        return try await base.generateDataKeyWithoutPlaintext(request)
    }
    func reEncrypt(_ request: ReEncryptRequest) async throws -> ReEncryptResponse {
        lock.withLock { reEncryptRequests.append(request) }
        return try await base.reEncrypt(request)
    }
    func generateDataKey(_ request: GenerateDataKeyRequest) async throws -> GenerateDataKeyResponse { try await base.generateDataKey(request) }
    func encrypt(_ request: EncryptRequest) async throws -> EncryptResponse { try await base.encrypt(request) }
    func decrypt(_ request: DecryptRequest) async throws -> DecryptResponse {
        let response = try await base.decrypt(request)
        guard shortDecrypt else { return response }
        return DecryptResponse(keyId: response.keyId, plaintext: try SecureBytes(copying: [UInt8](repeating: 7, count: 16)))
    }
    func describeKey(_ request: DescribeKeyRequest) async throws -> DescribeKeyResponse { try await base.describeKey(request) }
    func getPublicKey(_ request: GetPublicKeyRequest) async throws -> GetPublicKeyResponse { try await base.getPublicKey(request) }
    func createGrant(_ request: CreateGrantRequest) async throws -> CreateGrantResponse { try await base.createGrant(request) }
    func listGrants(_ request: ListGrantsRequest) async throws -> ListGrantsResponse { try await base.listGrants(request) }
    func revokeGrant(_ request: RevokeGrantRequest) async throws -> RevokeGrantResponse { try await base.revokeGrant(request) }
}

/// A DynamoDB that runs `interloper` once, just before the first TransactWriteItems it forwards.
actor InterleavingDynamoDB: DynamoDBTransport {
    let base: InMemoryDynamoDB
    private var interloper: (@Sendable () async throws -> Void)?

    init(base: InMemoryDynamoDB, interloper: @escaping @Sendable () async throws -> Void) {
        self.base = base
        self.interloper = interloper
    }

    nonisolated var region: AWSRegion { base.region }

    func getItem(tableName: String, key: DynamoDBItem, consistentRead: Bool) async throws -> DynamoDBItem? {
        try await base.getItem(tableName: tableName, key: key, consistentRead: consistentRead)
    }
    func transactWriteItems(_ puts: [DynamoDBPut]) async throws {
        if let interloper { self.interloper = nil; try await interloper() }
        try await base.transactWriteItems(puts)
    }
    func describeTable(tableName: String) async throws -> DynamoDBTableDescription { try await base.describeTable(tableName: tableName) }
    func createTable(tableName: String, keySchema: [DynamoDBKeySchemaElement]) async throws -> DynamoDBTableDescription {
        try await base.createTable(tableName: tableName, keySchema: keySchema)
    }
}
