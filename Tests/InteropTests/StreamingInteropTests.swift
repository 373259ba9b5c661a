import EnvelopeCore
import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// The streaming and file entry points write and read the same messages as the one-shot API:
/// messages streamed out in uneven chunks, or written to a file, decrypt in Python, and Python's
/// messages decrypt here when fed in uneven chunks or from a file.
@Suite("Interop: streaming and file helpers", .serialized)
struct StreamingInteropTests {
    static let suites: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA384ECDSAP384]

    /// Splits `bytes` into chunks cycling through `sizes` (sizes chosen to straddle frame edges).
    /// Chunk sizes that cross frame boundaries in every way.
    static let chunkSizes = [1, 7, 4095, 4097, 10_000, 3]

    static let plaintext: [UInt8] = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    @Test("Python decrypts what encryptStream and encryptFile write", arguments: suites)
    func pythonDecryptsStreamedAndFileMessages(suite: AlgorithmSuite) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(.aes256, directory: directory.url)
        let context: EncryptionContext = ["entry point": "streaming"]
        let client = EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt)
        let policy = suite.isCommitting ? CommitmentPolicy.requireEncryptRequireDecrypt : .requireEncryptAllowDecrypt

        var streamed: [UInt8] = []
        for try await chunk in client.encryptStream(ChunkedBytes(Self.plaintext, sizes: Self.chunkSizes), keyring: key.keyring,
                                                    encryptionContext: context, suite: suite, frameLength: 1000) {
            streamed += chunk
        }

        let input = directory.url.appendingPathComponent("plain.bin")
        let output = directory.url.appendingPathComponent("plain.bin.encrypted")
        try Data(Self.plaintext).write(to: input)
        let fileResult = try await client.encryptFile(at: input, to: output, keyring: key.keyring,
                                                      encryptionContext: context, suite: suite, frameLength: 4096)
        #expect(fileResult.header.suite == suite)
        let fileMessage = try [UInt8](Data(contentsOf: output))

        let messages = [("encryptStream", streamed), ("encryptFile", fileMessage)]
        let results = try await peer.run(messages.map {
            PeerJob(op: "decrypt", inputHex: hexString($0.1), key: key.peerKey, commitmentPolicy: policy.peerName)
        })
        for ((entryPoint, message), result) in zip(messages, results) {
            guard result.ok else {
                Issue.record("""
                    Python could not decrypt the 0x\(suite.idHex) message \(entryPoint) wrote: \(result.failure); \
                    \(FailureArtifacts.describe(message, label: "ours-to-python-\(entryPoint)-\(suite.idHex)"))
                    """)
                continue
            }
            #expect(result.output == Self.plaintext, "\(entryPoint): plaintext differs")
            #expect(result.encryptionContext?.withoutPublicKey == context, "\(entryPoint): context differs")
            #expect(result.suiteId == Int(suite.id))
        }
    }

    @Test("we decrypt Python's messages fed in uneven chunks and from a file", arguments: suites)
    func weStreamAndFileDecryptPythonMessages(suite: AlgorithmSuite) async throws {
        let peer = try ESDKPeer.locate()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try InteropKey(.aes256, directory: directory.url)
        let context: EncryptionContext = ["entry point": "streaming"]
        let encryptPolicy = suite.isCommitting ? CommitmentPolicy.requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt
        let decryptPolicy = suite.isCommitting ? CommitmentPolicy.requireEncryptRequireDecrypt : .requireEncryptAllowDecrypt
        // Framed (1024) and, decrypt-only for us, non-framed (0).
        let jobs = [1024, 0].map { frameLength in
            PeerJob(op: "encrypt", inputHex: hexString(Self.plaintext), key: key.peerKey, commitmentPolicy: encryptPolicy.peerName,
                    suite: "0x\(suite.idHex)", frameLength: frameLength, context: context.dictionary)
        }
        let results = try await peer.run(jobs)
        let client = EnvelopeClient(commitmentPolicy: decryptPolicy)

        for (frameLength, result) in zip([1024, 0], results) {
            let message = try #require(result.output, "the Python ESDK could not encrypt: \(result.failure)")
            let label = "python-to-ours-streaming-\(suite.idHex)-frame\(frameLength)"
            for releasePolicy in [DecryptReleasePolicy.afterFrameTag, .afterSignature] {
                var plaintext: [UInt8] = []
                do {
                    for try await chunk in client.decryptStream(ChunkedBytes(message, sizes: Self.chunkSizes), keyring: key.keyring,
                                                                releasePolicy: releasePolicy) {
                        plaintext += chunk
                    }
                } catch {
                    Issue.record("""
                        decryptStream (\(releasePolicy)) failed on Python's 0x\(suite.idHex) message, frame length \(frameLength): \
                        \(error); \(FailureArtifacts.describe(message, label: label))
                        """)
                    continue
                }
                #expect(plaintext == Self.plaintext, "decryptStream (\(releasePolicy)), frame length \(frameLength): plaintext differs")
            }

            let input = directory.url.appendingPathComponent("python-\(frameLength).encrypted")
            let output = directory.url.appendingPathComponent("python-\(frameLength).decrypted")
            try Data(message).write(to: input)
            do {
                let decrypted = try await client.decryptFile(at: input, to: output, keyring: key.keyring)
                #expect(decrypted.encryptionContext.withoutPublicKey == context)
                #expect(decrypted.frameLength == frameLength)
                #expect(try [UInt8](Data(contentsOf: output)) == Self.plaintext, "decryptFile, frame length \(frameLength): plaintext differs")
            } catch {
                Issue.record("""
                    decryptFile failed on Python's 0x\(suite.idHex) message, frame length \(frameLength): \(error); \
                    \(FailureArtifacts.describe(message, label: label + "-file"))
                    """)
            }
        }
    }
}
