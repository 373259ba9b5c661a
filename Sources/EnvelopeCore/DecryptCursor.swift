import EnvelopeCrypto

/// The sequential decrypt engine, one step at a time, for input that arrives in pieces: the file
/// and descriptor loop (``DecryptBody``) and ``DecryptingStream`` drive this same object, each
/// with its own way of getting bytes (a blocking read, an `AsyncSequence`).
///
/// It owns the buffered input, finds the header (``HeaderReader``), then opens frame after frame.
/// Plaintext is released only after its frame's tag verified; for signed suites the final frame
/// (with ``DecryptReleasePolicy/afterSignature``, everything) goes to ``held`` and is released
/// only once the signature verified and nothing follows the message. ``held`` is wiped on every
/// error path (``abandon()``) and when the cursor is freed.
final class DecryptCursor {
    enum Event {
        /// More input is needed (``append(_:)``) before anything can be decided.
        case needMoreInput
        /// A verified frame whose plaintext may be released now (valid until the next step).
        case plaintext(UnsafeRawBufferPointer)
        /// A verified frame whose plaintext went to ``held``.
        case held
        /// The footer verified and no buffered byte follows it. The driver checks that its input
        /// has ended, then releases ``held``.
        case finished
    }

    /// Input bytes not consumed yet.
    let input = ByteAccumulator(capacity: 64 * 1024)
    private(set) var headerReader = HeaderReader()
    /// Bytes appended so far.
    private(set) var received = 0
    private(set) var decryptor: FrameDecryptor?
    /// Plaintext kept until the signature verified.
    let held = ByteAccumulator(capacity: 0)
    private var holdsEverything = false

    /// How many bytes the next ``append(_:)`` should bring at most: about one frame (at least
    /// 64 KiB), so a huge input chunk is never copied whole.
    var preferredAppend: Int { Swift.max(decryptor?.regularFrameWireSize ?? 0, 64 * 1024) }

    /// True when a whole regular frame is buffered (its plaintext can go straight to a caller's buffer).
    var hasWholeFrame: Bool { decryptor?.regularFrameWireSize.map { input.count >= $0 } ?? false }

    func append(_ bytes: UnsafeRawBufferPointer) {
        input.append(bytes)
        received += bytes.count
    }

    /// Appends what `read` gives (at most ``preferredAppend`` bytes); false at the end of the input.
    func append(reading read: (UnsafeMutableRawBufferPointer) throws -> Int, scratch: inout [UInt8]) throws -> Bool {
        let want = Swift.min(scratch.count, preferredAppend)
        let n = try scratch.withUnsafeMutableBytes { try read(UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
        guard n > 0 else { return false }
        scratch.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        return true
    }

    // MARK: - header

    /// The header once the buffered bytes hold all of it (they are consumed), nil when more input
    /// is needed. Throws when the input ended inside the header or the header breaks a limit.
    func parseHeader(client: EnvelopeClient, inputEnded: Bool) throws -> MessageHeader? {
        guard headerReader.shouldParse(buffered: input.count, inputEnded: inputEnded, limits: client.limits) else { return nil }
        switch try headerReader.parse(input.readable, client: client) {
        case .needMoreBytes:
            if inputEnded { throw HeaderReader.endedInsideHeader(received: received) }
            return nil
        case .header(let header):
            input.consume(header.totalLength)
            return header
        }
    }

    // MARK: - body

    /// Starts the body with the message's decryptor.
    func start(_ decryptor: FrameDecryptor, releasePolicy: DecryptReleasePolicy = .afterFrameTag) {
        self.decryptor = decryptor
        holdsEverything = releasePolicy == .afterSignature
    }

    /// Consumes at most one frame (or the footer). A verified frame's plaintext goes to `output`
    /// when given and large enough, else to the decryptor's buffer. On an error, ``held`` is wiped.
    func step(output: UnsafeMutableRawBufferPointer? = nil) throws -> Event {
        do {
            return try advance(output)
        } catch {
            abandon()
            throw error
        }
    }

    private func advance(_ output: UnsafeMutableRawBufferPointer?) throws -> Event {
        guard let decryptor else { preconditionFailure("DecryptCursor.step before start") }
        switch try decryptor.step(input.readable, output: output) {
        case .needMoreInput:
            return .needMoreInput
        case .frame(let consumed, let isFinal):
            let plaintext = decryptor.plaintext
            // Spec: client-apis/decrypt.md ("Verify the signature") — held until verified.
            if holdsEverything || (isFinal && decryptor.header.suite.isSigned) {
                held.append(plaintext)
                input.consume(consumed)
                return .held
            }
            input.consume(consumed)
            return .plaintext(plaintext)
        case .finished(let consumed):
            input.consume(consumed)
            guard input.isEmpty else {
                throw EnvelopeError.malformed("\(input.count) unexpected bytes follow the end of the message")
            }
            return .finished
        }
    }

    /// Wipes everything held (any error path of the driver).
    func abandon() {
        held.wipe()
    }
}
