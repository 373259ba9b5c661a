import EnvelopeCrypto

/// The decrypt-side state machine for one message, created once the header is parsed and the
/// data key is known. It checks the key commitment and the header tag at creation, then consumes
/// frames (and the footer) from caller-supplied bytes. A frame's plaintext is exposed only after
/// its tag verifies; the plaintext buffer is reused for every frame and wiped on failure and free.
///
/// Not thread-safe; one instance per message.
/// Spec: client-apis/decrypt.md, data-format/message-body.md, data-format/message-footer.md.
final class FrameDecryptor {
    enum Step: Equatable {
        /// More bytes are needed before anything can be decided.
        case needMoreInput
        /// A frame was consumed and verified; its plaintext is in ``plaintext``.
        case frame(consumed: Int, isFinal: Bool)
        /// The footer (if any) was consumed and verified; the message is complete.
        case finished(consumed: Int)
    }

    private enum State { case frames, nonFramed, footer, done }

    let header: MessageHeader
    private let context: AESGCMContext
    /// The message (content) key, kept to key the extra openers of the parallel pipeline.
    private let messageKey: SecureBytes
    private let digest: IncrementalHash?
    private let verificationKey: ECDSAPublicKey?
    private let aad: BodyAAD
    private var state: State
    private var expectedSequence: UInt32 = 1
    private var scratch: UnsafeMutableRawBufferPointer
    /// The size scratch starts at once it is first needed (at most 64 KiB).
    private let initialScratch: Int
    private var plaintextRegion = UnsafeRawBufferPointer(start: nil, count: 0)

    /// The plaintext of the last verified frame: in the caller's output buffer when one was given
    /// and large enough, else in the decryptor's own reused buffer (valid until the next step).
    var plaintext: UnsafeRawBufferPointer { plaintextRegion }

    /// The largest plaintext one step can produce (the frame length), or nil for non-framed bodies.
    var maxFramePlaintext: Int? { header.contentType == .framed ? Int(header.frameLength) : nil }

    /// The wire size of a regular frame, or nil for non-framed bodies.
    var regularFrameWireSize: Int? { maxFramePlaintext.map { $0 + BodyCodec.regularFrameOverhead } }

    /// Bounds applied while stepping (the non-framed body length); set by the client.
    var limits = DecryptionLimits()

    /// Number of frames verified so far.
    private(set) var framesVerified = 0

    init(header: MessageHeader, materials: DecryptionMaterials) throws {
        guard let dataKey = materials.plaintextDataKey else {
            throw EnvelopeError(.keyringFailure, "The decryption materials hold no data key.")
        }
        guard materials.suite == header.suite else {
            throw EnvelopeError(.keyringFailure, "The materials manager returned materials for \(materials.suite.name) but the message uses \(header.suite.name).")
        }
        if header.suite.isSigned && materials.verificationKey == nil {
            throw EnvelopeError(.keyringFailure, "The message is signed but the materials hold no verification key.")
        }
        self.header = header
        // The derived commitment stays on the stack; the header's is a range of its bytes.
        var commitmentBytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let commitmentLength = header.suite.isCommitting ? KeyDerivation.commitmentLength : 0
        let key = try withUnsafeMutableBytes(of: &commitmentBytes) { commitment in
            try KeyDerivation.derive(suite: header.suite, dataKey: dataKey, messageID: header.messageID,
                                     commitment: UnsafeMutableRawBufferPointer(rebasing: commitment[0..<commitmentLength]))
        }
        // Spec: client-apis/decrypt.md ("Verify the header") — commitment compared in constant time.
        if header.suite.isCommitting {
            let matches = withUnsafeBytes(of: &commitmentBytes) { derived in
                header.bytes.withUnsafeBytes { all in
                    ConstantTime.equal(UnsafeRawBufferPointer(rebasing: derived[0..<commitmentLength]),
                                       UnsafeRawBufferPointer(rebasing: all[header.suiteDataRange]))
                }
            }
            guard matches else {
                throw EnvelopeError(.authenticationFailed, "The message's key commitment does not match its data key: the message is invalid or was crafted to decrypt differently under different keys. Do not trust it.")
            }
        }
        let required = Set(materials.requiredEncryptionContextKeys)
        let onlyAuthenticated: EncryptionContext = required.isEmpty ? [:]
            : materials.encryptionContext.filter { required.contains($0.key) && header.encryptionContext[$0.key] == nil }
        messageKey = key
        let gcm: AESGCMContext
        do {
            gcm = try AESGCMContext(key: key, direction: .open)
        } catch {
            throw EnvelopeError.wrapping(error, "Setting up message decryption failed in the crypto library.")
        }
        context = gcm
        // Spec: client-apis/decrypt.md ("Verify the header") — AAD = header body ‖ authenticate-only context.
        let extraAAD = onlyAuthenticated.isEmpty ? [] : try EncryptionContextCodec.serialize(onlyAuthenticated)
        do {
            try header.bytes.withUnsafeBytes { all in
                let tag = UnsafeRawBufferPointer(rebasing: all[header.headerTagRange])
                let body = UnsafeRawBufferPointer(rebasing: all[0..<header.bodyLength])
                let none = UnsafeMutableRawBufferPointer(start: nil, count: 0)
                try Self.withHeaderIV(header, all) { iv in
                    if extraAAD.isEmpty {
                        try gcm.open(ciphertext: UnsafeRawBufferPointer(none), tag: tag, iv: iv, aad: body, plaintext: none)
                    } else {
                        let aad = Array(body) + extraAAD
                        try aad.withUnsafeBytes { try gcm.open(ciphertext: UnsafeRawBufferPointer(none), tag: tag, iv: iv, aad: $0, plaintext: none) }
                    }
                }
            }
        } catch {
            throw EnvelopeError(.authenticationFailed, "The message header tag did not verify: the header was modified, or the encryption context you supplied for decryption (required pairs not stored in the message) differs from the one used to encrypt. Check the context; do not trust this message.")
        }
        verificationKey = materials.verificationKey
        if let hash = header.suite.signatureHash {
            do { digest = try IncrementalHash(hash) } catch { throw EnvelopeError.wrapping(error, "Creating the message digest failed.") }
            // Body, (v1) IV and tag: the whole header, in wire order.
            digest?.update(header.bytes)
        } else {
            digest = nil
        }
        aad = BodyAAD(messageID: header.messageID)
        state = header.contentType == .framed ? .frames : .nonFramed
        // Allocated only when a frame cannot go to the caller's buffer (never for one-shot
        // in-memory decryption); grown to the frame length only once a whole frame has arrived.
        scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        initialScratch = header.contentType == .framed ? min(Int(header.frameLength), 64 * 1024) : 0
    }

