import EnvelopeCrypto

extension EnvelopeClient {
    /// Encrypts an asynchronous sequence of plaintext chunks (any sizes) into a sequence of
    /// message chunks: the header, then one chunk per frame (the footer rides on the last).
    ///
    /// Pull-based: nothing is read from `input` until the output is iterated, and each step reads
    /// only enough to fill one frame, so memory stays at about one frame whatever the input size.
    /// Cancelling the iterating task ends the stream with `CancellationError` (an input that ends
    /// because of the cancellation is not taken for the end of the plaintext). The message has a
    /// span and metrics as every encryption (see ``EnvelopeObservability``), from the first
    /// iteration to the end, a failure, or the iterator's release before the end.
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
    ///
    /// A thin driver of the body engine's step-by-step encryptor (`EncryptCursor`, the same one
    /// file and descriptor encryption use): it feeds the cursor from the upstream sequence and
    /// hands out each sealed frame.
    public struct Iterator: AsyncIteratorProtocol {
        private var upstream: Base.AsyncIterator
        private let stream: EncryptingStream
        private var cursor: EncryptCursor?
        private var carry: [UInt8] = []
        private var carryOffset = 0
        private var upstreamDone = false
        private var done = false
        /// The message's span and metrics; nil when nothing is observed, and once finished.
        private var observation: MessageObservation?
        /// The header of the message being written (set once the first chunk was produced).
        public private(set) var header: MessageHeaderInfo?
        /// Frames sealed so far.
        public var framesSealed: Int { cursor?.framesSealed ?? 0 }
        /// The most plaintext this iterator ever buffered at once (at most one frame).
        public var bufferedBytesHighWater: Int { cursor?.frame.highWater ?? 0 }

        init(upstream: Base.AsyncIterator, stream: EncryptingStream) {
            self.upstream = upstream
            self.stream = stream
        }

        /// The next chunk of the message, or nil after the footer.
        public mutating func next() async throws -> [UInt8]? {
            if done { return nil }
            do {
                try Task.checkCancellation()
                guard let cursor else {
                    let stream = self.stream
                    if let telemetry = stream.client.telemetry {
                        observation = MessageObservation(telemetry, .encrypt, attributes: EnvelopeClient.encryptAttributes(frameLength: stream.frameLength))
                    }
                    let encryptor = try await MessageObservation.run(observation) {
                        try await stream.client.makeEncryptor(
                            materialsManager: stream.materialsManager, encryptionContext: stream.encryptionContext,
                            suite: stream.suite, frameLength: stream.frameLength, plaintextLength: nil)
                    }
                    cursor = try EncryptCursor(encryptor)
                    header = encryptor.header.info
                    observation?.noteSuite(encryptor.suite)
                    return encryptor.headerBytes
                }
                let chunk = try await nextFrame(cursor)
                if done, let header {
                    observation?.succeeded(suite: header.suite)
                    observation = nil
                }
                return chunk
            } catch {
                done = true
                observation?.failed(error)
                observation = nil
                throw error
            }
        }

        private mutating func nextFrame(_ cursor: EncryptCursor) async throws -> [UInt8] {
            while !cursor.frameIsFull {
                if carryOffset < carry.count {
                    let start = carryOffset
                    let (taken, chunk) = try carry.withUnsafeBytes { c -> (Int, [UInt8]?) in
                        let rest = UnsafeRawBufferPointer(rebasing: c[start...])
                        // Whole frames straight from a large input chunk, without copying.
                        if cursor.frame.count == 0 && rest.count >= cursor.frameLength {
                            return (cursor.frameLength, try cursor.seal(UnsafeRawBufferPointer(rebasing: rest[0..<cursor.frameLength]), isFinal: false))
                        }
                        return (cursor.collect(rest), nil)
                    }
                    carryOffset += taken
                    if let chunk { return chunk }
                    continue
                }
                if upstreamDone { break }
                if let next = try await upstream.next() {
                    observation?.inputBytes += Int64(next.count)
                    carry = next
                } else {
                    // An input that ended because the task was cancelled (AsyncStream does so) is
                    // not the end of the plaintext: no final frame for it.
                    try Task.checkCancellation()
                    upstreamDone = true
                    carry = []
                }
                carryOffset = 0
            }
            if cursor.frameIsFull { return try cursor.sealCollected(isFinal: false) }
            // Input ended: the final frame with what is left (possibly nothing), then the footer.
            done = true
            return try cursor.sealCollected(isFinal: true)
        }
    }
}
