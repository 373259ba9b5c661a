import Foundation
import Testing
import EnvelopeCore
import EnvelopeKMS

/// The 11 official hierarchical-keyring vectors of the dafny 4.1.0 manifest (static branch key
/// `static-branch-key-1`; Vectors/dafny-4.1.0-manifest-v5-hierarchy/SOURCE.md).
@Suite("Official hierarchy vectors")
struct HierarchyVectorTests {
    static let set = "Vectors/dafny-4.1.0-manifest-v5-hierarchy"

    static func url(_ path: String) throws -> URL {
        let root = try #require(Bundle.module.url(forResource: set, withExtension: nil))
        return root.appendingPathComponent(path.replacingOccurrences(of: "file://", with: ""))
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(path))) as! [String: Any]
    }

    @Test("all 11 static-branch-key vectors decrypt to their plaintext")
    func vectors() async throws {
        let manifest = try Self.json("decrypt-manifest-aws-kms-hierarchy.json")
        let (store, id) = try InMemoryBranchKeyStore.vectors(keysJSON: try Self.json("keys.json"))
        let keyring = try HierarchicalKeyring(store: store, branchKeyIdentifier: id, ttl: .seconds(600))
        let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        let tests = manifest["tests"] as! [String: [String: Any]]
        var passed = 0
        var suites = Set<String>()
        for (name, test) in tests.sorted(by: { $0.key < $1.key }) {
            let scenario = test["decryption-scenario"] as! [String: Any]
            let description = scenario["decryptKeyDescription"] as! [String: Any]
            #expect(description["type"] as? String == "aws-kms-hierarchy" && description["key"] as? String == "static-branch-key-1")
            let ciphertext = try [UInt8](Data(contentsOf: Self.url(scenario["ciphertext"] as! String)))
            let expected = try [UInt8](Data(contentsOf: Self.url(scenario["result"] as! String)))
            do {
                let result = try await client.decrypt(ciphertext, keyring: keyring,
                                                      encryptionContext: EncryptionContext(scenario["reproduced-encryption-context"] as? [String: String] ?? [:]))
                #expect(result.plaintext == expected, "\(name)")
                #expect(result.suite.idHex == scenario["algorithmSuiteId"] as? String, "\(name)")
                #expect(result.dataKeyOrigin?.providerID == "aws-kms-hierarchy")
                if result.plaintext == expected { passed += 1 }
                suites.insert(result.suite.idHex)
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        #expect(tests.count == 11)
        #expect(passed == 11)
        #expect(suites.count == 11, "one vector per algorithm suite")
        // One branch key version: one store call for all 11 messages (the cache serves the rest).
        #expect(store.versionCallCount == 1)
        print("[vectors] dafny-4.1.0-manifest-v5-hierarchy: \(tests.count) run, \(passed) passed, 0 skipped")
    }
}
