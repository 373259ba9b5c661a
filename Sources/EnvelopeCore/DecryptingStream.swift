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
    /// Cancelling the iterating task ends the stream with `CancellationError`. The message has a
    /// span and metrics as every decryption (see ``EnvelopeObservability``), from the first
    /// iteration to the end, a failure, or the iterator's release before the end.
    ///
    /// - Parameters:
    ///   - input: the message, in chunks of any size.
    ///   - keyring: unwraps one of the message's encrypted data keys.
    ///   - encryptionContext: the reproduced / required context (as for one-shot decrypt).
    ///   - releasePolicy: when verified plaintext may be released (signed suites hold the final
    ///     frame, or everything, until the signature verifies).
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
    ///
    /// A thin driver of the body engine's step-by-step decryptor (`DecryptCursor`, the same one
    /// file and descriptor decryption use): it feeds the cursor from the upstream sequence and
    /// hands out what the cursor releases.
    public struct Iterator: AsyncIteratorProtocol {
        private enum Phase { case header, body, trailing, done }
        private var upstream: Base.AsyncIterator
        private let stream: DecryptingStream
        private var phase = Phase.header
        let cursor = DecryptCursor()
        private var inputEnded = false
        /// The current upstream chunk; fed into the cursor at most about a frame at a time, so a
        /// huge chunk is never copied whole.
        private var carry: [UInt8] = []
        private var carryOffset = 0
        /// The message's span and metrics; nil when nothing is observed, and once finished.
        private var observation: MessageObservation?
        /// How often the header parser ran (bounded: see ``HeaderReader``).
        var headerParseAttempts: Int { cursor.headerReader.attempts }
        /// Header and encryption context, once the header has been authenticated.
        public private(set) var info: DecryptedMessageInfo?
        /// Frames whose tags verified so far.
        public var framesVerified: Int { cursor.decryptor?.framesVerified ?? 0 }
        /// The most message bytes this iterator ever buffered at once (at most about two frames,
        /// whatever the input chunk sizes).
        public var bufferedBytesHighWater: Int { cursor.input.highWater }

        init(upstream: Base.AsyncIterator, stream: DecryptingStream) {
            self.upstream = upstream
            self.stream = stream
        }

        /// The next verified plaintext chunk, or nil at the end of the message.
        public mutating func next() async throws -> [UInt8]? {
            do {
                try Task.checkCancellation()
                if phase == .header, observation == nil, let telemetry = stream.client.telemetry {
                    observation = MessageObservation(telemetry, .decrypt)
                }
                let chunk = try await advance()
                if phase == .done, let info {
                    observation?.succeeded(suite: info.suite)
                    observation = nil
                }
                return chunk
            } catch {
                phase = .done
                cursor.abandon()
                observation?.failed(error)
                observation = nil
                throw error
            }
        }

        /// Moves up to about one frame of input into the cursor, pulling the next upstream chunk
        /// when the current one is used up; false at the end of the input.
        private mutating func pull() async throws -> Bool {
            if carryOffset == carry.count {
                guard let chunk = try await upstream.next() else {
                    // An input that ended because the task was cancelled is not a truncated message.
                    try Task.checkCancellation()
                    inputEnded = true
                    return false
                }
                observation?.inputBytes += Int64(chunk.count)
                carry = chunk
                carryOffset = 0
            }
            let piece = Swift.min(carry.count - carryOffset, cursor.preferredAppend)
            let start = carryOffset
            carry.withUnsafeBytes { cursor.append(UnsafeRawBufferPointer(rebasing: $0[start..<(start + piece)])) }
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
                    guard let header = try cursor.parseHeader(client: stream.client, inputEnded: inputEnded) else {
                        _ = try await pull()
                        continue
                    }
                    let stream = self.stream
                    observation?.noteSuite(header.suite)
                    let (decryptor, materials) = try await MessageObservation.run(observation) {
                        try await stream.client.makeDecryptor(
                            header: header, materialsManager: stream.materialsManager,
                            reproducedEncryptionContext: stream.encryptionContext)
                    }
                    cursor.start(decryptor, releasePolicy: stream.releasePolicy)
                    let info = DecryptedMessageInfo(header: header.info, encryptionContext: materials.encryptionContext, dataKeyOrigin: materials.dataKeyOrigin)
                    self.info = info
                    stream.onHeader?(info)
                    phase = .body
                case .body:
                    var chunk: [UInt8] = []
                    var event = DecryptCursor.Event.needMoreInput
                    if cursor.hasWholeFrame, let capacity = cursor.decryptor?.maxFramePlaintext {
                        // A whole frame is buffered: decrypt straight into the chunk handed out.
                        chunk = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                            count = 0
                            event = try cursor.step(output: UnsafeMutableRawBufferPointer(buffer))
                            guard case .plaintext(let plaintext) = event, plaintext.count > 0 else { return }
                            if plaintext.baseAddress! != UnsafeRawPointer(buffer.baseAddress!) {
                                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: plaintext.baseAddress!, byteCount: plaintext.count)
                            }
                            count = plaintext.count
                        }
                    } else {
                        event = try cursor.step()
                        if case .plaintext(let plaintext) = event { chunk = [UInt8](copying: plaintext) }
                    }
                    switch event {
                    case .needMoreInput:
                        guard try await pull() else {
                            throw EnvelopeError.malformed("the message is truncated after \(cursor.received) bytes")
                        }
                    case .plaintext:
                        if !chunk.isEmpty { return chunk }
                    case .held:
                        continue
                    case .finished:
                        phase = .trailing
                    }
                case .trailing:
                    guard carryOffset == carry.count else {
                        throw EnvelopeError.malformed("\(carry.count - carryOffset) unexpected bytes follow the end of the message")
                    }
                    while let chunk = try await upstream.next() {
                        observation?.inputBytes += Int64(chunk.count)
                        guard chunk.isEmpty else {
                            throw EnvelopeError.malformed("unexpected bytes follow the end of the message")
                        }
                    }
                    phase = .done
                    let held = cursor.held
                    if held.count == 0 { return nil }
                    defer { held.wipe() }
                    return [UInt8](copying: held.readable)
                }
            }
        }
    }
}
