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

    static func writeUInt32(_ value: UInt32, into p: UnsafeMutableRawBufferPointer, at offset: Int) {
        p[offset] = UInt8(truncatingIfNeeded: value >> 24); p[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        p[offset + 2] = UInt8(truncatingIfNeeded: value >> 8); p[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}

/// A reusable body-AAD buffer: message ID ‖ content label ‖ uint32 sequence ‖ uint64 length.
/// Spec: data-format/message-body-aad.md.
struct BodyAAD {
    private var storage: [UInt8]
    private let idLength: Int

    init(messageID: [UInt8]) {
        idLength = messageID.count
        storage = messageID + [UInt8](repeating: 0, count: 64)
    }

    /// Fills the buffer and calls `body` with the AAD bytes.
    mutating func with<R>(_ kind: BodyCodec.ContentKind, sequence: UInt32, length: UInt64,
                          _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let label = kind.label
        let total = idLength + label.count + 12
        let idLength = idLength
        return try storage.withUnsafeMutableBytes { p in
            var o = idLength
            label.withUnsafeBytes { (p.baseAddress! + o).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            o += label.count
            BodyCodec.writeUInt32(sequence, into: p, at: o)
            BodyCodec.writeUInt32(UInt32(truncatingIfNeeded: length >> 32), into: p, at: o + 4)
            BodyCodec.writeUInt32(UInt32(truncatingIfNeeded: length), into: p, at: o + 8)
            return try body(UnsafeRawBufferPointer(rebasing: p[0..<total]))
        }
    }
}
