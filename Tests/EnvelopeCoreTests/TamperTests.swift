import Testing
import EnvelopeTestSupport
import EnvelopeCrypto
@testable import EnvelopeCore

/// Tink-style tampering of a small multi-frame signed message: every modification fails cleanly,
/// and a decrypting stream never releases plaintext from a frame whose tag did not verify (nor the
/// final frame of a signed message before its signature verified).
@Suite("Tampering")
struct TamperTests {
    static let frameLength = 16
    static let plaintext = Fixtures.plaintext(50, seed: 9)   // frames: 16, 16, 16, final 2

    struct Message {
        let bytes: [UInt8]
        let headerLength: Int
        /// Wire ranges of the frames, in order (the last is the final frame).
        let frames: [Range<Int>]
        let footer: Range<Int>
        let keyring: RawAESKeyring
    }

    static func makeMessage(suite: AlgorithmSuite = .aes256GCMHKDFSHA512CommitKeyECDSAP384) async throws -> Message {
        let keyring = try Fixtures.aesKeyring()
        let bytes = try await EnvelopeClient().encrypt(plaintext, keyring: keyring, encryptionContext: ["tamper": "test"],
                                                       suite: suite, frameLength: frameLength).ciphertext
        let header = try #require(try bytes.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }.header)
        var frames: [Range<Int>] = []
        var o = header.totalLength
        for _ in 0..<3 {
            frames.append(o..<(o + BodyCodec.regularFrameOverhead + frameLength)); o = frames.last!.upperBound
        }
        // The final frame carries the last 2 bytes of the plaintext.
        frames.append(o..<(o + BodyCodec.finalFrameOverhead + 2)); o = frames.last!.upperBound
        let message = Message(bytes: bytes, headerLength: header.totalLength, frames: frames, footer: o..<bytes.count, keyring: keyring)
        #expect(suite.isSigned ? message.footer.count > 60 : message.footer.isEmpty)
        return message
    }

    /// Decrypts one-shot and streaming (in 7-byte chunks); both must fail. The stream may only
    /// have released whole frames that lie entirely before `firstBadByte`, and for signed
    /// messages never the final frame.
    static func expectRejected(_ bytes: [UInt8], _ m: Message, firstBadByte: Int, label: String) async {
        let client = EnvelopeClient()
        do {
            _ = try await client.decrypt(bytes, keyring: m.keyring)
            Issue.record("\(label): one-shot decrypt succeeded")
        } catch {
            #expect(error is EnvelopeError, "\(label): \(error)")
        }
        let (chunks, error) = await collect(client.decryptStream(ChunkedBytes(bytes, sizes: [7]), keyring: m.keyring))
        #expect(error is EnvelopeError, "\(label): stream ended without an EnvelopeError")
        let intactFrames = m.frames.dropLast().filter { $0.upperBound <= firstBadByte }.count
        #expect(chunks.count <= intactFrames, "\(label): released \(chunks.count) frames, only \(intactFrames) intact")
        for (i, chunk) in chunks.enumerated() {
            #expect(chunk == Array(plaintext[(i * frameLength)..<((i + 1) * frameLength)]), "\(label): released chunk \(i) is not frame \(i)")
        }
    }

    @Test("flipping any single bit fails")
    func flipEveryBit() async throws {
        let m = try await Self.makeMessage()
        for byte in 0..<m.bytes.count {
            for bit in 0..<8 {
                var tampered = m.bytes
                tampered[byte] ^= 1 << bit
                await Self.expectRejected(tampered, m, firstBadByte: byte, label: "flip \(byte).\(bit)")
            }
        }
    }

    @Test("truncating at every offset fails")
    func truncateEverywhere() async throws {
        let m = try await Self.makeMessage()
        for cut in 0..<m.bytes.count {
            await Self.expectRejected(Array(m.bytes[0..<cut]), m, firstBadByte: cut, label: "truncate \(cut)")
        }
    }

    @Test("appending bytes fails", arguments: [[0], [0, 0, 0, 0], Array(repeating: UInt8(0xFF), count: 40)] as [[UInt8]])
    func append(extra: [UInt8]) async throws {
        for suite in [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey] {
            let m = try await Self.makeMessage(suite: suite)
            let client = EnvelopeClient()
            await #expect(throws: EnvelopeError.self) { _ = try await client.decrypt(m.bytes + extra, keyring: m.keyring) }
            let (_, error) = await collect(client.decryptStream(ChunkedBytes(m.bytes + extra, sizes: [5]), keyring: m.keyring))
            #expect(error is EnvelopeError)
            // Trailing bytes in a separate, later chunk are caught too.
            let (_, late) = await collect(client.decryptStream(ChunkedBytes(m.bytes + extra, sizes: [m.bytes.count, 1000]), keyring: m.keyring))
            #expect(late is EnvelopeError)
        }
    }

