import EnvelopeCrypto

/// Pure helpers for the message body: frame sizes, frame IVs and body AAD.
///
/// Spec: data-format/message-body.md, data-format/message-body-aad.md.
enum BodyCodec {
    static let finalFrameMarker: UInt32 = 0xFFFF_FFFF
    /// The largest frame length this SDK writes (the official SDKs' limit).
    static let maxFrameLength = Int(Int32.max)

    enum ContentKind {
        case frame, finalFrame, singleBlock

        /// Spec: data-format/message-body-aad.md ("Body AAD Content").
        var label: [UInt8] {
            switch self {
            case .frame: Self.frameLabel
            case .finalFrame: Self.finalFrameLabel
            case .singleBlock: Self.singleBlockLabel
            }
        }

        private static let frameLabel = Array("AWSKMSEncryptionClient Frame".utf8)
        private static let finalFrameLabel = Array("AWSKMSEncryptionClient Final Frame".utf8)
        private static let singleBlockLabel = Array("AWSKMSEncryptionClient Single Block".utf8)
    }

    /// Bytes a regular frame adds around its content: sequence number, IV, tag.
    static let regularFrameOverhead = 4 + AESGCM.ivLength + AESGCM.tagLength
    /// Bytes a final frame adds: marker, sequence number, IV, content length, tag.
    static let finalFrameOverhead = 4 + 4 + AESGCM.ivLength + 4 + AESGCM.tagLength

    /// Spec: client-apis/encrypt.md ("Construct a frame") — the IV is the sequence number,
    /// big-endian, left-padded with zeros to 12 bytes.
    static func writeFrameIV(sequence: UInt32, into iv: UnsafeMutableRawBufferPointer) {
        for i in 0..<8 { iv[i] = 0 }
        iv[8] = UInt8(truncatingIfNeeded: sequence >> 24); iv[9] = UInt8(truncatingIfNeeded: sequence >> 16)
        iv[10] = UInt8(truncatingIfNeeded: sequence >> 8); iv[11] = UInt8(truncatingIfNeeded: sequence)
    }

    /// Where the parts of a serialized frame lie (offsets within the frame).
    struct FrameLayout {
        let iv: Range<Int>
        let ciphertext: Range<Int>
        let tag: Range<Int>
        var size: Int { tag.upperBound }
    }

    /// Writes a frame's cleartext fields (final-frame marker, sequence number, IV, final content
    /// length) at the start of `output` and returns where IV, ciphertext and tag go.
    /// Spec: data-format/message-body.md ("Regular Frame", "Final Frame").
    static func writeFramePrefix(sequence: UInt32, isFinal: Bool, contentLength: Int, into output: UnsafeMutableRawBufferPointer) -> FrameLayout {
        var o = 0
        if isFinal {
            writeUInt32(finalFrameMarker, into: output, at: 0)
            o = 4
        }
        writeUInt32(sequence, into: output, at: o)
        o += 4
        let iv = o..<(o + AESGCM.ivLength)
        writeFrameIV(sequence: sequence, into: UnsafeMutableRawBufferPointer(rebasing: output[iv]))
        o = iv.upperBound
        if isFinal {
            writeUInt32(UInt32(contentLength), into: output, at: o)
            o += 4
        }
        let ciphertext = o..<(o + contentLength)
        return FrameLayout(iv: iv, ciphertext: ciphertext, tag: ciphertext.upperBound..<(ciphertext.upperBound + AESGCM.tagLength))
    }

    /// A frame (or non-framed body) found in input bytes: views into the input, nothing decrypted.
    struct FrameView {
        let isFinal: Bool
        let sequence: UInt32
        let iv: UnsafeRawBufferPointer
        let ciphertext: UnsafeRawBufferPointer
        let tag: UnsafeRawBufferPointer
        /// Bytes the frame occupies in the input.
        let wireLength: Int
    }

