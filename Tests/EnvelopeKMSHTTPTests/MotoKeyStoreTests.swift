import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import InMemoryTracing
import Testing

/// The branch key store over HTTP against moto's DynamoDB and KMS, and interop of the table with
/// the AWS Material Providers Library's key store (Python, 1.11.3) through Tests/Interop/keystore_peer.py.
/// Spec: framework/branch-key-store.md.
@Suite("Branch key store against moto (DynamoDB + KMS over HTTP)", .serialized)
struct MotoKeyStoreTests {
    static func tableName(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func createVersionAndReadOverHTTP() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let store = try await moto.store(table: Self.tableName("http"))
        let id = try await store.createKey(branchKeyIdentifier: "tenant-a", encryptionContext: ["tenant": "a"])
        let first = try await store.activeBranchKey(branchKeyIdentifier: id)
        #expect(first.branchKey.count == 32 && first.encryptionContext == ["tenant": "a"])
        #expect(try await store.beaconKey(branchKeyIdentifier: id).beaconKey.count == 32)
        try await store.versionKey(branchKeyIdentifier: id)
        let second = try await store.activeBranchKey(branchKeyIdentifier: id)
        #expect(second.branchKeyVersion != first.branchKeyVersion)
        let old = try await store.branchKeyVersion(branchKeyIdentifier: id, version: first.branchKeyVersion)
        #expect(old.branchKey == first.branchKey)
        // CreateKeyStore again: the table exists with the right schema.
        #expect(try await store.createKeyStore().hasSuffix(":table/\(store.tableName)"))
    }

