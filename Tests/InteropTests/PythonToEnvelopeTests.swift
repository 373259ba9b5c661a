import EnvelopeCore
import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// Messages written by the official Python ESDK (4.0.7) must be read by EnvelopeKit: same
/// plaintext, context, suite and frame length — including non-framed messages, which we only read.
@Suite("Interop: the Python ESDK encrypts, EnvelopeKit decrypts", .serialized)
struct PythonToEnvelopeTests {
    /// Encrypts `cases` in Python and returns the messages (a failed encryption fails the test).
    static func pythonMessages(_ cases: [InteropCase], key: InteropKey, peer: ESDKPeer) async throws -> [[UInt8]] {
        let jobs = cases.map { testCase in
            PeerJob(op: "encrypt", inputHex: hexString(testCase.plaintext), key: key.peerKey,
                    commitmentPolicy: testCase.encryptPolicy.peerName,
                    suite: "0x\(testCase.suite.idHex)", frameLength: testCase.frameLength, context: testCase.context.dictionary)
        }
        let results = try await peer.run(jobs)
        return try zip(cases, results).map { testCase, result in
            guard result.ok, let message = result.output else {
                throw ESDKPeer.RunError(description: "the Python ESDK could not encrypt \(testCase): \(result.failure)")
            }
            return message
        }
    }

    @Test("we decrypt Python's messages", arguments: InteropKeyKind.allCases)
    func weDecryptPythonMessages(kind: InteropKeyKind) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(kind, directory: directory.url)
        let cases = InteropMatrix.cases(for: kind, frameLengths: InteropMatrix.pythonFrameLengths)
        let messages = try await Self.pythonMessages(cases, key: key, peer: peer)

        for (index, testCase) in cases.enumerated() {
            let label = "python-to-ours-\(kind.rawValue)-\(index)"
            let client = EnvelopeClient(commitmentPolicy: testCase.decryptPolicy)
            let result: DecryptResult
            do {
                result = try await client.decrypt(messages[index], keyring: key.keyring)
            } catch {
                Issue.record("""
                    we could not decrypt Python's \(testCase) with \(kind.rawValue): \(error); \
                    \(FailureArtifacts.describe(messages[index], label: label))
                    """)
                continue
            }
            #expect(result.plaintext == testCase.plaintext, "plaintext differs after we decrypted Python's \(testCase)")
            #expect(result.suite == testCase.suite, "we read suite \(result.suite) for Python's \(testCase)")
            #expect(result.frameLength == testCase.frameLength, "we read frame length \(result.frameLength) for Python's \(testCase)")
            #expect(result.encryptionContext.withoutPublicKey == testCase.context, "context differs for Python's \(testCase)")
            #expect(result.encryptedDataKeys.map(\.providerID) == [InteropKey.namespace])
        }
    }

    @Test("we reject Python's message after one flipped byte, and with the wrong key",
          arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384])
    func weRejectTamperedPythonMessages(suite: AlgorithmSuite) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(.aes256, directory: directory.url)
        let otherKey = try InteropKey(.aes256, directory: directory.url)
        let testCase = InteropCase(suite: suite, frameLength: 128, plaintextLength: 300, context: ["purpose": "tamper test"])
        let message = try await Self.pythonMessages([testCase], key: key, peer: peer)[0]
        let client = EnvelopeClient()

        for offset in [20, message.count / 2, message.count - 1] {
            var tampered = message
            tampered[offset] ^= 0x01
            await #expect(throws: (any Error).self, "we accepted Python's 0x\(suite.idHex) message with byte \(offset) flipped") {
                _ = try await client.decrypt(tampered, keyring: key.keyring)
            }
        }
        await #expect(throws: (any Error).self, "we decrypted with a raw AES key of the same name but other bytes") {
            _ = try await client.decrypt(message, keyring: otherKey.keyring)
        }
        let control = try await client.decrypt(message, keyring: key.keyring)
        #expect(control.plaintext == testCase.plaintext)
    }

    @Test("a legacy message from Python is refused under require-encrypt-require-decrypt")
    func legacyMessageNeedsAPermissivePolicy() async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(.aes256, directory: directory.url)
        let testCase = InteropCase(suite: .aes256GCMHKDFSHA384ECDSAP384, frameLength: 4096, plaintextLength: 10, context: [:])
        let message = try await Self.pythonMessages([testCase], key: key, peer: peer)[0]

        let strict = EnvelopeClient(commitmentPolicy: .requireEncryptRequireDecrypt)
        do {
            _ = try await strict.decrypt(message, keyring: key.keyring)
            Issue.record("a 0x0378 message was decrypted under require-encrypt-require-decrypt")
        } catch let error as EnvelopeError {
            #expect(error.code == .commitmentPolicyViolation, "unexpected error: \(error)")
        }
        let permissive = try await EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt).decrypt(message, keyring: key.keyring)
        #expect(permissive.plaintext == testCase.plaintext)
    }
}
