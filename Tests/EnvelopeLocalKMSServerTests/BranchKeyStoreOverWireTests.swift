import EnvelopeKMS
import EnvelopeKMSHTTP
import Foundation
import Testing

/// The branch key store's KMS calls (GenerateDataKeyWithoutPlaintext, ReEncrypt with source and
/// destination contexts, Decrypt) over the local KMS server's wire protocol, with its policy checks;
/// the table is the in-memory DynamoDB.
@Suite("Branch key store over the local KMS server", .serialized)
struct BranchKeyStoreOverWireTests {
    @Test("create, version, read every version and the beacon key; another principal is refused")
    func storeOverTheWire() async throws {
        let served = try await ServedKMS.start()
        let kms = try served.transport(served.user1.accessKeyId, served.user1.secretAccessKey)
        let dynamoDB = InMemoryDynamoDB()
        let store = KMSBranchKeyStore(tableName: "branch-keys", logicalKeyStoreName: "wire", kmsConfiguration: .keyARN(served.key),
                                      kms: kms, dynamoDB: dynamoDB)
        _ = try await store.createKeyStore()
        let id = try await store.createKey(branchKeyIdentifier: "wire-1", encryptionContext: ["purpose": "wire-test"])
        let first = try await store.activeBranchKey(branchKeyIdentifier: id)
        try await store.versionKey(branchKeyIdentifier: id)
        let second = try await store.activeBranchKey(branchKeyIdentifier: id)
        #expect(second.branchKeyVersion != first.branchKeyVersion)
        #expect(try await store.branchKeyVersion(branchKeyIdentifier: id, version: first.branchKeyVersion).branchKey == first.branchKey)
        #expect(try await store.beaconKey(branchKeyIdentifier: id).beaconKey.count == 32)

        // A principal the key policy does not allow: KMS's AccessDeniedException, kept typed.
        let noAccess = try served.transport(served.noAccess.accessKeyId, served.noAccess.secretAccessKey)
        let denied = KMSBranchKeyStore(tableName: "branch-keys", logicalKeyStoreName: "wire", kmsConfiguration: .keyARN(served.key),
                                       kms: noAccess, dynamoDB: dynamoDB)
        let error = try await #require(throws: BranchKeyStoreError.self) { try await denied.activeBranchKey(branchKeyIdentifier: id) }
        #expect(error.kind == .kmsCallFailed)
        #expect((error.cause as? KMSError)?.code == .accessDenied)
        let refusedVersion = try await #require(throws: BranchKeyStoreError.self) { try await denied.versionKey(branchKeyIdentifier: id) }
        #expect((refusedVersion.cause as? KMSError)?.code == .accessDenied)
        await served.server.stop()
    }
}
