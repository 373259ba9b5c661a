// Entry points for the libFuzzer targets in Fuzz/ and the corpus replay tests (issue 8). They
// reach the pure codecs, which are internal; the SPI keeps them out of the public API.

/// Drives the pure message codecs over untrusted bytes without any key. Every function returns
/// normally or throws ``EnvelopeError``; anything else (a trap, a hang) is a bug.
@_spi(Fuzzing)
public enum EnvelopeFuzzing {
    /// What the codec walk found.
    public enum Outcome: Sendable, Equatable {
        /// The input ends before the header does.
        case incompleteHeader
        /// The header parsed; `frames` frames (or the non-framed body) and, if signed, the footer
        /// were located; `complete` tells whether the body ended properly.
        case parsed(frames: Int, complete: Bool)
    }

    /// Parses a header with the client's limits. Returns the header length, or nil when incomplete.
    public static func parseHeader(_ bytes: [UInt8], limits: DecryptionLimits = DecryptionLimits(),
                                   maxEncryptedDataKeys: Int? = nil) throws -> Int? {
        var client = EnvelopeClient(maxEncryptedDataKeys: maxEncryptedDataKeys)
        client.limits = limits
        let result = try bytes.withUnsafeBytes { try client.parseHeader($0) }
        switch result {
        case .needMoreBytes: return nil
        case .header(let header): return header.totalLength
        }
    }

    /// Parses the header, then walks the body frame by frame (and the footer) with the pure
    /// BodyCodec/FooterCodec, checking sequence numbers and lengths but decrypting nothing.
    public static func walkMessage(_ bytes: [UInt8], limits: DecryptionLimits = DecryptionLimits()) throws -> Outcome {
        var client = EnvelopeClient()
        client.limits = limits
        return try bytes.withUnsafeBytes { input in
            guard case .header(let header) = try client.parseHeader(input) else { return .incompleteHeader }
            var offset = header.totalLength
            var frames = 0
            func rest() -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: input[offset...]) }
            switch header.contentType {
            case .nonFramed:
                if input.count - offset >= 20 {
                    var r = ByteReader(rest(), offset: 12)
                    if let declared = r.readUInt64(), declared <= BodyCodec.maxNonFramedLength {
                        try limits.checkNonFramedBody(declaredLength: declared)
                    }
                }
                guard let body = try BodyCodec.parseNonFramedBody(rest()) else { return .parsed(frames: 0, complete: false) }
                offset += body.wireLength
                frames = 1
            case .framed:
                var sequence: UInt32 = 1
                while true {
                    guard let frame = try BodyCodec.parseFrame(rest(), frameLength: header.frameLength, expectedSequence: sequence) else {
                        return .parsed(frames: frames, complete: false)
                    }
                    offset += frame.wireLength
                    frames += 1
                    if frame.isFinal { break }
                    guard sequence < BodyCodec.finalFrameMarker else { throw EnvelopeError.malformed("too many frames") }
                    sequence += 1
                }
            }
            if header.suite.isSigned {
                guard let footer = FooterCodec.parse(rest()) else { return .parsed(frames: frames, complete: false) }
                offset += footer.wireLength
            }
            return .parsed(frames: frames, complete: offset == input.count)
        }
    }
}
