import EnvelopeCore
import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// Messages with several encrypted data keys (a raw AES generator plus a raw RSA key) cross over in
/// both directions, and each key alone decrypts them on the other side.
@Suite("Interop: several encrypted data keys", .serialized)
struct MultiKeyInteropTests {
    static let suites: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA384ECDSAP384]

    @Test("Python decrypts our two-key message with either key", arguments: suites)
    func pythonDecryptsOurMultiKeyMessages(suite: AlgorithmSuite) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let aes = try InteropKey(.aes256, directory: directory.url)
        let rsa = try InteropKey(.rsaOAEPSHA256, directory: directory.url)
        let testCase = InteropCase(suite: suite, frameLength: 512, plaintextLength: 1536, context: InteropMatrix.richContext)
        let multi = try MultiKeyring(generator: aes.keyring, children: [rsa.keyring])
        let encrypted = try await EnvelopeClient(commitmentPolicy: testCase.encryptPolicy)
            .encrypt(testCase.plaintext, keyring: multi, encryptionContext: testCase.context,
                     suite: testCase.suite, frameLength: testCase.frameLength)
        #expect(encrypted.header.encryptedDataKeys.count == 2)

        let jobs = [aes, rsa].map { key in
            PeerJob(op: "decrypt", inputHex: hexString(encrypted.ciphertext), key: key.peerKey,
                    commitmentPolicy: testCase.decryptPolicy.peerName)
        }
        let results = try await peer.run(jobs)
        for (key, result) in zip([aes, rsa], results) {
            guard result.ok else {
                Issue.record("""
                    Python could not decrypt our two-key \(testCase) with \(key.kind.rawValue) alone: \(result.failure); \
                    \(FailureArtifacts.describe(encrypted.ciphertext, label: "ours-to-python-multi-\(suite.idHex)-\(key.kind.rawValue)"))
                    """)
                continue
            }
            #expect(result.output == testCase.plaintext)
            #expect(result.encryptedDataKeys?.count == 2, "Python saw \(result.encryptedDataKeys?.count ?? 0) EDKs")
            #expect(result.encryptionContext?.withoutPublicKey == testCase.context)
        }
    }

    @Test("we decrypt Python's two-key message with either key", arguments: suites)
    func weDecryptPythonMultiKeyMessages(suite: AlgorithmSuite) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let aes = try InteropKey(.aes256, directory: directory.url)
        let rsa = try InteropKey(.rsaOAEPSHA256, directory: directory.url)
        let testCase = InteropCase(suite: suite, frameLength: 512, plaintextLength: 1536, context: InteropMatrix.richContext)
        let job = PeerJob(op: "encrypt", inputHex: hexString(testCase.plaintext), key: nil, keys: [aes.peerKey, rsa.peerKey],
                          commitmentPolicy: testCase.encryptPolicy.peerName, suite: "0x\(suite.idHex)",
                          frameLength: testCase.frameLength, context: testCase.context.dictionary)
        let result = try #require(try await peer.run([job]).first)
        let message = try #require(result.output, "the Python ESDK could not encrypt: \(result.failure)")
        #expect(result.encryptedDataKeys?.count == 2)

        let client = EnvelopeClient(commitmentPolicy: testCase.decryptPolicy)
        for key in [aes, rsa] {
            do {
                let decrypted = try await client.decrypt(message, keyring: key.keyring)
                #expect(decrypted.plaintext == testCase.plaintext)
                #expect(decrypted.encryptedDataKeys.count == 2)
                #expect(decrypted.encryptionContext.withoutPublicKey == testCase.context)
            } catch {
                Issue.record("""
                    we could not decrypt Python's two-key \(testCase) with \(key.kind.rawValue) alone: \(error); \
                    \(FailureArtifacts.describe(message, label: "python-to-ours-multi-\(suite.idHex)-\(key.kind.rawValue)"))
                    """)
            }
        }
    }
}
