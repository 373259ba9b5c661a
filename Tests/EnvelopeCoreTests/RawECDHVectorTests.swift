import Foundation
import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

/// The 99 raw-ECDH tests of the official dafny 4.1.0 manifest (`decrypt-manifest-raw-ecdh.json`,
/// see `Vectors/dafny-4.1.0-manifest-v5/SOURCE.md`): 66 ephemeral-sender messages read with the
/// discovery schema and 33 static messages, on P-256, P-384 and P-521, over all 11 suites.
@Suite("Official ESDK vectors: raw ECDH")
struct RawECDHVectorTests {
    static let set = "dafny-4.1.0-manifest-v5"

    static func curve(_ name: String) throws -> ECDHCurve {
        switch name {
        case "ecc-256": .p256
        case "ecc-384": .p384
        case "ecc-521": .p521
        default: throw VectorError("unknown curve \(name)")
        }
    }

    struct VectorError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The keyrings that must decrypt one test: the discovery keyring for a discovery description;
    /// for a static one, the recipient's view (its private key, the sender's public key) and the
    /// sender's own view (its private key, the recipient's public key), which reads its own messages.
    static func keyrings(_ d: [String: Any], keys: [String: Any]) throws -> [any DecryptionKeyring] {
        let curve = try curve(d["ecc-curve"] as! String)
        let recipient = keys[d["recipient"] as! String] as! [String: Any]
        switch d["schema"] as! String {
        case "discovery":
            return [try RawECDHDiscoveryKeyring(curve: curve, recipientPrivateKeyPEM: recipient["recipient-material"] as! String)]
        case "static":
            let sender = keys[d["sender"] as! String] as! [String: Any]
            let senderPublic = Array(Data(base64Encoded: sender[d["sender-public-key"] as! String] as! String)!)
            let recipientPublic = Array(Data(base64Encoded: recipient[d["recipient-public-key"] as! String] as! String)!)
            return [
                try RawECDHKeyring(curve: curve, senderPrivateKeyPEM: recipient["recipient-material"] as! String, recipientPublicKeyDER: senderPublic),
                try RawECDHKeyring(curve: curve, senderPrivateKeyPEM: sender["sender-material"] as! String, recipientPublicKeyDER: recipientPublic),
            ]
        default:
            throw VectorError("unknown schema \(d["schema"] ?? "nil")")
        }
    }

    @Test("dafny-4.1.0 manifest v5: all 99 raw-ECDH vectors decrypt to their plaintext")
    func rawECDH() async throws {
        let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        let manifest = try Vectors.json("\(Self.set)/decrypt-manifest-raw-ecdh.json") as! [String: Any]
        let keys = (try Vectors.json("\(Self.set)/keys.json") as! [String: Any])["keys"] as! [String: Any]
        let tests = manifest["tests"] as! [String: [String: Any]]
        var passed = 0
        var suites = Set<UInt16>()
        var schemas: [String: Int] = [:]
        for (name, test) in tests.sorted(by: { $0.key < $1.key }) {
            let scenario = test["decryption-scenario"] as! [String: Any]
            #expect(scenario["type"] as? String == "positive-esdk")
            let description = scenario["decryptKeyDescription"] as! [String: Any]
            #expect(description["type"] as? String == "raw-ecdh")
            let ciphertext = try Vectors.file(Self.set, scenario["ciphertext"] as! String)
            let expected = try Vectors.file(Self.set, scenario["result"] as! String)
            let context = EncryptionContext(scenario["reproduced-encryption-context"] as? [String: String] ?? [:])
            var allDecrypted = true
            for keyring in try Self.keyrings(description, keys: keys) {
                do {
                    let result = try await client.decrypt(ciphertext, keyring: keyring, encryptionContext: context)
                    #expect(result.plaintext == expected, "\(name) with \(keyring)")
                    #expect(result.suite.idHex == scenario["algorithmSuiteId"] as? String, "\(name)")
                    #expect(result.encryptedDataKeys.map(\.providerID) == ["raw-ecdh"], "\(name)")
                    allDecrypted = allDecrypted && result.plaintext == expected
                    suites.insert(result.suite.id)
                } catch {
                    allDecrypted = false
                    Issue.record("\(name) (\(scenario["description"] ?? "")) with \(keyring): \(error)")
                }
            }
            if allDecrypted { passed += 1 }
            schemas[description["schema"] as! String, default: 0] += 1
        }
        #expect(tests.count == 99)
        #expect(passed == 99)
        #expect(schemas == ["discovery": 66, "static": 33])
        #expect(suites.count == 11, "all 11 suites are covered")
        print("[vectors] \(Self.set) raw ECDH: \(tests.count) run, \(passed) passed (66 ephemeral → discovery, 33 static read from both sides)")
    }
}
