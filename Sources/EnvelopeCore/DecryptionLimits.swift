/// Bounds on what a message being decrypted may claim, so hostile input is refused early, before
/// any key work, with memory bounded by these limits rather than by what the message says.
///
/// The ESDK format lets a header claim up to 65535 encrypted data keys of up to 192 KiB each, a
/// frame of up to 2^31-1 bytes and a non-framed body of up to 2^36-32 bytes; every limit here is
/// well above what the official SDKs write by default and can be raised per client.
public struct DecryptionLimits: Sendable, Hashable {
    /// The most bytes a message header (encryption context and encrypted data keys included) may
    /// occupy. A streaming decrypt never buffers more than this (plus at most 64 KiB read ahead)
    /// while it waits for a header to end. Default 1 MiB (about 4000 KMS data keys).
    public var maxHeaderLength: Int
    /// The largest frame length a framed message may declare. A streaming decrypt buffers about
    /// two frames, so this bounds its memory. Default 64 MiB (the SDKs write 4 KiB frames).
    public var maxFrameLength: Int
    /// The largest body a legacy non-framed message may declare. A non-framed body can only be
    /// authenticated as a whole, so a streaming decrypt buffers all of it. Default 64 MiB.
    public var maxNonFramedBodyLength: Int
    /// Refuse messages of signed suites (0x0378, 0x0578) right after the header is parsed, before
    /// any key work or output. A streaming decrypt of a signed message releases frames before the
    /// footer signature is checked; a caller that cannot hold or roll back output, and expects
    /// only unsigned messages, sets this so such a message never produces any. Default false.
    /// (The counterpart of the official CLI's `--decrypt-unsigned` and the SDKs' unsigned-only
    /// streaming decrypt.)
    public var refuseSignedSuites: Bool = false

    /// 1 MiB.
    public static let defaultMaxHeaderLength = 1 << 20
    /// 64 MiB.
    public static let defaultMaxFrameLength = 1 << 26
    /// 64 MiB.
    public static let defaultMaxNonFramedBodyLength = 1 << 26

    /// Creates limits; every value must be at least 1.
    public init(maxHeaderLength: Int = DecryptionLimits.defaultMaxHeaderLength,
                maxFrameLength: Int = DecryptionLimits.defaultMaxFrameLength,
                maxNonFramedBodyLength: Int = DecryptionLimits.defaultMaxNonFramedBodyLength) {
        precondition(maxHeaderLength >= 1 && maxFrameLength >= 1 && maxNonFramedBodyLength >= 1, "decryption limits must be at least 1")
        self.maxHeaderLength = maxHeaderLength
        self.maxFrameLength = maxFrameLength
        self.maxNonFramedBodyLength = maxNonFramedBodyLength
    }

    /// Limits as wide as the message format itself (header length aside, which the format does
    /// not bound usefully: it is capped at 64 MiB here). Use only for trusted input.
    public static let formatMaximum = DecryptionLimits(maxHeaderLength: 1 << 26, maxFrameLength: Int(Int32.max),
                                                       maxNonFramedBodyLength: Int(BodyCodec.maxNonFramedLength))

    /// Refuses a header that is (or is becoming) longer than allowed: `buffered` is how many bytes
    /// are available while the header is still incomplete.
    func checkIncompleteHeader(buffered: Int) throws {
        if buffered > maxHeaderLength {
            throw EnvelopeError.limit(LimitFailure(.headerLength, value: UInt64(buffered), maximum: UInt64(maxHeaderLength)), "The message header is longer than the limit of \(maxHeaderLength) bytes (it keeps going after \(buffered) bytes). Such a header usually means hostile or corrupt input; if you trust it, raise DecryptionLimits.maxHeaderLength.")
        }
    }

    /// Refuses a parsed header whose length or frame length exceeds the limits, or whose suite is
    /// signed when ``refuseSignedSuites`` is set.
    func check(_ header: MessageHeader) throws {
        if refuseSignedSuites, header.suite.isSigned {
            throw EnvelopeError(.signedSuiteRefused, "The message uses the signed suite \(header.suite.name), and this client refuses signed messages (refuseSignedSuites). Decrypt it without that option, buffering the output until the signature verifies.")
        }
        if header.totalLength > maxHeaderLength {
            throw EnvelopeError.limit(LimitFailure(.headerLength, value: UInt64(header.totalLength), maximum: UInt64(maxHeaderLength)), "The message header is \(header.totalLength) bytes, more than the limit of \(maxHeaderLength). If you trust the message, raise DecryptionLimits.maxHeaderLength.")
        }
        if header.contentType == .framed, Int(header.frameLength) > maxFrameLength {
            throw EnvelopeError.limit(LimitFailure(.frameLength, value: UInt64(header.frameLength), maximum: UInt64(maxFrameLength)), "The message declares frames of \(header.frameLength) bytes, more than the limit of \(maxFrameLength). If you trust the message, raise DecryptionLimits.maxFrameLength.")
        }
    }

    /// Refuses a non-framed body whose declared length exceeds the limit.
    func checkNonFramedBody(declaredLength: UInt64) throws {
        if declaredLength > UInt64(maxNonFramedBodyLength) {
            throw EnvelopeError.limit(LimitFailure(.nonFramedBodyLength, value: declaredLength, maximum: UInt64(maxNonFramedBodyLength)), "The non-framed message body declares \(declaredLength) bytes, more than the limit of \(maxNonFramedBodyLength). Non-framed bodies are buffered whole; if you trust the message, raise DecryptionLimits.maxNonFramedBodyLength.")
        }
    }
}
