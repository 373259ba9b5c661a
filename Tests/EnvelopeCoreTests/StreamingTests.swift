import Foundation
import Testing
import EnvelopeTestSupport
import EnvelopeCrypto
@testable import EnvelopeCore

@Suite("Streaming and files")
struct StreamingTests {
    @Test("stream encrypt equals the one-shot format; any chunking decrypts",
          arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey], [1, 100, 4096])
    func roundTrip(suite: AlgorithmSuite, frameLength: Int) async throws {
        let client = EnvelopeClient()
        let keyring = try Fixtures.aesKeyring()
        for size in [0, 1, 99, 100, 1000, 10_000] {
            let plaintext = Fixtures.plaintext(size, seed: UInt32(size + 1))
            for sizes in [[1], [7, 300], [frameLength], [100_000]] {
                let (encrypted, encryptError) = await collect(client.encryptStream(ChunkedBytes(plaintext, sizes: sizes), keyring: keyring,
                                                                                   encryptionContext: ["s": "t"], suite: suite, frameLength: frameLength))
                #expect(encryptError == nil)
                let message = encrypted.flatMap { $0 }
                // Header first, then one chunk per frame (footer rides on the final frame).
                let frames = size / frameLength + 1
                #expect(encrypted.count == 1 + frames)
                let oneShot = try await client.decrypt(message, keyring: keyring)
                #expect(oneShot.plaintext == plaintext)
                let (decrypted, decryptError) = await collect(client.decryptStream(ChunkedBytes(message, sizes: [3, 1000, 17]), keyring: keyring))
                #expect(decryptError == nil)
                #expect(decrypted.flatMap { $0 } == plaintext)
                #expect(decrypted.allSatisfy { $0.count <= frameLength && !$0.isEmpty })
            }
        }
    }

    @Test("streams are Sendable values; errors print their full message")
    func sendability() async throws {
        func requireSendable<T: Sendable>(_ value: T) {}
        let keyring = try Fixtures.aesKeyring()
        let encrypting = EnvelopeClient().encryptStream(ChunkedBytes([1, 2, 3], sizes: [1]), keyring: keyring)
        requireSendable(encrypting)
        requireSendable(EnvelopeClient().decryptStream(encrypting, keyring: keyring))
        let error: any Error = EnvelopeError(.io, "Could not read x. Check the path.")
        #expect(error.localizedDescription.contains("Could not read x"))
    }

    @Test("a whole message in one huge chunk is not copied into the decrypt buffer")
    func hugeChunk() async throws {
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(2_000_000)
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: keyring, frameLength: 4096).ciphertext
        var iterator = EnvelopeClient().decryptStream(ChunkedBytes(message, sizes: [message.count]), keyring: keyring).makeAsyncIterator()
        var out: [UInt8] = []
        while let chunk = try await iterator.next() {
            #expect(chunk.count <= 4096)
            out += chunk
        }
        #expect(out == plaintext)
        #expect(iterator.bufferedBytesHighWater <= 2 * 64 * 1024)
    }

    @Test("legacy v1 messages stream-decrypt; streams report header and context")
    func legacyStream() async throws {
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(5000)
        let message = try await EnvelopeClient(commitmentPolicy: .forbidEncryptAllowDecrypt)
            .encrypt(plaintext, keyring: keyring, encryptionContext: ["a": "b"], suite: .aes128GCMHKDFSHA256ECDSAP256, frameLength: 512).ciphertext
        let stream = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt).decryptStream(ChunkedBytes(message, sizes: [333]), keyring: keyring)
        var iterator = stream.makeAsyncIterator()
        var out: [UInt8] = []
        while let chunk = try await iterator.next() { out += chunk }
        #expect(out == plaintext)
        #expect(iterator.info?.suite == .aes128GCMHKDFSHA256ECDSAP256)
        #expect(iterator.info?.encryptionContext["a"] == "b")
        #expect(iterator.framesVerified == 10)
    }

    @Test("an empty input and a message cut inside its header fail cleanly")
    func emptyInput() async throws {
        let keyring = try Fixtures.aesKeyring()
        let (chunks, error) = await collect(EnvelopeClient().decryptStream(ChunkedBytes([], sizes: [1]), keyring: keyring))
        #expect(chunks.isEmpty)
        #expect((error as? EnvelopeError)?.code == .malformedMessage)
        _ = await expectEnvelopeError(.malformedMessage) { _ = try await EnvelopeClient().decrypt([], keyring: keyring) }
    }

    /// A plaintext source that produces `total` bytes on the fly in `chunk`-byte chunks and records
    /// how far it got, so the consumer can check that no stage reads ahead more than a frame.
    final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var _produced = 0
        private var _released = 0
        private var _maxLead = 0
        var produced: Int { lock.withLock { _produced } }
        /// The largest gap ever seen between plaintext produced and plaintext released downstream.
        var maxLead: Int { lock.withLock { _maxLead } }
        func add(_ n: Int) { lock.withLock { _produced += n; _maxLead = max(_maxLead, _produced - _released) } }
        func release(_ n: Int) { lock.withLock { _released += n } }
    }

    struct GeneratedPlaintext: AsyncSequence, Sendable {
        typealias Element = [UInt8]
        let total: Int
        let chunk: Int
        let progress: Progress
        struct Iterator: AsyncIteratorProtocol {
            let total: Int
            let progress: Progress
            var remaining: Int
            var block: [UInt8]
            mutating func next() async throws -> [UInt8]? {
                guard remaining > 0 else { return nil }
                let n = Swift.min(block.count, remaining)
                remaining -= n
                progress.add(n)
                // The content depends on the position so reordering would be noticed.
                block[0] = UInt8(truncatingIfNeeded: remaining >> 20)
                return n == block.count ? block : Array(block[0..<n])
            }
        }
        func makeAsyncIterator() -> Iterator {
            Iterator(total: total, progress: progress, remaining: total, block: (0..<chunk).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        }
    }

    @Test("more than 1 GiB streams through encrypt and decrypt with one frame per stage")
    func overOneGiB() async throws {
        let frameLength = 1 << 20
        let total = (1 << 30) + 12_345            // > 1 GiB, not a multiple of the frame length
        let inputChunk = 256 * 1024
        let progress = Progress()
        let keyring = try Fixtures.aesKeyring()
        let client = EnvelopeClient()
        let started = ContinuousClock.now
        let encrypting = client.encryptStream(GeneratedPlaintext(total: total, chunk: inputChunk, progress: progress),
                                              keyring: keyring, suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384, frameLength: frameLength)
        var decrypting = client.decryptStream(encrypting, keyring: keyring).makeAsyncIterator()
        var received = 0
        var chunks = 0
        var maxChunk = 0
        var maxLead = 0
        var expectedFirstByte: [UInt8] = []
        while let chunk = try await decrypting.next() {
            chunks += 1
            maxChunk = max(maxChunk, chunk.count)
            received += chunk.count
            progress.release(chunk.count)
            // How far the producer is ahead of what has been released to us.
            maxLead = max(maxLead, progress.maxLead)
            if chunks <= 2 { expectedFirstByte.append(chunk[0]) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(received == total)
        #expect(chunks == total / frameLength + 1)               // one chunk per frame (final frame non-empty here)
        #expect(maxChunk == frameLength)                          // never more than a frame at once
        #expect(maxLead <= frameLength + inputChunk)              // the pipeline never reads more than a frame ahead
        #expect(decrypting.framesVerified == total / frameLength + 1)
        #expect(decrypting.bufferedBytesHighWater <= frameLength + FrameEncryptor.frameSize(contentLength: frameLength, isFinal: true) + 200)
        print("[streaming] \(total) bytes in \(chunks) frames through encrypt+decrypt streams: \(elapsed), max chunk \(maxChunk), max read-ahead \(maxLead), decrypt buffer high-water \(decrypting.bufferedBytesHighWater)")
    }

    @Test("file helpers: round trip, temporary output, no output after failure, no silent overwrite")
    func files() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-core-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plaintext = Fixtures.plaintext(300_000)
        let input = dir.appendingPathComponent("in.bin"), encrypted = dir.appendingPathComponent("in.bin.encrypted")
        let decrypted = dir.appendingPathComponent("out.bin")
        try Data(plaintext).write(to: input)
        let keyring = try Fixtures.aesKeyring()
        let client = EnvelopeClient()
        let header = try await client.encryptFile(at: input, to: encrypted, keyring: keyring, encryptionContext: ["file": "yes"], frameLength: 10_000)
        #expect(header.header.frameLength == 10_000)
        let result = try await client.decryptFile(at: encrypted, to: decrypted, keyring: keyring)
        #expect(Array(try Data(contentsOf: decrypted)) == plaintext)
        #expect(result.encryptionContext["file"] == "yes")
        #expect(result.suite == .aes256GCMHKDFSHA512CommitKeyECDSAP384)
        // Refuses to overwrite unless asked.
        _ = await expectEnvelopeError(.io) { _ = try await client.decryptFile(at: encrypted, to: decrypted, keyring: keyring) }
        _ = try await client.decryptFile(at: encrypted, to: decrypted, keyring: keyring, overwrite: true)
        // A tampered file (late frame) fails and leaves no output and no temporary file.
        var bytes = Array(try Data(contentsOf: encrypted))
        bytes[bytes.count - 200] ^= 1
        let tampered = dir.appendingPathComponent("tampered.encrypted")
        try Data(bytes).write(to: tampered)
        let failedOutput = dir.appendingPathComponent("never.bin")
        _ = await expectEnvelopeError(.authenticationFailed) { _ = try await client.decryptFile(at: tampered, to: failedOutput, keyring: keyring) }
        #expect(!FileManager.default.fileExists(atPath: failedOutput.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
        // A missing input is an I/O error.
        _ = await expectEnvelopeError(.io) { _ = try await client.encryptFile(at: dir.appendingPathComponent("missing"), to: dir.appendingPathComponent("x"), keyring: keyring) }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
    }
}