    @Test("dropping, duplicating or reordering frames fails")
    func frameSurgery() async throws {
        let m = try await Self.makeMessage()
        let header = Array(m.bytes[0..<m.headerLength])
        let frames = m.frames.map { Array(m.bytes[$0]) }
        let footer = Array(m.bytes[m.footer])
        func build(_ order: [Int]) -> [UInt8] { header + order.flatMap { frames[$0] } + footer }
        #expect(build([0, 1, 2, 3]) == m.bytes)
        let variants: [(String, [Int])] = [
            ("drop 0", [1, 2, 3]), ("drop 1", [0, 2, 3]), ("drop 2", [0, 1, 3]), ("drop final", [0, 1, 2]),
            ("duplicate 0", [0, 0, 1, 2, 3]), ("duplicate 1", [0, 1, 1, 2, 3]), ("duplicate final", [0, 1, 2, 3, 3]),
            ("swap 0 1", [1, 0, 2, 3]), ("swap 1 2", [0, 2, 1, 3]), ("final first", [3, 0, 1, 2]), ("reverse", [3, 2, 1, 0]),
        ]
        for (label, order) in variants {
            let candidate = build(order)
            let firstDifference = (0..<min(candidate.count, m.bytes.count)).first { candidate[$0] != m.bytes[$0] } ?? min(candidate.count, m.bytes.count)
            await Self.expectRejected(build(order), m, firstBadByte: firstDifference, label: label)
        }
        // Frames from another message under the same key do not splice in.
        let other = try await Self.makeMessage()
        let spliced = header + [frames[0], Array(other.bytes[other.frames[1]]), frames[2], frames[3]].flatMap { $0 } + footer
        await Self.expectRejected(spliced, m, firstBadByte: m.frames[1].lowerBound, label: "splice")
        // Dropping the footer of a signed message, or re-signing is impossible without the key.
        await Self.expectRejected(header + frames.flatMap { $0 }, m, firstBadByte: m.footer.lowerBound, label: "no footer")
    }

    @Test("random insertions, deletions and overwrites never trap and never decrypt", arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA384ECDSAP384, .aes128GCMNoKDF])
    func randomMutations(suite: AlgorithmSuite) async throws {
        let keyring = try Fixtures.aesKeyring()
        let policy: CommitmentPolicy = suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt
        let message = try await EnvelopeClient(commitmentPolicy: policy).encrypt(Self.plaintext, keyring: keyring, suite: suite, frameLength: Self.frameLength).ciphertext
        let client = try EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt, maxEncryptedDataKeys: 5)
        var rng = SystemRandomNumberGenerator()
        for round in 0..<600 {
            var bytes = message
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                case 1: bytes.remove(at: at)
                default: bytes[at] = bytes[at] &+ UInt8.random(in: 1...255, using: &rng)
                }
            }
            if bytes == message { continue }
            await #expect(throws: EnvelopeError.self, "round \(round)") { _ = try await client.decrypt(bytes, keyring: keyring) }
            let (_, error) = await collect(client.decryptStream(ChunkedBytes(bytes, sizes: [Int.random(in: 1...64, using: &rng)]), keyring: keyring))
            #expect(error is EnvelopeError, "round \(round) streaming")
        }
    }

    @Test("a signed stream holds the final frame until the signature verifies")
    func finalFrameHeld() async throws {
        let m = try await Self.makeMessage()
        var tampered = m.bytes
        tampered[tampered.count - 1] ^= 0x01      // break the signature only
        let (chunks, error) = await collect(EnvelopeClient().decryptStream(ChunkedBytes(tampered, sizes: [1000]), keyring: m.keyring))
        #expect((error as? EnvelopeError)?.code == .authenticationFailed)
        #expect(chunks.count == 3, "the three regular frames verified; the final frame is never released")
        // With afterSignature nothing at all is released.
        let (none, error2) = await collect(EnvelopeClient().decryptStream(ChunkedBytes(tampered, sizes: [1000]), keyring: m.keyring, releasePolicy: .afterSignature))
        #expect(error2 is EnvelopeError)
        #expect(none.isEmpty)
        // Untampered: all plaintext, in frame-sized chunks.
        let (good, noError) = await collect(EnvelopeClient().decryptStream(ChunkedBytes(m.bytes, sizes: [3]), keyring: m.keyring))
        #expect(noError == nil)
        #expect(good.map(\.count) == [16, 16, 16, 2])
        #expect(good.flatMap { $0 } == Self.plaintext)
        let (all, _) = await collect(EnvelopeClient().decryptStream(ChunkedBytes(m.bytes, sizes: [3]), keyring: m.keyring, releasePolicy: .afterSignature))
        #expect(all == [Self.plaintext])
    }
}