    /// Runs `body` with the header IV: the v1 header's own (a range of `all`, its bytes), else
    /// the zero IV of v2.
    private static func withHeaderIV<R>(_ header: MessageHeader, _ all: UnsafeRawBufferPointer,
                                        _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if header.version == 1 { return try body(UnsafeRawBufferPointer(rebasing: all[header.headerIVRange])) }
        return try MessageHeader.zeroIV.withUnsafeBytes(body)
    }

    deinit {
        ConstantTime.zero(scratch)
        scratch.deallocate()
    }

    /// Where a frame of `count` bytes is decrypted: the caller's buffer if it fits, else scratch.
    private func destination(_ count: Int, _ output: UnsafeMutableRawBufferPointer?) -> UnsafeMutableRawBufferPointer {
        if let output, output.count >= count, count > 0 {
            return UnsafeMutableRawBufferPointer(rebasing: output[0..<count])
        }
        ensureScratch(count)
        return UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count])
    }

    private func ensureScratch(_ count: Int) {
        guard scratch.count < count else { return }
        ConstantTime.zero(scratch)
        scratch.deallocate()
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, initialScratch), alignment: 16)
    }

    /// Consumes at most one frame (or the footer) from the start of `input`. A verified frame's
    /// plaintext goes to `output` when given and large enough (no copy), else to scratch.
    func step(_ input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer? = nil) throws -> Step {
        plaintextRegion = UnsafeRawBufferPointer(start: nil, count: 0)
        switch state {
        case .frames: return try stepFrame(input, output)
        case .nonFramed: return try stepNonFramed(input, output)
        case .footer: return try stepFooter(input)
        case .done:
            guard input.isEmpty else {
                throw EnvelopeError.malformed("\(input.count) unexpected bytes follow the end of the message")
            }
            return .finished(consumed: 0)
        }
    }

    // Spec: data-format/message-body.md ("Framed Data"), client-apis/decrypt.md ("Decrypt the message body").
    private func stepFrame(_ input: UnsafeRawBufferPointer, _ destinationBuffer: UnsafeMutableRawBufferPointer?) throws -> Step {
        guard let frame = try BodyCodec.parseFrame(input, frameLength: header.frameLength, expectedSequence: expectedSequence) else {
            return .needMoreInput
        }
        try open(frame, kind: frame.isFinal ? .finalFrame : .frame, input: input, destinationBuffer)
        if frame.isFinal {
            state = header.suite.isSigned ? .footer : .done
        } else {
            // Spec: message-body.md — at most 2^32-1 frames; only the final frame may carry 2^32-1.
            guard expectedSequence < BodyCodec.finalFrameMarker else {
                throw EnvelopeError.malformed("the message has more than 2^32-1 frames")
            }
            expectedSequence += 1
        }
        return .frame(consumed: frame.wireLength, isFinal: frame.isFinal)
    }

    // Spec: data-format/message-body.md ("Non-Framed Data").
    private func stepNonFramed(_ input: UnsafeRawBufferPointer, _ destinationBuffer: UnsafeMutableRawBufferPointer?) throws -> Step {
        // Refuse an oversized declared length as soon as it is readable, before buffering the body.
        if input.count >= AESGCM.ivLength + 8 {
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: input[AESGCM.ivLength...]))
            if let declared = r.readUInt64(), declared <= BodyCodec.maxNonFramedLength {
                try limits.checkNonFramedBody(declaredLength: declared)
            }
        }
        guard let body = try BodyCodec.parseNonFramedBody(input) else { return .needMoreInput }
        try open(body, kind: .singleBlock, input: input, destinationBuffer)
        state = header.suite.isSigned ? .footer : .done
        return .frame(consumed: body.wireLength, isFinal: true)
    }

    /// Verifies and decrypts one frame; only then exposes its plaintext and feeds the digest.
    private func open(_ frame: BodyCodec.FrameView, kind: BodyCodec.ContentKind, input: UnsafeRawBufferPointer,
                      _ destinationBuffer: UnsafeMutableRawBufferPointer?) throws {
        let output = destination(frame.ciphertext.count, destinationBuffer)
        do {
            // Frame IVs are taken from the frame, as the official decryptors do (README fact 8).
            try aad.with(kind, sequence: frame.sequence, length: UInt64(frame.ciphertext.count)) { aadBytes in
                try context.open(ciphertext: frame.ciphertext, tag: frame.tag, iv: frame.iv, aad: aadBytes, plaintext: output)
            }
        } catch {
            switch kind {
            case .frame: throw EnvelopeError.tagFailed("frame \(frame.sequence)")
            case .finalFrame: throw EnvelopeError.tagFailed("final frame (\(frame.sequence))")
            case .singleBlock: throw EnvelopeError.tagFailed("message body")
            }
        }
        digest?.update(UnsafeRawBufferPointer(rebasing: input[0..<frame.wireLength]))
        plaintextRegion = UnsafeRawBufferPointer(output)
        framesVerified += 1
    }

    // Spec: data-format/message-footer.md, client-apis/decrypt.md ("Verify the signature").
    private func stepFooter(_ input: UnsafeRawBufferPointer) throws -> Step {
        guard let footer = FooterCodec.parse(input) else { return .needMoreInput }
        guard let digest, let verificationKey else { throw EnvelopeError.malformed("unexpected footer") }
        let hash: [UInt8]
        do { hash = try digest.finalize() } catch { throw EnvelopeError.wrapping(error, "Finishing the message digest failed.") }
        guard verificationKey.isValidSignature(footer.signature, forDigest: hash) else {
            throw EnvelopeError.tagFailed("message signature")
        }
        state = .done
        return .finished(consumed: footer.wireLength)
    }

    // MARK: - parallel pipeline

    /// A new opener with its own AES-GCM context for one worker of the parallel pipeline.
    func makeOpener() throws -> FrameOpener {
        do {
            return FrameOpener(context: try AESGCMContext(key: messageKey, direction: .open), messageID: header.messageID)
        } catch {
            throw EnvelopeError.wrapping(error, "Setting up a frame opener failed in the crypto library.")
        }
    }

    /// Feeds body bytes parsed elsewhere (the parallel pipeline) to the message digest, in order.
    func absorb(_ bodyBytes: UnsafeRawBufferPointer) {
        digest?.update(bodyBytes)
    }

    /// Verifies the footer of a signed message whose body bytes were all given to ``absorb(_:)``.
    /// `footer` must be exactly the footer bytes (uint16 length ‖ signature).
    /// Spec: data-format/message-footer.md, client-apis/decrypt.md ("Verify the signature").
    func verifyFooter(_ footer: UnsafeRawBufferPointer) throws {
        guard header.suite.isSigned else {
            guard footer.isEmpty else { throw EnvelopeError.malformed("\(footer.count) unexpected bytes follow the end of the message") }
            return
        }
        var r = ByteReader(footer)
        guard let length = r.readUInt16(), let signature = r.readBytes(Int(length)) else {
            throw EnvelopeError.malformed("the message ends inside its footer")
        }
        guard r.offset == footer.count else {
            throw EnvelopeError.malformed("\(footer.count - r.offset) unexpected bytes follow the end of the message")
        }
        guard let digest, let verificationKey else { throw EnvelopeError.malformed("unexpected footer") }
        let hash: [UInt8]
        do { hash = try digest.finalize() } catch { throw EnvelopeError.wrapping(error, "Finishing the message digest failed.") }
        guard verificationKey.isValidSignature(signature, forDigest: hash) else {
            throw EnvelopeError.tagFailed("message signature")
        }
        state = .done
    }

    /// True once the body (and footer) are complete.
    var isDone: Bool { state == .done }
}
