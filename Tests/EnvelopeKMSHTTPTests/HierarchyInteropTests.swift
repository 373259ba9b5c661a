import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Testing

/// The hierarchical keyring against the official one (Python ESDK 4.0.7 with the Material
/// Providers Library 1.11.3, Tests/Interop/hierarchy_peer.py), both over moto's DynamoDB and KMS:
/// the same table, the same KMS key, the same branch key, messages read both ways, and rotation.
/// Spec: framework/aws-kms/aws-kms-hierarchical-keyring.md.
@Suite("Hierarchical keyring interop with the Python ESDK (moto)", .serialized)
struct HierarchyInteropTests {
    /// Runs peer commands (separated by "--") in one Python process; one JSON object per command.
    static func peer(_ moto: MotoKeyStoreFixture.Info, table: String, _ arguments: [String]) throws -> [[String: Any]] {
        let script = try String(contentsOf: TestRepository.file("Tests/Interop/hierarchy_peer.py"), encoding: .utf8)
        let output = try PythonPeer.run(script: script, arguments: [moto.endpoint, moto.key1.description, table, table] + arguments)
        return try output.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// The branch key version of the EDK a decrypt used.
    static func version(of result: DecryptResult) throws -> String {
        let edk = try #require(result.dataKeyOrigin?.encryptedDataKey)
        return try #require(HierarchicalKeyring.branchKey(of: edk)?.version)
    }

    static func version(of result: EncryptResult) throws -> String {
        let edk = try #require(result.header.encryptedDataKeys.first)
        return try #require(HierarchicalKeyring.branchKey(of: edk)?.version)
    }

    @Test("Python writes the table and a branch key; each side reads the other's messages, before and after rotation")
    func bothWays() async throws {
        let moto = try await MotoKeyStoreFixture.shared.start()
        let table = "hierarchy-\(UUID().uuidString.prefix(8).lowercased())"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hier-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let plaintext = Array("records for tenant a, from Python".utf8)
        try Data(plaintext).write(to: URL(fileURLWithPath: path("py.txt")))

        // Python: the table, a branch key, a message.
        let created = try Self.peer(moto, table: table, ["create-store", "--", "create-key"])
        let branchKeyID = try #require(created.last?["branchKeyId"] as? String)
        _ = try Self.peer(moto, table: table, ["encrypt", branchKeyID, path("py.txt"), path("py1.msg"), "tenant=a"])

        // Swift reads it through its own store over HTTP, and writes one.
        let store = KMSBranchKeyStore(tableName: table, logicalKeyStoreName: table, kmsConfiguration: .keyARN(moto.key1),
                                      kms: moto.kms, dynamoDB: moto.dynamoDB())
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: branchKeyID, ttl: .seconds(600))
        let client = EnvelopeClient(commitmentPolicy: .requireEncryptRequireDecrypt)
        let py1 = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("py1.msg"))))
        let read1 = try await client.decrypt(py1, keyring: keyring, encryptionContext: ["tenant": "a"])
        #expect(read1.plaintext == plaintext)
        let swiftPlaintext = Array("records for tenant a, from Swift".utf8)
        let sealed1 = try await client.encrypt(swiftPlaintext, keyring: keyring, encryptionContext: ["tenant": "a"])
        let sw1 = sealed1.ciphertext
        try Data(sw1).write(to: URL(fileURLWithPath: path("sw1.msg")))
        let v1 = try Self.version(of: sealed1)
        #expect(try Self.version(of: read1) == v1, "both sides used the active version")

        // Python reads it, rotates the branch key, writes under the new version.
        _ = try Self.peer(moto, table: table, ["decrypt", branchKeyID, path("sw1.msg"), path("sw1.out"), "tenant=a",
                                               "--", "version-key", branchKeyID,
                                               "--", "encrypt", branchKeyID, path("py.txt"), path("py2.msg"), "tenant=a"])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("sw1.out")))) == swiftPlaintext)
        let py2 = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("py2.msg"))))

        // A new keyring (cold cache) reads both versions and encrypts under the new one.
        let rotated = try HierarchicalKeyring(store: store, branchKeyIdentifier: branchKeyID, ttl: .seconds(600))
        let read2 = try await client.decrypt(py2, keyring: rotated)
        #expect(read2.plaintext == plaintext)
        let v2 = try Self.version(of: read2)
        #expect(v2 != v1, "Python encrypts under the new version")
        #expect(try await client.decrypt(py1, keyring: rotated).plaintext == plaintext)
        let sealed2 = try await client.encrypt(swiftPlaintext, keyring: rotated, encryptionContext: ["tenant": "a"])
        let sw2 = sealed2.ciphertext
        #expect(try Self.version(of: sealed2) == v2)
        try Data(sw2).write(to: URL(fileURLWithPath: path("sw2.msg")))
        _ = try Self.peer(moto, table: table, ["decrypt", branchKeyID, path("sw2.msg"), path("sw2.out"), "tenant=a",
                                               "--", "decrypt", branchKeyID, path("sw1.msg"), path("sw1b.out"), "tenant=a"])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("sw2.out")))) == swiftPlaintext)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("sw1b.out")))) == swiftPlaintext)
    }
}