    /// TransactWriteItems with a failed condition: a typed TransactionCanceledException with reasons.
    @Test func conditionalWriteConflictsAreTyped() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let store = try await moto.store(table: Self.tableName("conflict"))
        _ = try await store.createKey(branchKeyIdentifier: "dup", encryptionContext: ["k": "v"])
        let error = await caughtError(BranchKeyStoreError.self) { try await store.createKey(branchKeyIdentifier: "dup", encryptionContext: ["k": "v"]) }
        #expect(error?.kind == .branchKeyExists)
        let dynamo = try #require(error?.cause as? DynamoDBError)
        #expect(dynamo.code == .transactionCanceled)
        #expect(dynamo.cancellationReasons.contains(.conditionalCheckFailedReason))
        // The active item's `enc = :encOld` condition, rendered and checked by DynamoDB itself.
        let active = try #require(try await moto.dynamoDB().getItem(tableName: store.tableName,
                                                                   key: ["branch-key-id": .string("dup"), "type": .string("branch:ACTIVE")],
                                                                   consistentRead: true))
        let stale = DynamoDBPut(tableName: store.tableName, item: active,
                                condition: .and(.attributeExists("branch-key-id"), .equals("enc", .binary([1, 2, 3]))))
        let refused = await caughtError(DynamoDBError.self) { try await moto.dynamoDB().transactWriteItems([stale]) }
        #expect(refused?.isConditionalCheckFailure == true)
        let matching = DynamoDBPut(tableName: store.tableName, item: active,
                                   condition: .and(.attributeExists("branch-key-id"), .equals("enc", active["enc"]!)))
        try await moto.dynamoDB().transactWriteItems([matching])
    }

    @Test func wrongKMSKeyARNAndMissingTable() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let store = try await moto.store(table: Self.tableName("wrong-key"))
        let id = try await store.createKey()
        let other = KMSBranchKeyStore(tableName: store.tableName, logicalKeyStoreName: store.logicalKeyStoreName,
                                      kmsConfiguration: .keyARN(moto.key2), kms: moto.kms, dynamoDB: moto.dynamoDB())
        #expect(await caughtError(BranchKeyStoreError.self) { try await other.activeBranchKey(branchKeyIdentifier: id) }?.kind == .kmsKeyNotAllowed)
        let missing = KMSBranchKeyStore(tableName: "no-such-table", logicalKeyStoreName: "x", kmsConfiguration: .keyARN(moto.key1),
                                        kms: moto.kms, dynamoDB: moto.dynamoDB())
        let error = await caughtError(BranchKeyStoreError.self) { try await missing.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .tableNotFound)
        #expect((error?.cause as? DynamoDBError)?.code == .resourceNotFound)
    }

    /// A tampered item: moto's KMS refuses to decrypt under the changed encryption context.
    @Test func tamperedItemIsRefused() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let store = try await moto.store(table: Self.tableName("tamper"))
        let id = try await store.createKey(branchKeyIdentifier: "t", encryptionContext: ["department": "admin"])
        let dynamo = moto.dynamoDB()
        var item = try #require(try await dynamo.getItem(tableName: store.tableName, key: ["branch-key-id": .string(id), "type": .string("branch:ACTIVE")],
                                                         consistentRead: true))
        item["aws-crypto-ec:department"] = .string("finance")
        try await dynamo.transactWriteItems([DynamoDBPut(tableName: store.tableName, item: item)])
        let error = await caughtError(BranchKeyStoreError.self) { try await store.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error?.kind == .kmsCallFailed)
        #expect(error?.cause is KMSError)
    }

    /// DynamoDB errors over the wire: throttling is retried; ConditionalCheckFailedException and
    /// ResourceNotFoundException are typed; every call is a `DynamoDB.<Operation>` span.
    @Test func wireErrorsRetriesAndSpans() async throws {
        let server = try FaultServer(script: [
            .error(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "Rate exceeded"),
            .json(200, "{}"),
            .error(400, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed"),
            .error(400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found"),
        ])
        defer { server.shutdown() }
        let tracer = InMemoryTracer()
        let http = AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.001, maxBackoff: 0.01, attemptTimeout: 120, overallDeadline: 600),
                                 sleep: { _ in }, observability: EnvelopeObservability(tracer: tracer))
        let dynamo = DynamoDBHTTPTransport(region: "us-east-1", endpoint: AWSEndpoint(url: server.url, signingRegion: "us-east-1"),
                                           credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret")),
                                           http: http)
        let key: DynamoDBItem = ["branch-key-id": .string("a"), "type": .string("branch:ACTIVE")]
        #expect(try await dynamo.getItem(tableName: "t", key: key, consistentRead: false) == nil)
        let conditional = await caughtError(DynamoDBError.self) { try await dynamo.transactWriteItems([DynamoDBPut(tableName: "t", item: key)]) }
        #expect(conditional?.code == .conditionalCheckFailed && conditional?.isConditionalCheckFailure == true)
        #expect(conditional?.operation == "TransactWriteItems" && conditional?.httpStatus == 400)
        #expect(await caughtError(DynamoDBError.self) { try await dynamo.describeTable(tableName: "t") }?.code == .resourceNotFound)
        #expect(server.receivedTargets == ["DynamoDB_20120810.GetItem", "DynamoDB_20120810.GetItem",
                                           "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.DescribeTable"])
        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["DynamoDB.GetItem", "DynamoDB.TransactWriteItems", "DynamoDB.DescribeTable"])
        #expect(spans.allSatisfy { $0.string("rpc.service") == "DynamoDB" && $0.string("aws.dynamodb.table_names") == "t" })
    }

    @Test func unreachableEndpointIsATransportFailure() async throws {
        let port = try closedLoopbackPort()
        let dynamo = DynamoDBHTTPTransport(region: "us-east-1", endpoint: AWSEndpoint(url: URL(string: "http://127.0.0.1:\(port)")!, signingRegion: "us-east-1"),
                                           credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret")),
                                           http: AWSHTTPClient(retryPolicy: .none))
        let error = await caughtError(AWSTransportError.self) { try await dynamo.describeTable(tableName: "t") }
        #expect(error?.transportFailureKind == .connect)
    }

    // MARK: Interop with the Python MPL's key store

    static func hexOf(_ key: SecureBytes) -> String { hexString(key.withUnsafeBytes { Array($0) }) }

    static func peer(_ moto: MotoKeyStoreFixture.Info, table: String, _ arguments: [String]) throws -> [String: Any] {
        let script = try String(contentsOf: TestRepository.file("Tests/Interop/keystore_peer.py"), encoding: .utf8)
        let output = try PythonPeer.run(script: script, arguments: [moto.endpoint, table, table, moto.key1.description] + arguments)
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    }

    /// Python creates and versions a branch key in moto's table; we read every version and the beacon key.
    @Test func pythonCreatesWeRead() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let table = Self.tableName("py-to-swift")
        let store = try await moto.store(table: table)
        let id = try #require(try Self.peer(moto, table: table, ["create", "from-python", #"{"department":"admin"}"#])["id"] as? String)
        let before = try Self.peer(moto, table: table, ["read", id])
        _ = try Self.peer(moto, table: table, ["version", id])
        let after = try Self.peer(moto, table: table, ["read", id])
        let pythonOld = try #require(before["active"] as? [String: Any])
        let pythonNew = try #require(after["active"] as? [String: Any])

        let active = try await store.activeBranchKey(branchKeyIdentifier: id)
        #expect(active.branchKeyVersion == pythonNew["version"] as? String)
        #expect(Self.hexOf(active.branchKey) == pythonNew["key"] as? String)
        #expect(active.encryptionContext == ["department": "admin"])
        #expect(pythonNew["context"] as? [String: String] == ["department": "admin"])
        let old = try await store.branchKeyVersion(branchKeyIdentifier: id, version: try #require(pythonOld["version"] as? String))
        #expect(Self.hexOf(old.branchKey) == pythonOld["key"] as? String)
        #expect(Self.hexOf(try await store.beaconKey(branchKeyIdentifier: id).beaconKey) == after["beacon"] as? String)
    }

    /// We create and version a branch key; Python's key store reads the active and the old version and the beacon key.
    @Test func weCreatePythonReads() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let table = Self.tableName("swift-to-py")
        let store = try await moto.store(table: table)
        let id = try await store.createKey(branchKeyIdentifier: "from-swift", encryptionContext: ["department": "admin"])
        let first = try await store.activeBranchKey(branchKeyIdentifier: id)
        try await store.versionKey(branchKeyIdentifier: id)
        let second = try await store.activeBranchKey(branchKeyIdentifier: id)
        let read = try Self.peer(moto, table: table, ["read", id, first.branchKeyVersion])
        let active = try #require(read["active"] as? [String: Any])
        let version = try #require(read["version"] as? [String: Any])
        #expect(active["version"] as? String == second.branchKeyVersion)
        #expect(active["key"] as? String == Self.hexOf(second.branchKey))
        #expect(active["context"] as? [String: String] == ["department": "admin"])
        #expect(version["key"] as? String == Self.hexOf(first.branchKey))
        #expect(read["beacon"] as? String == Self.hexOf(try await store.beaconKey(branchKeyIdentifier: id).beaconKey))
        // And Python can version our key (its authenticating ReEncrypt accepts our active item).
        _ = try Self.peer(moto, table: table, ["version", id])
        #expect(try await store.activeBranchKey(branchKeyIdentifier: id).branchKeyVersion != second.branchKeyVersion)
    }
}
