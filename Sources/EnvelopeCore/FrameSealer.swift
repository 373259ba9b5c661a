import EnvelopeCrypto

/// Seals single frames of one message with its own AES-GCM context and AAD buffer.
///
/// Each frame depends only on its sequence number (which is also its IV), so several sealers keyed
/// with the same message key can seal frames of one message on several cores at once. No state
/// changes between frames apart from the reused context; no allocation per frame.
/// Not thread-safe: one sealer per worker.
/// Spec: client-apis/encrypt.md ("Construct a frame"), data-format/message-body.md ("Framed Data").
final class FrameSealer {
    private let context: AESGCMContext
    private let aad: BodyAAD

    init(context: AESGCMContext, messageID: [UInt8]) {
        precondition(context.direction == .seal, "a frame sealer needs a sealing context")
        self.context = context
        aad = BodyAAD(messageID: messageID)
    }

    /// Writes the wire form of frame `sequence` holding `plaintext` into the start of `output` and
    /// returns its size. `output` must hold ``FrameEncryptor/frameSize(contentLength:isFinal:)`` bytes.
    func seal(_ plaintext: UnsafeRawBufferPointer, sequence: UInt32, isFinal: Bool, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let size = FrameEncryptor.frameSize(contentLength: plaintext.count, isFinal: isFinal)
        precondition(output.count >= size, "output buffer too small for a frame")
        let layout = BodyCodec.writeFramePrefix(sequence: sequence, isFinal: isFinal, contentLength: plaintext.count, into: output)
        let iv = UnsafeRawBufferPointer(rebasing: output[layout.iv])
        let ciphertext = UnsafeMutableRawBufferPointer(rebasing: output[layout.ciphertext])
        let tag = UnsafeMutableRawBufferPointer(rebasing: output[layout.tag])
        do {
            // Spec: data-format/message-body-aad.md — message ID ‖ label ‖ sequence ‖ content length.
            try aad.with(isFinal ? .finalFrame : .frame, sequence: sequence, length: UInt64(plaintext.count)) { aadBytes in
                try context.seal(plaintext: plaintext, iv: iv, aad: aadBytes, ciphertext: ciphertext, tag: tag)
            }
        } catch {
            throw EnvelopeError.wrapping(error, "Sealing frame \(sequence) failed in the crypto library. Retry; if it persists, report it.")
        }
        return size
    }
}

/// Opens single frames of one message with its own AES-GCM context; one per worker.
///
/// The caller has parsed the frame (sequence, IV, content, tag) and checked its sequence number;
/// the plaintext is written to `plaintext` and is valid only if no error is thrown (on a tag
/// failure the output is wiped). Not thread-safe.
/// Spec: client-apis/decrypt.md ("Decrypt the message body"), data-format/message-body.md.
final class FrameOpener {
    private let context: AESGCMContext
    private let aad: BodyAAD

    init(context: AESGCMContext, messageID: [UInt8]) {
        precondition(context.direction == .open, "a frame opener needs an opening context")
        self.context = context
        aad = BodyAAD(messageID: messageID)
    }

    /// Verifies and decrypts one frame into `plaintext` (at least `ciphertext.count` bytes).
    func open(sequence: UInt32, isFinal: Bool, iv: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
              tag: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer) throws {
        do {
            try aad.with(isFinal ? .finalFrame : .frame, sequence: sequence, length: UInt64(ciphertext.count)) { aadBytes in
                try context.open(ciphertext: ciphertext, tag: tag, iv: iv, aad: aadBytes, plaintext: plaintext)
            }
        } catch {
            throw EnvelopeError.tagFailed(isFinal ? "final frame (\(sequence))" : "frame \(sequence)")
        }
    }
}
