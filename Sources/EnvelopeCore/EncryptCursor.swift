import EnvelopeCrypto

/// The sequential encrypt engine, one frame at a time, for plaintext that arrives in pieces: the
/// file and descriptor loop (``EncryptBody``) and ``EncryptingStream`` drive this same object, each
/// with its own way of getting bytes (a blocking read, an `AsyncSequence`).
///
/// Plaintext is collected into one reused frame buffer (wiped after each frame and when freed);
/// whole frames can also be sealed straight from the caller's bytes. The final frame's chunk
/// carries the footer. Spec: data-format/message-body.md — an input that is an exact multiple of
/// the frame length ends with an empty final frame.
final class EncryptCursor {
    let encryptor: FrameEncryptor
    private var sealer: SequentialSealer
    /// The plaintext of the frame being collected (wiped after each frame and when freed).
    let frame: ByteAccumulator
    /// Frames sealed so far.
    private(set) var framesSealed = 0

    init(_ encryptor: FrameEncryptor) throws {
        self.encryptor = encryptor
        sealer = try SequentialSealer(encryptor)
        frame = ByteAccumulator(capacity: encryptor.frameLength)
    }

    var frameLength: Int { encryptor.frameLength }
    var frameIsFull: Bool { frame.count == frameLength }

    /// Copies as much of `bytes` as the frame being collected takes; returns how many it took.
    func collect(_ bytes: UnsafeRawBufferPointer) -> Int {
        let n = Swift.min(frameLength - frame.count, bytes.count)
        frame.append(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        return n
    }

    /// Reads into the frame being collected until it is full (true) or the input ends (false).
    func collect(reading read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Bool {
        while !frameIsFull {
            if try frame.append(reading: read, upTo: frameLength) == 0 { return false }
        }
        return true
    }

    /// Seals the collected plaintext as a regular frame (it must be full) or as the final frame.
    func sealCollected(isFinal: Bool) throws -> [UInt8] {
        defer { frame.wipe() }
        return try seal(frame.readable, isFinal: isFinal)
    }

    /// Seals `plaintext` (exactly one frame, or the final frame's content) into a new chunk; the
    /// final frame's chunk carries the footer.
    func seal(_ plaintext: UnsafeRawBufferPointer, isFinal: Bool) throws -> [UInt8] {
        let size = FrameEncryptor.frameSize(contentLength: plaintext.count, isFinal: isFinal)
        var chunk = try [UInt8](unsafeUninitializedCapacity: size + (isFinal ? FrameEncryptor.maxFooterLength : 0)) { buffer, count in
            count = try sealer.seal(plaintext, isFinal: isFinal, into: UnsafeMutableRawBufferPointer(buffer))
        }
        framesSealed += 1
        if isFinal { chunk += try encryptor.footer() }
        return chunk
    }
}
