import EnvelopeCrypto

/// When a decrypting stream may hand out plaintext.
public enum DecryptReleasePolicy: Sendable, Hashable {
    /// Each frame's plaintext as soon as its tag verifies; for signed suites the final frame is
    /// held until the signature verifies (the default). Memory: about one frame.
    case afterFrameTag
    /// Nothing until the whole message, signature included, has verified; then everything at
    /// once. Memory: the whole plaintext.
    case afterSignature
}

/// What a decrypting stream learned from the header and the materials.
public struct DecryptedMessageInfo: Sendable {
    /// The parsed header.
    public let header: MessageHeaderInfo
    /// The full encryption context: the header's pairs plus the required pairs you supplied.
    public let encryptionContext: EncryptionContext
    /// Which encrypted data key was decrypted and how the keyring found it (nil if the keyring did not say).
    public var dataKeyOrigin: DataKeyOrigin? = nil
    /// The algorithm suite.
    public var suite: AlgorithmSuite { header.suite }
}

extension EnvelopeClient {
    /// Decrypts an asynchronous sequence of message chunks (any sizes) into plaintext chunks, one
    /// per frame. A frame's plaintext is yielded only after its tag verifies; see ``DecryptReleasePolicy``.
    ///
    /// - Parameters:
    ///   - encryptionContext: the reproduced / required context (as for one-shot decrypt).
    ///   - onHeader: called once the header has been authenticated, before any plaintext.
    public func decryptStream<S: AsyncSequence & Sendable>(
        _ input: S, keyring: any DecryptionKeyring, encryptionContext: EncryptionContext = [:],
        releasePolicy: DecryptReleasePolicy = .afterFrameTag,
        onHeader: (@Sendable (DecryptedMessageInfo) -> Void)? = nil
    ) -> DecryptingStream<S> where S.Element == [UInt8] {
        DecryptingStream(input: input, client: self, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                         encryptionContext: encryptionContext, releasePolicy: releasePolicy, onHeader: onHeader)
    }

    /// Decrypts a stream with a materials manager. See ``decryptStream(_:keyring:encryptionContext:releasePolicy:onHeader:)``.
    public func decryptStream<S: AsyncSequence & Sendable>(
        _ input: S, materialsManager: any DecryptionMaterialsManager, encryptionContext: EncryptionContext = [:],
        releasePolicy: DecryptReleasePolicy = .afterFrameTag,
        onHeader: (@Sendable (DecryptedMessageInfo) -> Void)? = nil
    ) -> DecryptingStream<S> where S.Element == [UInt8] {
        DecryptingStream(input: input, client: self, materialsManager: materialsManager,
                         encryptionContext: encryptionContext, releasePolicy: releasePolicy, onHeader: onHeader)
    }
}

