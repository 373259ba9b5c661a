import Foundation
import Testing
import EnvelopeTestSupport
import EnvelopeCrypto
@testable import EnvelopeCore

// Issue 8, item 2: messages that claim huge sizes, or never end, are refused early with a clear
// error, before any key work where the claim is in the header, and with bounded memory. Memory is
// asserted through the bytes the decrypting stream pulled from its input and its buffer
// high-water mark (no timing, no RSS sampling).

/// Counts how many bytes a stream pulled; shared between the input sequence and the test.
final class PullCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var pulled = 0
    var bytes: Int { lock.withLock { pulled } }
    func add(_ n: Int) { lock.withLock { pulled += n } }
}

/// `prefix`, then `filler(i)` for i = 0, 1, 2... without end (a safety stop at `stopAfter`
/// bytes keeps a broken limit from hanging the test; the assertions catch it).
struct EndlessInput: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let prefix: [UInt8]
    let chunkSize: Int
    let counter: PullCounter
    let stopAfter: Int
    let filler: @Sendable (Int) -> [UInt8]

    init(prefix: [UInt8], chunkSize: Int = 4096, counter: PullCounter, stopAfter: Int = 256 << 20, filler: @escaping @Sendable (Int) -> [UInt8]) {
        self.prefix = prefix
        self.chunkSize = chunkSize
        self.counter = counter
        self.stopAfter = stopAfter
        self.filler = filler
    }

    struct Iterator: AsyncIteratorProtocol {
        let input: EndlessInput
        var offset = 0
        var index = 0
        var total = 0
        mutating func next() async throws -> [UInt8]? {
            guard total < input.stopAfter else { return nil }
            let chunk: [UInt8]
            if offset < input.prefix.count {
                let end = Swift.min(offset + input.chunkSize, input.prefix.count)
                chunk = Array(input.prefix[offset..<end])
                offset = end
            } else {
                chunk = input.filler(index)
                index += 1
            }
            total += chunk.count
            input.counter.add(chunk.count)
            return chunk
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(input: self) }
}

/// A decryption keyring that counts its calls (to prove refusals happen before any key work).
final class CountingKeyring: DecryptionKeyring, @unchecked Sendable {
    let base: any DecryptionKeyring
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.withLock { count } }
    init(_ base: any DecryptionKeyring) { self.base = base }
    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        lock.withLock { count += 1 }
        return try await base.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
    }
}

/// Raw header bytes for hostile messages (v2, suite 0x0478, one small EDK unless given).
enum HostileHeader {
    static func v2(aad: [UInt8] = [], edkCount: UInt16 = 1, edks: [UInt8]? = nil, contentType: UInt8 = 2, frameLength: UInt32 = 4096) -> [UInt8] {
        var out: [UInt8] = [0x02, 0x04, 0x78] + [UInt8](repeating: 0xA5, count: 32)
        out.appendUInt16(UInt16(aad.count)); out += aad
        out.appendUInt16(edkCount)
        out += edks ?? smallEDK
        out.append(contentType)
        out.appendUInt32(frameLength)
        out += [UInt8](repeating: 0x11, count: 32) + [UInt8](repeating: 0x22, count: 16)
        return out
    }

    /// provider "test-ns", info "k", ciphertext 4 bytes.
    static let smallEDK: [UInt8] = {
        var e: [UInt8] = []
        e.appendLengthPrefixed16(Array("test-ns".utf8)); e.appendLengthPrefixed16([0x6B]); e.appendLengthPrefixed16([1, 2, 3, 4])
        return e
    }()
}

