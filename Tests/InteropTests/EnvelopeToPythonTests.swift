import EnvelopeCore
import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// Messages written by EnvelopeKit must be read by the official Python ESDK (4.0.7): same
/// plaintext, context, suite and frame length.
@Suite("Interop: EnvelopeKit encrypts, the Python ESDK decrypts", .serialized)
struct EnvelopeToPythonTests {
    @Test("Python decrypts our messages", arguments: InteropKeyKind.allCases)
    func pythonDecryptsOurMessages(kind: InteropKeyKind) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(kind, directory: directory.url)
        let cases = InteropMatrix.cases(for: kind, frameLengths: InteropMatrix.ourFrameLengths)

        var messages: [[UInt8]] = []
        for testCase in cases {
            let client = EnvelopeClient(commitmentPolicy: testCase.encryptPolicy)
            let result = try await client.encrypt(testCase.plaintext, keyring: key.keyring,
                                                  encryptionContext: testCase.context,
                                                  suite: testCase.suite, frameLength: testCase.frameLength)
            #expect(result.header.suite == testCase.suite, "our header names another suite for \(testCase)")
            messages.append(result.ciphertext)
        }

        let jobs = zip(cases, messages).map { testCase, message in
            PeerJob(op: "decrypt", inputHex: hexString(message), key: key.peerKey,
                    commitmentPolicy: testCase.decryptPolicy.peerName)
        }
        let results = try await peer.run(jobs)

        for (index, testCase) in cases.enumerated() {
            let result = results[index]
            let label = "ours-to-python-\(kind.rawValue)-\(index)"
            guard result.ok else {
                Issue.record("""
                    Python could not decrypt our \(testCase) with \(kind.rawValue): \(result.failure); \
                    \(FailureArtifacts.describe(messages[index], label: label))
                    """)
                continue
            }
            #expect(result.output == testCase.plaintext, "plaintext differs after Python decrypted \(testCase)")
            #expect(result.suiteId == Int(testCase.suite.id), "Python read suite \(result.suiteId ?? -1) for \(testCase)")
            #expect(result.frameLength == testCase.frameLength, "Python read frame length \(result.frameLength ?? -1) for \(testCase)")
            #expect(result.contentType == 2, "our messages must be framed (\(testCase))")
            #expect(result.encryptionContext?.withoutPublicKey == testCase.context, "context differs for \(testCase)")
            #expect((result.encryptionContext?["aws-crypto-public-key"] != nil) == testCase.suite.isSigned,
                    "aws-crypto-public-key must be in the context exactly for signed suites (\(testCase))")
            #expect(result.encryptedDataKeys?.map(\.providerId) == [InteropKey.namespace],
                    "Python saw other encrypted data keys for \(testCase)")
        }
    }

    @Test("Python rejects our message after one flipped byte, and with the wrong key",
          arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384])
    func pythonRejectsTamperedMessages(suite: AlgorithmSuite) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(.aes256, directory: directory.url)
        let otherKey = try InteropKey(.aes256, directory: directory.url)   // same name, other bytes
        let plaintext = Array("a message that must not be altered".utf8)
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: key.keyring,
                                                         encryptionContext: ["purpose": "tamper test"],
                                                         suite: suite, frameLength: 16).ciphertext

        // Flip one byte in the header, in the middle of the body, and in the last byte.
        let offsets = [20, message.count / 2, message.count - 1]
        var jobs = offsets.map { offset -> PeerJob in
            var tampered = message
            tampered[offset] ^= 0x01
            return PeerJob(op: "decrypt", inputHex: hexString(tampered), key: key.peerKey,
                           commitmentPolicy: CommitmentPolicy.requireEncryptRequireDecrypt.peerName)
        }
        jobs.append(PeerJob(op: "decrypt", inputHex: hexString(message), key: otherKey.peerKey,
                            commitmentPolicy: CommitmentPolicy.requireEncryptRequireDecrypt.peerName))
        jobs.append(PeerJob(op: "decrypt", inputHex: hexString(message), key: key.peerKey,
                            commitmentPolicy: CommitmentPolicy.requireEncryptRequireDecrypt.peerName))
        let results = try await peer.run(jobs)

        for (offset, result) in zip(offsets, results) {
            #expect(!result.ok, "Python accepted our 0x\(suite.idHex) message with byte \(offset) flipped")
        }
        #expect(!results[3].ok, "Python decrypted with a raw AES key of the same name but other bytes")
        #expect(results[4].ok, "the untouched message must decrypt (control): \(results[4].failure)")
        #expect(results[4].output == plaintext)
    }
}