/// An asynchronous sequence of verified plaintext chunks decrypted from a message sequence.
///
/// The sequence is `Sendable`; its iterator is not. Errors end the sequence; plaintext already
/// yielded came from frames whose tags verified (for signed suites, the last frame is only
/// yielded after the signature verifies).
public struct DecryptingStream<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    /// Plaintext bytes.
    public typealias Element = [UInt8]

    let input: Base
    let client: EnvelopeClient
    let materialsManager: any DecryptionMaterialsManager
    let encryptionContext: EncryptionContext
    let releasePolicy: DecryptReleasePolicy
    let onHeader: (@Sendable (DecryptedMessageInfo) -> Void)?

    /// Starts decrypting.
    public func makeAsyncIterator() -> Iterator {
        Iterator(upstream: input.makeAsyncIterator(), stream: self)
    }

    /// Pulls message bytes and yields verified plaintext. Not `Sendable`.
    public struct Iterator: AsyncIteratorProtocol {
        private enum Phase { case header, body, trailing, done }
        private var upstream: Base.AsyncIterator
        private let stream: DecryptingStream
        private var phase = Phase.header
        private let input = ByteAccumulator(capacity: 64 * 1024)
        private var decryptor: FrameDecryptor?
        private var held: [UInt8] = []
        private var receivedBytes = 0
        /// Buffer size at the last header parse attempt (-1: none yet), and whether upstream ended.
        private var headerAttemptAt = -1
        private var inputEnded = false
        /// How often the header parser ran (bounded: see the `.header` phase).
        private(set) var headerParseAttempts = 0
        /// The current upstream chunk; fed into `input` at most about a frame at a time, so a
        /// huge chunk is never copied whole.
        private var carry: [UInt8] = []
        private var carryOffset = 0
        /// Header and encryption context, once the header has been authenticated.
        public private(set) var info: DecryptedMessageInfo?
        /// Frames whose tags verified so far.
        public var framesVerified: Int { decryptor?.framesVerified ?? 0 }
        /// The most message bytes this iterator ever buffered at once (at most about two frames,
        /// whatever the input chunk sizes).
        public var bufferedBytesHighWater: Int { input.highWater }

        init(upstream: Base.AsyncIterator, stream: DecryptingStream) {
            self.upstream = upstream
            self.stream = stream
        }

        /// The next verified plaintext chunk, or nil at the end of the message.
        public mutating func next() async throws -> [UInt8]? {
            do {
                return try await advance()
            } catch {
                phase = .done
                held = []
                throw error
            }
        }

        /// Moves up to about one frame of input into the buffer, pulling the next upstream chunk
        /// when the current one is used up; false at the end of the input.
        private mutating func pull() async throws -> Bool {
            if carryOffset == carry.count {
                guard let chunk = try await upstream.next() else { return false }
                receivedBytes += chunk.count
                carry = chunk
                carryOffset = 0
            }
            let feed = Swift.max(decryptor?.regularFrameWireSize ?? 0, 64 * 1024)
            let piece = Swift.min(carry.count - carryOffset, feed)
            let start = carryOffset
            carry.withUnsafeBytes { input.append(UnsafeRawBufferPointer(rebasing: $0[start..<(start + piece)])) }
            carryOffset += piece
            if carryOffset == carry.count {
                carry = []
                carryOffset = 0
            }
            return true
        }

        private mutating func advance() async throws -> [UInt8]? {
            while true {
                switch phase {
                case .done:
                    return nil
                case .header:
                    // Re-parsing from the start after every tiny chunk would cost time quadratic in
                    // the header length (a peer sending 1-byte chunks of a 1 MiB header): parse again
                    // only once the buffer grew by min(4096, its size at the last attempt), or at the
                    // end of the input. The header is never needed before the first frame's bytes.
                    if !inputEnded, headerAttemptAt >= 0, input.count - headerAttemptAt < Swift.min(4096, headerAttemptAt) {
                        if try await pull() { continue }
                        inputEnded = true
                    }
                    headerAttemptAt = input.count
                    headerParseAttempts += 1
                    let parsed = try stream.client.parseHeader(input.readable)
                    switch parsed {
                    case .needMoreBytes:
                        guard !inputEnded, try await pull() else {
                            throw receivedBytes == 0
                                ? EnvelopeError(.malformedMessage, "The input is empty; expected an AWS Encryption SDK message.")
                                : EnvelopeError.malformed("the message ends inside its header (\(receivedBytes) bytes)")
                        }
                    case .header(let header):
                        input.consume(header.totalLength)
                        let (decryptor, materials) = try await stream.client.makeDecryptor(
                            header: header, materialsManager: stream.materialsManager,
                            reproducedEncryptionContext: stream.encryptionContext)
                        self.decryptor = decryptor
                        let info = DecryptedMessageInfo(header: header.info, encryptionContext: materials.encryptionContext, dataKeyOrigin: materials.dataKeyOrigin)
                        self.info = info
                        stream.onHeader?(info)
                        phase = .body
                    }
                case .body:
                    let decryptor = self.decryptor!
                    let step: FrameDecryptor.Step
                    var plaintext: [UInt8] = []
                    if let capacity = decryptor.maxFramePlaintext, let wire = decryptor.regularFrameWireSize, input.count >= wire {
                        // A whole frame is buffered: decrypt straight into the chunk we hand out.
                        var result = FrameDecryptor.Step.needMoreInput
                        plaintext = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                            result = try decryptor.step(input.readable, output: UnsafeMutableRawBufferPointer(buffer))
                            count = 0
                            if case .frame = result { count = decryptor.plaintext.count }
                        }
                        step = result
                    } else {
                        step = try decryptor.step(input.readable)
                        if case .frame = step { plaintext = [UInt8](copying: decryptor.plaintext) }
                    }
                    switch step {
                    case .needMoreInput:
                        guard try await pull() else {
                            throw EnvelopeError.malformed("the message is truncated after \(receivedBytes) bytes")
                        }
                    case .frame(let consumed, let isFinal):
                        input.consume(consumed)
                        let suite = decryptor.header.suite
                        if stream.releasePolicy == .afterSignature || (isFinal && suite.isSigned) {
                            // Spec: client-apis/decrypt.md ("Verify the signature") — hold until verified.
                            held += plaintext
                            continue
                        }
                        if plaintext.isEmpty { continue }
                        return plaintext
                    case .finished(let consumed):
                        input.consume(consumed)
                        phase = .trailing
                    }
                case .trailing:
                    guard input.isEmpty, carryOffset == carry.count else {
                        throw EnvelopeError.malformed("\(input.count + carry.count - carryOffset) unexpected bytes follow the end of the message")
                    }
                    while let chunk = try await upstream.next() {
                        guard chunk.isEmpty else {
                            throw EnvelopeError.malformed("unexpected bytes follow the end of the message")
                        }
                    }
                    phase = .done
                    if held.isEmpty { return nil }
                    defer { held = [] }
                    return held
                }
            }
        }
    }
}
