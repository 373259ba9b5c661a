import EnvelopeCrypto

extension EnvelopeClient {
    /// Encrypts an asynchronous sequence of plaintext chunks (any sizes) into a sequence of
    /// message chunks: the header, then one chunk per frame (the footer rides on the last).
    ///
    /// Pull-based: nothing is read from `input` until the output is iterated, and each step reads
    /// only enough to fill one frame, so memory stays at about one frame whatever the input size.
    public func encryptStream<S: AsyncSequence & Sendable>(
        _ input: S, keyring: any EncryptionKeyring, encryptionContext: EncryptionContext = [:],
        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength
    ) -> EncryptingStream<S> where S.Element == [UInt8] {
        EncryptingStream(input: input, client: self, materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                         encryptionContext: encryptionContext, suite: suite, frameLength: frameLength)
    }

    /// Encrypts a stream with a materials manager. See ``encryptStream(_:keyring:encryptionContext:suite:frameLength:)``.
    public func encryptStream<S: AsyncSequence & Sendable>(
        _ input: S, materialsManager: any EncryptionMaterialsManager, encryptionContext: EncryptionContext = [:],
        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength
    ) -> EncryptingStream<S> where S.Element == [UInt8] {
        EncryptingStream(input: input, client: self, materialsManager: materialsManager,
                         encryptionContext: encryptionContext, suite: suite, frameLength: frameLength)
    }
}

/// An asynchronous sequence of ESDK message bytes produced from a plaintext sequence.
///
/// The sequence is `Sendable`; its iterator is not (it owns the message's AES-GCM context).
/// Chunks: the serialized header first, then one chunk per frame; the footer of signed suites is
/// appended to the final frame's chunk. Iterating twice encrypts twice (two different messages).
public struct EncryptingStream<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    /// Message bytes.
    public typealias Element = [UInt8]

    let input: Base
    let client: EnvelopeClient
    let materialsManager: any EncryptionMaterialsManager
    let encryptionContext: EncryptionContext
    let suite: AlgorithmSuite?
    let frameLength: Int

    /// Starts a new encryption.
    public func makeAsyncIterator() -> Iterator {
        Iterator(upstream: input.makeAsyncIterator(), stream: self)
    }

    /// Pulls plaintext and yields message chunks. Not `Sendable`.
    public struct Iterator: AsyncIteratorProtocol {
        private var upstream: Base.AsyncIterator
        private let stream: EncryptingStream
        private var encryptor: FrameEncryptor?
        private var sealer: SequentialSealer?
        private var frame: FrameBuffer?
        private var carry: [UInt8] = []
        private var carryOffset = 0
        private var upstreamDone = false
        private var done = false
        /// The header of the message being written (set once the first chunk was produced).
        public private(set) var header: MessageHeaderInfo?
        /// Frames sealed so far.
        public private(set) var framesSealed = 0
        /// The most plaintext this iterator ever buffered at once (at most one frame).
        public var bufferedBytesHighWater: Int { frame?.highWater ?? 0 }

        init(upstream: Base.AsyncIterator, stream: EncryptingStream) {
            self.upstream = upstream
            self.stream = stream
        }

        /// The next chunk of the message, or nil after the footer.
        public mutating func next() async throws -> [UInt8]? {
            if done { return nil }
            do {
                return try await produce()
            } catch {
                done = true
                throw error
            }
        }

        private mutating func produce() async throws -> [UInt8] {
            guard let encryptor else {
                let made = try await stream.client.makeEncryptor(
                    materialsManager: stream.materialsManager, encryptionContext: stream.encryptionContext,
                    suite: stream.suite, frameLength: stream.frameLength, plaintextLength: nil)
                self.encryptor = made
                self.sealer = try SequentialSealer(made)
                self.frame = FrameBuffer(capacity: stream.frameLength)
                self.header = made.header.info
                return made.headerBytes
            }
            return try await nextFrame(encryptor)
        }

        private mutating func nextFrame(_ encryptor: FrameEncryptor) async throws -> [UInt8] {
            let frameLength = stream.frameLength
            let frame = self.frame!
            while frame.count < frameLength {
                if carryOffset < carry.count {
                    // Whole frames straight from a large input chunk, without copying.
                    if frame.count == 0 && carry.count - carryOffset >= frameLength {
                        let start = carryOffset
                        carryOffset += frameLength
                        let chunk = try carry.withUnsafeBytes { c in
                            try seal(encryptor, UnsafeRawBufferPointer(rebasing: c[start..<(start + frameLength)]), isFinal: false)
                        }
                        return chunk
                    }
                    let n = Swift.min(frameLength - frame.count, carry.count - carryOffset)
                    let start = carryOffset
                    carry.withUnsafeBytes { frame.append(UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
                    carryOffset += n
                    continue
                }
                if upstreamDone { break }
                if let chunk = try await upstream.next() {
                    carry = chunk
                    carryOffset = 0
                } else {
                    upstreamDone = true
                    carry = []
                    carryOffset = 0
                }
            }
            if frame.count == frameLength {
                defer { frame.reset() }
                return try seal(encryptor, frame.bytes, isFinal: false)
            }
            // Input ended: final frame with what is left (possibly nothing), then the footer.
            // Spec: data-format/message-body.md — an exact multiple ends with an empty final frame.
            defer { frame.reset() }
            var out = try seal(encryptor, frame.bytes, isFinal: true)
            out += try encryptor.footer()
            done = true
            return out
        }

        private mutating func seal(_ encryptor: FrameEncryptor, _ plaintext: UnsafeRawBufferPointer, isFinal: Bool) throws -> [UInt8] {
            let size = FrameEncryptor.frameSize(contentLength: plaintext.count, isFinal: isFinal)
            let out = try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = try sealer!.seal(plaintext, isFinal: isFinal, into: UnsafeMutableRawBufferPointer(buffer))
            }
            framesSealed += 1
            return out
        }
    }
}

/// One frame of plaintext being collected; reused for every frame and wiped when freed.
final class FrameBuffer {
    private let storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    private(set) var highWater = 0

    init(capacity: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
    }

    deinit {
        ConstantTime.zero(storage)
        storage.deallocate()
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        precondition(count + bytes.count <= storage.count, "frame buffer overflow")
        (storage.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
        highWater = max(highWater, count)
    }

    func reset() {
        ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
        count = 0
    }
}
