import Foundation
import Testing
import EnvelopeTestSupport
import EnvelopeCrypto
@testable import EnvelopeCore

/// Decrypts the official ESDK vectors that need no AWS (copied into `Vectors/`, see its SOURCE.md).
///
/// Layouts: `awses-decrypt` v5 (dafny set: `decryptKeyDescription` = raw / multi-keyring /
/// required-encryption-context-cmm), v4 (.NET sets: `master-keys` list, `cmm`), commitment KATs
/// (data key given), C-SDK small files, Python decrypt-oracle (null / counting keys).
@Suite("Official ESDK vectors")
struct VectorTests {
    let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)

    enum Kind { case keyring(any DecryptionKeyring), cmm(any DecryptionMaterialsManager) }

    func decrypt(_ ciphertext: [UInt8], _ kind: Kind, context: EncryptionContext) async throws -> DecryptResult {
        switch kind {
        case .keyring(let k): try await client.decrypt(ciphertext, keyring: k, encryptionContext: context)
        case .cmm(let c): try await client.decrypt(ciphertext, materialsManager: c, encryptionContext: context)
        }
    }

    static func v5Kind(_ d: [String: Any], keys: [String: Any]) throws -> Kind? {
        switch d["type"] as! String {
        case "raw":
            return try Vectors.rawKeyring(keys: keys, description: d).map { .keyring($0) }
        case "multi-keyring":
            let generator = try (d["generator"] as? [String: Any]).flatMap { try Vectors.rawKeyring(keys: keys, description: $0) }
            let children = try (d["childKeyrings"] as? [[String: Any]] ?? []).compactMap { try Vectors.rawKeyring(keys: keys, description: $0) }
            return .keyring(try MultiKeyring(generator: generator, children: children))
        case "required-encryption-context-cmm":
            guard case .keyring(let k)? = try v5Kind(d["underlying"] as! [String: Any], keys: keys), let keyring = k as? any Keyring else { return nil }
            return .cmm(RequiredEncryptionContextMaterialsManager(keyring: keyring, requiredKeys: d["requiredEncryptionContextKeys"] as! [String]))
        default:
            return nil
        }
    }

    @Test("dafny-4.1.0 manifest v5: all 187 offline vectors decrypt to their plaintext")
    func dafnyV5() async throws {
        let set = "dafny-4.1.0-manifest-v5"
        let manifest = try Vectors.json("\(set)/decrypt-manifest.json") as! [String: Any]
        let keys = (try Vectors.json("\(set)/keys.json") as! [String: Any])["keys"] as! [String: Any]
        let tests = manifest["tests"] as! [String: [String: Any]]
        var passed = 0
        var suites = Set<UInt16>()
        for (name, test) in tests.sorted(by: { $0.key < $1.key }) {
            let scenario = test["decryption-scenario"] as! [String: Any]
            #expect(scenario["type"] as? String == "positive-esdk")
            guard let kind = try Self.v5Kind(scenario["decryptKeyDescription"] as! [String: Any], keys: keys) else {
                Issue.record("\(name): unsupported key description"); continue
            }
            let ciphertext = try Vectors.file(set, scenario["ciphertext"] as! String)
            let expected = try Vectors.file(set, scenario["result"] as! String)
            do {
                let result = try await decrypt(ciphertext, kind, context: EncryptionContext(scenario["reproduced-encryption-context"] as? [String: String] ?? [:]))
                #expect(result.plaintext == expected, "\(name)")
                #expect(result.suite.idHex == scenario["algorithmSuiteId"] as? String, "\(name)")
                if result.plaintext == expected { passed += 1 }
                suites.insert(result.suite.id)
            } catch {
                Issue.record("\(name) (\(scenario["description"] ?? "")): \(error)")
            }
        }
        #expect(tests.count == 187)
        #expect(passed == tests.count)
        #expect(suites.count == 11, "all 11 suites are covered")
        // Of the upstream manifest's 487 tests, 187 are here; raw ECDH (99) runs in RawECDHVectorTests and
        // the static-branch-key hierarchy tests (11) in EnvelopeKMSTests; 190 need AWS KMS.
        print("[vectors] \(set): \(tests.count) run, \(passed) passed; raw ECDH 99 and hierarchy 11 run in their own suites; 190 skipped (need AWS KMS)")
    }

    static func v4Kind(_ test: [String: Any], keys: [String: Any]) throws -> (Kind, EncryptionContext) {
        let context = test["encryption-context"] as? [String: String] ?? [:]
        var keyrings: [any DecryptionKeyring] = []
        for mk in test["master-keys"] as! [[String: Any]] {
            let entry = keys[mk["key"] as! String] as! [String: Any]
            guard entry["type"] as? String != "public", let k = try Vectors.rawKeyring(keys: keys, description: mk) else { continue }
            keyrings.append(k)
        }
        let keyring = try MultiDecryptionKeyring(keyrings: keyrings)
        if test["cmm"] as? String == "RequiredEncryptionContext" {
            return (.cmm(RequiredEncryptionContextMaterialsManager(decryptionUnderlying: DefaultMaterialsManager(decryptionKeyring: keyring),
                                                                   requiredKeys: Array(context.keys))), EncryptionContext(context))
        }
        return (.keyring(keyring), EncryptionContext(context))
    }

    @Test("ESDK-.NET v4 sets: net-v4-Net-4.0.1 (99 offline) and net-valid-Net-4.0.0 (5) decrypt",
          arguments: ["net-v4-Net-4.0.1", "net-valid-Net-4.0.0"])
    func netValid(set: String) async throws {
        let manifest = try Vectors.json("\(set)/manifest.json") as! [String: Any]
        let keys = (try Vectors.json("\(set)/keys.json") as! [String: Any])["keys"] as! [String: Any]
        let tests = manifest["tests"] as! [String: [String: Any]]
        var passed = 0
        for (name, test) in tests.sorted(by: { $0.key < $1.key }) {
            let (kind, context) = try Self.v4Kind(test, keys: keys)
            let ciphertext = try Vectors.file(set, test["ciphertext"] as! String)
            let expected = try Vectors.file(set, ((test["result"] as! [String: Any])["output"] as! [String: Any])["plaintext"] as! String)
            do {
                let result = try await decrypt(ciphertext, kind, context: context)
                #expect(result.plaintext == expected, "\(name)")
                if result.plaintext == expected { passed += 1 }
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        #expect(passed == tests.count)
        #expect(tests.count == (set == "net-v4-Net-4.0.1" ? 99 : 5))
        print("[vectors] \(set): \(tests.count) run, \(passed) passed, \(set == "net-v4-Net-4.0.1" ? 33 : 0) skipped (AWS KMS)")
    }

    @Test("net-invalid-Net-4.0.0: all 28 non-spec messages fail")
    func netInvalid() async throws {
        let set = "net-invalid-Net-4.0.0"
        let manifest = try Vectors.json("\(set)/manifest.json") as! [String: Any]
        let keys = (try Vectors.json("\(set)/keys.json") as! [String: Any])["keys"] as! [String: Any]
        let expectations = ((try Vectors.json("\(set)/EXPECTED-spec-results.json") as! [String: Any])["tests"] as! [String: [String: Any]])
        let tests = manifest["tests"] as! [String: [String: Any]]
        var failedAsExpected = 0
        for (name, test) in tests.sorted(by: { $0.key < $1.key }) {
            #expect(expectations[name]?["expect"] as? String == "error")
            let (kind, context) = try Self.v4Kind(test, keys: keys)
            let ciphertext = try Vectors.file(set, test["ciphertext"] as! String)
            do {
                _ = try await decrypt(ciphertext, kind, context: context)
                Issue.record("\(name) decrypted but must fail")
            } catch let error as EnvelopeError {
                #expect([.authenticationFailed, .unableToDecryptDataKey].contains(error.code), "\(name): \(error)")
                failedAsExpected += 1
            }
        }
        #expect(failedAsExpected == 28)
        print("[vectors] \(set): 28 run, \(failedAsExpected) failed as required")
    }

    @Test("commitment known-answer tests: 41 decrypt with their data key, 5 fail on commitment")
    func commitmentKAT() async throws {
        let kat = try Vectors.json("commitment-kat/commitment_known_answer_tests.json") as! [String: Any]
        let tests = kat["tests"] as! [[String: Any]]
        var passed = 0, rejected = 0, nonFramed = 0
        for (i, test) in tests.enumerated() {
            let ciphertext = Array(Data(base64Encoded: test["ciphertext"] as! String)!)
            let dek = Array(Data(base64Encoded: test["decrypted-dek"] as! String)!)
            let shouldPass = (test["status"] as? Bool) ?? ((test["status"] as? String) == "True")
            let expected = Array((test["plaintext-frames"] as? [String] ?? []).joined().utf8)
            let commitment = Array(Data(base64Encoded: test["commitment"] as! String)!)
            // The parser alone recovers the stored commitment.
            let header = try ciphertext.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }
            if case .header(let h) = header {
                if shouldPass { #expect(h.suiteData == commitment, "KAT \(i)") }
                #expect(h.messageID == Array(Data(base64Encoded: test["message-id"] as! String)!), "KAT \(i)")
                if h.contentType == .nonFramed { nonFramed += 1 }
            } else {
                Issue.record("KAT \(i): header did not parse")
            }
            // The streaming decryptor agrees, in 5-byte chunks (covers the 7 non-framed bodies too).
            let (chunks, streamError) = await collect(client.decryptStream(ChunkedBytes(ciphertext, sizes: [5]), keyring: StaticDataKeyring(source: .bytes(dek))))
            if shouldPass {
                #expect(streamError == nil, "KAT \(i) streaming: \(String(describing: streamError))")
                #expect(chunks.flatMap { $0 } == expected, "KAT \(i) streaming")
            } else {
                #expect(streamError is EnvelopeError, "KAT \(i) streaming must fail")
                #expect(chunks.isEmpty)
            }
            do {
                let result = try await client.decrypt(ciphertext, keyring: StaticDataKeyring(source: .bytes(dek)))
                if shouldPass {
                    #expect(result.plaintext == expected, "KAT \(i) \(test["comment"] ?? "")")
                    passed += 1
                } else {
                    Issue.record("KAT \(i) (\(test["comment"] ?? "")) decrypted but must fail")
                }
            } catch let error as EnvelopeError {
                if shouldPass {
                    Issue.record("KAT \(i) (\(test["comment"] ?? "")): \(error)")
                } else {
                    #expect(error.code == .authenticationFailed, "KAT \(i): \(error)")
                    rejected += 1
                }
            }
        }
        #expect(tests.count == 46)
        #expect(passed == 41)
        #expect(rejected == 5)
        #expect(nonFramed == 7)
        print("[vectors] commitment-kat: 46 run, \(passed) decrypted, \(rejected) rejected (bad commitment), \(nonFramed) non-framed")
    }

    @Test("C SDK small files: 4 decrypt, bad header and bad commitment fail")
    func cSDKSmall() async throws {
        let set = "c-sdk-small"
        let zero = StaticDataKeyring(source: .zeros)
        for file in ["hello.bin", "hello.tinyframes.bin"] {
            let result = try await client.decrypt(try Vectors.data("\(set)/\(file)"), keyring: zero)
            #expect(result.plaintext == (try Vectors.data("\(set)/hello.bin.pt")), "\(file)")
            #expect(result.encryptionContext == ["x": "y"])
        }
        #expect(try await client.decrypt(try Vectors.data("\(set)/ct_x_aes128_hkdf.bin"), keyring: zero).plaintext == (try Vectors.data("\(set)/pt_x_aes128_hkdf.bin")))
        _ = await expectEnvelopeError(.malformedMessage) { _ = try await client.decrypt(try Vectors.data("\(set)/ct_x_aes128_hkdf_bad_header.bin"), keyring: zero) }
        let aes = try RawAESKeyring(keyNamespace: "ProviderName", keyName: "KeyId", wrappingKey: try SecureBytes(copying: [UInt8](repeating: 0, count: 32)))
        #expect(try await client.decrypt(try Vectors.data("\(set)/ct_good_commitment.bin"), keyring: aes).plaintext == (try Vectors.data("\(set)/good_commitment.pt")))
        _ = await expectEnvelopeError(.authenticationFailed) { _ = try await client.decrypt(try Vectors.data("\(set)/ct_bad_commitment.bin"), keyring: aes) }
        print("[vectors] c-sdk-small: 6 run, 4 decrypted, 2 rejected")
    }

    @Test("Python decrypt-oracle: 18 null/counting-key vectors decrypt (9 KMS-only skipped)")
    func pythonOracle() async throws {
        let vectors = try Vectors.json("python-decrypt-oracle/decrypt_vectors.json") as! [[String: String]]
        var passed = 0
        for v in vectors {
            let keyring = StaticDataKeyring(source: v["key-type"] == "null" ? .zeros : .counting)
            let result = try await client.decrypt(Array(Data(base64Encoded: v["ciphertext"]!)!), keyring: keyring)
            #expect(result.plaintext == Array(Data(base64Encoded: v["plaintext"]!)!))
            #expect(result.suite.idHex == v["algorithm-suite"])
            passed += 1
        }
        #expect(passed == 18)
        print("[vectors] python-decrypt-oracle: 18 run, \(passed) passed, 9 skipped (AWS KMS)")
    }
}