/// Runs a decrypting stream to its end; returns the error, the high-water mark and the plaintext size.
func drain<S: AsyncSequence & Sendable>(_ stream: DecryptingStream<S>) async -> (error: EnvelopeError?, highWater: Int, plaintext: Int) where S.Element == [UInt8] {
    var iterator = stream.makeAsyncIterator()
    var produced = 0
    do {
        while let chunk = try await iterator.next() { produced += chunk.count }
        return (nil, iterator.bufferedBytesHighWater, produced)
    } catch let error as EnvelopeError {
        return (error, iterator.bufferedBytesHighWater, produced)
    } catch {
        Issue.record("non-EnvelopeError \(error)")
        return (nil, iterator.bufferedBytesHighWater, produced)
    }
}

@Suite("Hostile input: huge claims and endless streams are refused early, memory stays bounded")
struct HostileInputTests {
    static let random: @Sendable (Int) -> [UInt8] = { i in Fixtures.plaintext(4096, seed: UInt32(truncatingIfNeeded: i) &+ 99) }

    // MARK: frame length

    @Test("a header claiming 2^31-1-byte frames is refused before any key work, whatever follows", arguments: [UInt32(Int32.max), 1 << 27, (1 << 26) + 1] as [UInt32])
    func hugeFrameLength(frameLength: UInt32) async throws {
        let counter = PullCounter()
        let keyring = CountingKeyring(try Fixtures.aesKeyring())
        let input = EndlessInput(prefix: HostileHeader.v2(frameLength: frameLength), counter: counter, filler: Self.random)
        let result = await drain(EnvelopeClient().decryptStream(input, keyring: keyring))
        #expect(result.error?.code == .limitExceeded)
        #expect(result.error?.message.contains("maxFrameLength") == true)
        #expect(keyring.calls == 0)
        #expect(counter.bytes <= 8192)
        #expect(result.highWater <= 8192)
        // One-shot: the same refusal.
        _ = await expectEnvelopeError(.limitExceeded) {
            _ = try await EnvelopeClient().decrypt(HostileHeader.v2(frameLength: frameLength) + Self.random(0), keyring: keyring)
        }
        #expect(keyring.calls == 0)
    }

