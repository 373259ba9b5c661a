import EnvelopeCore
import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// One job of `Tests/Interop/ecdh_peer.py` (the Python ESDK 4.0.7 with the Material Providers
/// Library's `RawEcdhKeyring`).
struct ECDHPeerJob: Encodable, Sendable {
    var op: String
    var inputHex: String
    /// static, ephemeral or discovery.
    var schema: String
    /// p256, p384 or p521.
    var curve: String
    var privatePemFile: String?
    var publicDerHex: String?
    var commitmentPolicy: String
    var suite: String?
    var frameLength: Int?
    var context: [String: String]?
}

/// Byte interop of the raw ECDH keyrings with the Python ESDK 4.0.7 (Material Providers Library
/// 1.11.3), both ways, on P-256, P-384 and P-521: Alice sends to Bob with her static key pair, or
/// anyone sends to Bob with an ephemeral key pair.
///
/// | writer            | readers                                                          |
/// |-------------------|------------------------------------------------------------------|
/// | static (Alice)    | Bob static, Bob discovery, Alice static (her own message)        |
/// | ephemeral (to Bob)| Bob discovery                                                    |
@Suite("Interop: raw ECDH with the Python ESDK (both ways)", .serialized)
struct RawECDHInteropTests {
    static let suites: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes128GCMHKDFSHA256]

    static func peerName(_ curve: ECDHCurve) -> String {
        switch curve {
        case .p256: "p256"
        case .p384: "p384"
        case .p521: "p521"
        }
    }

    /// Alice's and Bob's key pairs on one curve, as our keys and as the peer's files.
    struct Parties {
        let curve: ECDHCurve
        let alice: ECDHPrivateKey
        let bob: ECDHPrivateKey
        let aliceFile: String
        let bobFile: String

        init(_ curve: ECDHCurve, directory: URL) throws {
            self.curve = curve
            alice = try ECDHPrivateKey(generatingOn: curve)
            bob = try ECDHPrivateKey(generatingOn: curve)
            aliceFile = directory.appendingPathComponent("alice-\(curve).pem").path
            bobFile = directory.appendingPathComponent("bob-\(curve).pem").path
            try Data(alice.privatePEM().utf8).write(to: URL(fileURLWithPath: aliceFile))
            try Data(bob.privatePEM().utf8).write(to: URL(fileURLWithPath: bobFile))
        }

        func job(_ op: String, _ schema: String, input: [UInt8], privateFile: String?, publicKey: ECDHPublicKey?, testCase: InteropCase) throws -> ECDHPeerJob {
            ECDHPeerJob(op: op, inputHex: hexString(input), schema: schema, curve: RawECDHInteropTests.peerName(curve),
                        privatePemFile: privateFile, publicDerHex: try publicKey.map { hexString(try $0.subjectPublicKeyInfo()) },
                        commitmentPolicy: op == "encrypt" ? testCase.encryptPolicy.peerName : testCase.decryptPolicy.peerName,
                        suite: op == "encrypt" ? "0x\(testCase.suite.idHex)" : nil, frameLength: op == "encrypt" ? testCase.frameLength : nil,
                        context: op == "encrypt" ? testCase.context.dictionary : nil)
        }
    }

    static func locatePeer() throws -> ESDKPeer {
        let peer = try ESDKPeer.locate()
        return ESDKPeer(python: peer.python, script: TestRepository.file("Tests/Interop/ecdh_peer.py"))
    }

    static let cases = suites.map { InteropCase(suite: $0, frameLength: 512, plaintextLength: 1536, context: InteropMatrix.richContext) }

    @Test("Python encrypts (static and ephemeral, 3 curves), we decrypt with every schema that may read it")
    func pythonToUs() async throws {
        let peer = try Self.locatePeer()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var jobs: [ECDHPeerJob] = []
        var plans: [(Parties, String, InteropCase)] = []
        for curve in ECDHCurve.allCases {
            let p = try Parties(curve, directory: directory.url)
            for testCase in Self.cases {
                jobs.append(try p.job("encrypt", "static", input: testCase.plaintext, privateFile: p.aliceFile, publicKey: p.bob.publicKey, testCase: testCase))
                plans.append((p, "static", testCase))
                jobs.append(try p.job("encrypt", "ephemeral", input: testCase.plaintext, privateFile: nil, publicKey: p.bob.publicKey, testCase: testCase))
                plans.append((p, "ephemeral", testCase))
            }
        }
        let results = try await peer.run(jobs)
        var decrypted = 0
        for ((p, schema, testCase), result) in zip(plans, results) {
            guard result.ok, let message = result.output else {
                Issue.record("Python could not encrypt \(schema) \(p.curve) \(testCase): \(result.failure)"); continue
            }
            #expect(result.encryptedDataKeys?.map(\.providerId) == ["raw-ecdh"])
            var readers: [any DecryptionKeyring] = [RawECDHDiscoveryKeyring(recipientPrivateKey: p.bob)]
            if schema == "static" {
                readers.append(try RawECDHKeyring(senderPrivateKey: p.bob, recipientPublicKey: p.alice.publicKey))
                readers.append(try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: p.bob.publicKey))
            }
            for reader in readers {
                do {
                    let out = try await EnvelopeClient(commitmentPolicy: testCase.decryptPolicy).decrypt(message, keyring: reader)
                    #expect(out.plaintext == testCase.plaintext, "\(reader) on Python's \(schema) \(testCase)")
                    #expect(out.encryptionContext.withoutPublicKey == testCase.context)
                    decrypted += 1
                } catch {
                    Issue.record("\(reader) could not decrypt Python's \(schema) \(p.curve) \(testCase): \(error); \(FailureArtifacts.describe(message, label: "python-ecdh-\(schema)-\(p.curve)"))")
                }
            }
        }
        // Per curve and suite: static read 3 ways, ephemeral once.
        #expect(decrypted == 3 * Self.suites.count * 4)
        print("[interop] raw ECDH python → envelopekit: \(jobs.count) messages, \(decrypted) decryptions passed")
    }

    @Test("we encrypt (static and ephemeral, 3 curves), Python decrypts with every schema that may read it")
    func usToPython() async throws {
        let peer = try Self.locatePeer()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var jobs: [ECDHPeerJob] = []
        var labels: [String] = []
        var cases: [InteropCase] = []
        for curve in ECDHCurve.allCases {
            let p = try Parties(curve, directory: directory.url)
            let aliceToBob = try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: p.bob.publicKey)
            let toBob = RawECDHEphemeralKeyring(recipientPublicKey: p.bob.publicKey)
            for testCase in Self.cases {
                let client = EnvelopeClient(commitmentPolicy: testCase.encryptPolicy)
                let fromAlice = try await client.encrypt(testCase.plaintext, keyring: aliceToBob, encryptionContext: testCase.context,
                                                          suite: testCase.suite, frameLength: testCase.frameLength).ciphertext
                let ephemeral = try await client.encrypt(testCase.plaintext, keyring: toBob, encryptionContext: testCase.context,
                                                         suite: testCase.suite, frameLength: testCase.frameLength).ciphertext
                let readers: [(String, [UInt8], String, String, ECDHPublicKey?)] = [
                    ("static message, Bob static", fromAlice, "static", p.bobFile, p.alice.publicKey),
                    ("static message, Bob discovery", fromAlice, "discovery", p.bobFile, nil),
                    ("static message, Alice static", fromAlice, "static", p.aliceFile, p.bob.publicKey),
                    ("ephemeral message, Bob discovery", ephemeral, "discovery", p.bobFile, nil),
                ]
                for (label, message, schema, file, publicKey) in readers {
                    jobs.append(try p.job("decrypt", schema, input: message, privateFile: file, publicKey: publicKey, testCase: testCase))
                    labels.append("\(curve) \(testCase.suite.idHex) \(label)")
                    cases.append(testCase)
                }
            }
        }
        let results = try await peer.run(jobs)
        var passed = 0
        for ((label, testCase), result) in zip(zip(labels, cases), results) {
            guard result.ok else { Issue.record("Python could not decrypt our \(label): \(result.failure)"); continue }
            #expect(result.output == testCase.plaintext, "\(label)")
            #expect(result.encryptionContext?.withoutPublicKey == testCase.context, "\(label)")
            if result.output == testCase.plaintext { passed += 1 }
        }
        #expect(passed == 3 * Self.suites.count * 4)
        print("[interop] raw ECDH envelopekit → python: \(jobs.count) decryptions, \(passed) passed")
    }
}