    /// Locates the next frame. Returns nil when `input` ends before the frame does; throws
    /// `malformedMessage` for an out-of-order sequence number or an oversized final frame as soon as
    /// those fields are read. Pure; never traps.
    /// Spec: data-format/message-body.md ("Framed Data").
    static func parseFrame(_ input: UnsafeRawBufferPointer, frameLength: UInt32, expectedSequence: UInt32) throws -> FrameView? {
        var r = ByteReader(input)
        guard let first = r.readUInt32() else { return nil }
        let isFinal = first == finalFrameMarker
        let sequence: UInt32
        if isFinal {
            guard let s = r.readUInt32() else { return nil }
            sequence = s
        } else {
            sequence = first
        }
        guard sequence == expectedSequence else {
            throw EnvelopeError.malformed("frame \(sequence) arrived where frame \(expectedSequence) was expected (frames dropped, duplicated or reordered)")
        }
        guard let iv = r.readSlice(AESGCM.ivLength) else { return nil }
        let length: Int
        if isFinal {
            guard let l = r.readUInt32() else { return nil }
            // Final frame content length ≤ frame length (a full-length final frame is accepted).
            guard l <= frameLength else {
                throw EnvelopeError.malformed("the final frame claims \(l) bytes, more than the frame length \(frameLength)")
            }
            length = Int(l)
        } else {
            length = Int(frameLength)
        }
        guard let ciphertext = r.readSlice(length), let tag = r.readSlice(AESGCM.tagLength) else { return nil }
        return FrameView(isFinal: isFinal, sequence: sequence, iv: iv, ciphertext: ciphertext, tag: tag, wireLength: r.offset)
    }

    /// The largest non-framed body content: 2^36 - 32 bytes.
    static let maxNonFramedLength: UInt64 = (1 << 36) - 32

    /// Locates a non-framed body (IV ‖ uint64 length ‖ ciphertext ‖ tag); nil when incomplete.
    /// Spec: data-format/message-body.md ("Non-Framed Data").
    static func parseNonFramedBody(_ input: UnsafeRawBufferPointer) throws -> FrameView? {
        var r = ByteReader(input)
        guard let iv = r.readSlice(AESGCM.ivLength), let length = r.readUInt64() else { return nil }
        guard length <= maxNonFramedLength else {
            throw EnvelopeError.malformed("the non-framed body claims \(length) bytes, more than 2^36-32")
        }
        guard let ciphertext = r.readSlice(Int(length)), let tag = r.readSlice(AESGCM.tagLength) else { return nil }
        return FrameView(isFinal: true, sequence: 1, iv: iv, ciphertext: ciphertext, tag: tag, wireLength: r.offset)
    }

    static func writeUInt32(_ value: UInt32, into p: UnsafeMutableRawBufferPointer, at offset: Int) {
        p[offset] = UInt8(truncatingIfNeeded: value >> 24); p[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        p[offset + 2] = UInt8(truncatingIfNeeded: value >> 8); p[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}

/// The body AAD of a message's frames: message ID ‖ content label ‖ uint32 sequence ‖ uint64
/// length, built per frame in a stack buffer (no allocation per message; copying the message ID
/// costs a few instructions per frame).
/// Spec: data-format/message-body-aad.md.
struct BodyAAD {
    private let messageID: [UInt8]

    init(messageID: [UInt8]) {
        self.messageID = messageID
    }

    /// Fills a buffer and calls `body` with the AAD bytes.
    func with<R>(_ kind: BodyCodec.ContentKind, sequence: UInt32, length: UInt64,
                 _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let label = kind.label
        let idLength = messageID.count
        let total = idLength + label.count + 12
        return try withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { p in
            messageID.withUnsafeBytes { if idLength > 0 { p.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: idLength) } }
            var o = idLength
            label.withUnsafeBytes { (p.baseAddress! + o).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            o += label.count
            BodyCodec.writeUInt32(sequence, into: p, at: o)
            BodyCodec.writeUInt32(UInt32(truncatingIfNeeded: length >> 32), into: p, at: o + 4)
            BodyCodec.writeUInt32(UInt32(truncatingIfNeeded: length), into: p, at: o + 8)
            return try body(UnsafeRawBufferPointer(p))
        }
    }
}

/// The footer of signed messages: uint16 signature length ‖ DER ECDSA signature.
/// Spec: data-format/message-footer.md.
enum FooterCodec {
    static func serialize(signature: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt16(UInt16(signature.count))
        return out + signature
    }

    /// The signature and the footer's length, or nil when `input` ends early.
    static func parse(_ input: UnsafeRawBufferPointer) -> (signature: [UInt8], wireLength: Int)? {
        var r = ByteReader(input)
        guard let length = r.readUInt16(), let signature = r.readBytes(Int(length)) else { return nil }
        return (signature, r.offset)
    }
}