    @Test("maxFrameLength: a genuine message with 128 MiB frames needs the limit raised")
    func genuineLargeFrames() async throws {
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(1000)
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: keyring, frameLength: 1 << 27).ciphertext
        _ = await expectEnvelopeError(.limitExceeded) { _ = try await EnvelopeClient().decrypt(message, keyring: keyring) }
        var wide = EnvelopeClient()
        wide.limits.maxFrameLength = 1 << 27
        #expect(try await wide.decrypt(message, keyring: keyring).plaintext == plaintext)
        let streamed = await collect(wide.decryptStream(ChunkedBytes(message, sizes: [100]), keyring: keyring))
        #expect(streamed.error == nil)
        #expect(streamed.chunks.flatMap { $0 } == plaintext)
    }

    @Test("a frame of the allowed length that never ends is buffered only up to about one frame")
    func endlessFrameWithinLimit() async throws {
        let counter = PullCounter()
        var client = EnvelopeClient()
        client.limits.maxFrameLength = 1 << 20
        let keyring = try Fixtures.aesKeyring()
        let real = try await client.encrypt([1, 2, 3], keyring: keyring, frameLength: 1 << 20).ciphertext
        let headerLength = try #require(try real.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }.header).totalLength
        // A genuine header, then a regular frame 1 whose bytes stop short: the input ends at 2 MiB.
        let input = EndlessInput(prefix: Array(real[0..<headerLength]) + [0, 0, 0, 1], counter: counter, stopAfter: 2 << 20, filler: Self.random)
        let result = await drain(client.decryptStream(input, keyring: keyring))
        // 1 MiB + 32 bytes of frame 1 arrived: its tag fails. Nothing was released.
        #expect(result.error?.code == .authenticationFailed)
        #expect(result.plaintext == 0)
        #expect(result.highWater <= (1 << 20) + 64 * 1024 + 4096)
    }

    // MARK: encryption context

    @Test("a header claiming a 65535-byte encryption context of garbage fails after at most that many bytes")
    func hugeEncryptionContext() async throws {
        let counter = PullCounter()
        let keyring = CountingKeyring(try Fixtures.aesKeyring())
        var prefix: [UInt8] = [0x02, 0x04, 0x78] + [UInt8](repeating: 0xA5, count: 32)
        prefix.appendUInt16(0xFFFF)
        let input = EndlessInput(prefix: prefix, counter: counter, filler: { _ in [UInt8](repeating: 0x41, count: 4096) })
        let result = await drain(EnvelopeClient().decryptStream(input, keyring: keyring))
        #expect(result.error?.code == .malformedMessage)
        #expect(keyring.calls == 0)
        // Re-parsing waits until the buffer doubled (HeaderReader), so at most twice the claim.
        #expect(counter.bytes <= 2 * (65535 + 37) + 2 * 4096)
        #expect(result.highWater <= 2 * (65535 + 37) + 2 * 4096)
    }

    @Test("the largest encryption context a header can hold round-trips, one byte more is refused")
    func largestEncryptionContext() async throws {
        // 2 + 200 × (2 + 10 + 2 + 300) = 62 802 bytes; adding pairs until > 65535 must fail on encrypt.
        var context: EncryptionContext = [:]
        for i in 0..<200 { context[String(format: "key-%06d", i)] = String(repeating: "v", count: 300) }
        let keyring = try Fixtures.aesKeyring()
        let message = try await EnvelopeClient().encrypt([9], keyring: keyring, encryptionContext: context).ciphertext
        let streamed = await collect(EnvelopeClient().decryptStream(ChunkedBytes(message, sizes: [1000]), keyring: keyring))
        #expect(streamed.chunks.flatMap { $0 } == [9])
        for i in 200..<210 { context[String(format: "key-%06d", i)] = String(repeating: "v", count: 300) }
        _ = await expectEnvelopeError(.invalidArgument) { _ = try await EnvelopeClient().encrypt([9], keyring: keyring, encryptionContext: context) }
    }

    // MARK: encrypted data keys

    /// An endless run of EDKs whose provider info and ciphertext are 65535 bytes each.
    static let hugeEDKs: @Sendable (Int) -> [UInt8] = { _ in
        var e: [UInt8] = []
        e.appendLengthPrefixed16(Array("test-ns".utf8))
        e.appendLengthPrefixed16([UInt8](repeating: 0x6B, count: 0xFFFF))
        e.appendLengthPrefixed16([UInt8](repeating: 0x42, count: 0xFFFF))
        return e
    }

    @Test("65535 encrypted data keys of 128 KiB each: refused at maxHeaderLength, before any key work")
    func hugeEDKList() async throws {
        let counter = PullCounter()
        let keyring = CountingKeyring(try Fixtures.aesKeyring())
        var prefix: [UInt8] = [0x02, 0x04, 0x78] + [UInt8](repeating: 0xA5, count: 32) + [0, 0]
        prefix.appendUInt16(0xFFFF)
        let input = EndlessInput(prefix: prefix, counter: counter, filler: Self.hugeEDKs)
        let result = await drain(EnvelopeClient().decryptStream(input, keyring: keyring))
        #expect(result.error?.code == .limitExceeded)
        #expect(result.error?.message.contains("maxHeaderLength") == true)
        #expect(keyring.calls == 0)
        let bound = DecryptionLimits.defaultMaxHeaderLength + 64 * 1024 + 2 * 131_088
        #expect(counter.bytes <= bound)
        #expect(result.highWater <= bound)
    }

    @Test("a smaller maxHeaderLength bounds the buffering accordingly", arguments: [4096, 50_000])
    func customHeaderLimit(limit: Int) async throws {
        let counter = PullCounter()
        var client = EnvelopeClient()
        client.limits.maxHeaderLength = limit
        var prefix: [UInt8] = [0x02, 0x04, 0x78] + [UInt8](repeating: 0xA5, count: 32) + [0, 0]
        prefix.appendUInt16(0xFFFF)
        let input = EndlessInput(prefix: prefix, chunkSize: 1024, counter: counter, filler: { _ in Array(Self.hugeEDKs(0)[0..<1024]) })
        let result = await drain(client.decryptStream(input, keyring: try Fixtures.aesKeyring()))
        #expect(result.error?.code == .limitExceeded)
        // Re-parsing runs as soon as the buffer passes the limit (see HeaderReader): one 1 KiB chunk more.
        #expect(counter.bytes <= limit + 4096 + 2048)
        // A genuine message with a header longer than the limit is refused one-shot too.
        let message = try await EnvelopeClient().encrypt([1], keyring: try Fixtures.aesKeyring(),
                                                         encryptionContext: ["k": String(repeating: "x", count: limit)]).ciphertext
        _ = await expectEnvelopeError(.limitExceeded) { _ = try await client.decrypt(message, keyring: try Fixtures.aesKeyring()) }
    }

    @Test("with maxEncryptedDataKeys set, a count of 65535 is refused as soon as it is read")
    func edkCountRefusedEarly() async throws {
        let counter = PullCounter()
        let keyring = CountingKeyring(try Fixtures.aesKeyring())
        var prefix: [UInt8] = [0x02, 0x04, 0x78] + [UInt8](repeating: 0xA5, count: 32) + [0, 0]
        prefix.appendUInt16(0xFFFF)
        let input = EndlessInput(prefix: prefix, chunkSize: 512, counter: counter, filler: Self.hugeEDKs)
        let result = await drain(try EnvelopeClient(maxEncryptedDataKeys: 10).decryptStream(input, keyring: keyring))
        #expect(result.error?.code == .tooManyEncryptedDataKeys)
        #expect(keyring.calls == 0)
        #expect(counter.bytes <= 512)
    }

    @Test("65535 tiny encrypted data keys fit the header limit and fail cleanly at the keyring")
    func manyTinyEDKs() async throws {
        var edks: [UInt8] = []
        for _ in 0..<0xFFFF { edks += [0, 1, 0x78, 0, 0, 0, 0] }  // provider "x", empty info and ciphertext
        let message = HostileHeader.v2(edkCount: 0xFFFF, edks: edks) + Self.random(1)
        let keyring = CountingKeyring(try Fixtures.aesKeyring())
        let error = await expectEnvelopeError(.unableToDecryptDataKey) { _ = try await EnvelopeClient().decrypt(message, keyring: keyring) }
        #expect(keyring.calls == 1)
        #expect(error?.message.contains("65535") == true)
    }

    // MARK: non-framed bodies

    /// A genuine non-framed message (suite 0x0478) under `keyring`: header crafted with the
    /// internal codec, body sealed with the derived key.
    static func nonFramedMessage(_ plaintext: [UInt8], keyring: RawAESKeyring, declaredLength: UInt64? = nil) async throws -> (header: [UInt8], message: [UInt8]) {
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let materials = try await DefaultMaterialsManager(encryptionKeyring: keyring).getEncryptionMaterials(
            EncryptionMaterialsRequest(encryptionContext: ["purpose": "non-framed test"], suite: suite, commitmentPolicy: .requireEncryptRequireDecrypt))
        let messageID = RandomBytes.array(count: 32)
        let derived = try KeyDerivation.derive(suite: suite, dataKey: try #require(materials.plaintextDataKey), messageID: messageID)
        var body = try HeaderCodec.serializeBody(version: 2, suite: suite, messageID: messageID,
                                                 serializedContext: try EncryptionContextCodec.serialize(materials.encryptionContext),
                                                 encryptedDataKeys: materials.encryptedDataKeys, frameLength: 0, suiteData: derived.commitment)
        body[body.count - 37] = MessageHeader.ContentType.nonFramed.rawValue
        let zeros = [UInt8](repeating: 0, count: 12)
        let header = body + (try AESGCM.seal([], key: derived.key, iv: zeros, authenticating: body).tag)
        let aad = BodyAAD(messageID: messageID)
        let iv: [UInt8] = zeros.dropLast() + [1]
        let sealed = try aad.with(.singleBlock, sequence: 1, length: UInt64(plaintext.count)) {
            try AESGCM.seal(plaintext, key: derived.key, iv: iv, authenticating: Array($0))
        }
        var message = header + iv
        message.appendUInt64(declaredLength ?? UInt64(plaintext.count))
        return (header, message + sealed.ciphertext + sealed.tag)
    }

    @Test("a genuine non-framed message decrypts; above maxNonFramedBodyLength it is refused both ways")
    func nonFramedLimit() async throws {
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(5000)
        let message = try await Self.nonFramedMessage(plaintext, keyring: keyring).message
        #expect(try await EnvelopeClient().decrypt(message, keyring: keyring).plaintext == plaintext)
        let streamed = await collect(EnvelopeClient().decryptStream(ChunkedBytes(message, sizes: [333]), keyring: keyring))
        #expect(streamed.error == nil)
        #expect(streamed.chunks.flatMap { $0 } == plaintext)

        var tight = EnvelopeClient()
        tight.limits.maxNonFramedBodyLength = 4999
        _ = await expectEnvelopeError(.limitExceeded) { _ = try await tight.decrypt(message, keyring: keyring) }
        let refused = await collect(tight.decryptStream(ChunkedBytes(message, sizes: [333]), keyring: keyring))
        #expect((refused.error as? EnvelopeError)?.code == .limitExceeded)
        #expect(refused.chunks.isEmpty)
    }

    @Test("a non-framed body claiming 2^36-32 bytes, then bytes without end, is refused after its length field",
          arguments: [(UInt64(1 << 36) - 32, EnvelopeError.Code.limitExceeded), (UInt64(1) << 36, .malformedMessage), (UInt64.max, .malformedMessage)])
    func nonFramedHugeClaim(declared: UInt64, code: EnvelopeError.Code) async throws {
        let keyring = try Fixtures.aesKeyring()
        let prefix = try await Self.nonFramedMessage([], keyring: keyring, declaredLength: declared).message.dropLast(16)
        let counter = PullCounter()
        let input = EndlessInput(prefix: Array(prefix), counter: counter, filler: Self.random)
        let result = await drain(EnvelopeClient().decryptStream(input, keyring: keyring))
        #expect(result.error?.code == code)
        #expect(counter.bytes <= prefix.count + 2 * 4096)
        #expect(result.highWater <= prefix.count + 2 * 4096)
    }

    // MARK: endless streams

    @Test("endless zeros, endless base64 text and endless v1 prefixes are refused within the first chunk",
          arguments: [[0x00], Array("AYAAFA".utf8), [0x01, 0x80]] as [[UInt8]])
    func endlessGarbage(pattern: [UInt8]) async throws {
        let counter = PullCounter()
        let input = EndlessInput(prefix: [], counter: counter, filler: { _ in Array((0..<(4096 / pattern.count)).flatMap { _ in pattern }) })
        let result = await drain(EnvelopeClient().decryptStream(input, keyring: try Fixtures.aesKeyring()))
        #expect(result.error != nil)
        #expect(counter.bytes <= 4096)
    }

    @Test("a complete message followed by endless bytes fails at the first extra chunk and releases nothing unverified")
    func trailingEndless() async throws {
        let keyring = try Fixtures.aesKeyring()
        let message = try await EnvelopeClient().encrypt(Fixtures.plaintext(10_000), keyring: keyring, suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384).ciphertext
        let counter = PullCounter()
        let input = EndlessInput(prefix: message, counter: counter, filler: Self.random)
        let result = await drain(EnvelopeClient().decryptStream(input, keyring: keyring))
        #expect(result.error?.code == .malformedMessage)
        #expect(counter.bytes <= message.count + 2 * 4096)
        // The signed final frame was held back: not everything was released.
        #expect(result.plaintext < 10_000)
    }

    /// Genuine frames of a message that never sends its final frame.
    struct EndlessFrames: AsyncSequence, @unchecked Sendable {
        typealias Element = [UInt8]
        let encryptor: FrameEncryptor
        let counter: PullCounter
        struct Iterator: AsyncIteratorProtocol {
            let source: EndlessFrames
            var sentHeader = false
            var sealer: SequentialSealer?
            mutating func next() async throws -> [UInt8]? {
                let chunk: [UInt8]
                if !sentHeader {
                    sentHeader = true
                    chunk = source.encryptor.headerBytes
                } else {
                    let n = source.encryptor.frameLength
                    let plaintext = [UInt8](repeating: 0x5A, count: n)
                    if sealer == nil { sealer = try SequentialSealer(source.encryptor) }
                    chunk = try [UInt8](unsafeUninitializedCapacity: FrameEncryptor.frameSize(contentLength: n, isFinal: false)) { out, count in
                        count = try plaintext.withUnsafeBytes { try sealer!.seal($0, isFinal: false, into: UnsafeMutableRawBufferPointer(out)) }
                    }
                }
                source.counter.add(chunk.count)
                return chunk
            }
        }
        func makeAsyncIterator() -> Iterator { Iterator(source: self) }
    }

    @Test("an endless stream of genuine frames is decrypted with a constant buffer (20 000 frames)")
    func endlessGenuineFrames() async throws {
        let keyring = try Fixtures.aesKeyring()
        let materials = try await DefaultMaterialsManager(encryptionKeyring: keyring).getEncryptionMaterials(
            EncryptionMaterialsRequest(encryptionContext: [:], suite: .aes256GCMHKDFSHA512CommitKey, commitmentPolicy: .requireEncryptRequireDecrypt))
        let counter = PullCounter()
        let source = EndlessFrames(encryptor: try FrameEncryptor(materials: materials, frameLength: 1024), counter: counter)
        var iterator = EnvelopeClient().decryptStream(source, keyring: keyring).makeAsyncIterator()
        var frames = 0
        var highWaterAt1000 = 0
        while frames < 20_000, let chunk = try await iterator.next() {
            #expect(chunk.count == 1024)
            frames += 1
            if frames == 1000 { highWaterAt1000 = iterator.bufferedBytesHighWater }
        }
        #expect(frames == 20_000)
        #expect(counter.bytes > 20_000 * 1024)
        // The buffer did not grow after the first thousand frames, and stays within a few frames.
        #expect(iterator.bufferedBytesHighWater == highWaterAt1000)
        #expect(iterator.bufferedBytesHighWater <= 64 * 1024 + 2 * 1056)
    }
}

@Suite("Hostile input: chunking")
struct HostileChunkingTests {
    @Test("a large header sent one byte at a time is parsed a bounded number of times (no quadratic re-parse)")
    func oneByteChunks() async throws {
        var context: EncryptionContext = [:]
        for i in 0..<60 { context["key-\(i)"] = String(repeating: "v", count: 500) }
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(100)
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: keyring, encryptionContext: context).ciphertext
        #expect(message.count > 30_000)
        var iterator = EnvelopeClient().decryptStream(ChunkedBytes(message, sizes: [1]), keyring: keyring).makeAsyncIterator()
        var out: [UInt8] = []
        while let chunk = try await iterator.next() { out += chunk }
        #expect(out == plaintext)
        // Geometric growth to 4096, then one attempt per 4096 bytes: about 12 + 30000/4096.
        #expect(iterator.headerParseAttempts <= 30)
        // A header that ends exactly where the input ends is still parsed (last attempt at EOF).
        let truncated = await collect(EnvelopeClient().decryptStream(ChunkedBytes(Array(message.prefix(message.count - 1)), sizes: [1]), keyring: keyring))
        #expect((truncated.error as? EnvelopeError)?.code == .malformedMessage)
    }
}
