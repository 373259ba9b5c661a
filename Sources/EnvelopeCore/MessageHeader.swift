import EnvelopeCrypto

/// The parsed (or to-be-written) header of an ESDK message.
///
/// Spec: data-format/message-header.md.
struct MessageHeader: Sendable {
    enum ContentType: UInt8, Sendable {
        case nonFramed = 0x01
        case framed = 0x02
    }

    var version: Int
    var suite: AlgorithmSuite
    var messageID: [UInt8]
    /// The pairs stored in the header (without the "only authenticated" required pairs).
    var encryptionContext: EncryptionContext
    var encryptedDataKeys: [EncryptedDataKey]
    var contentType: ContentType
    /// 0 for non-framed bodies.
    var frameLength: UInt32
    /// The whole serialized header in one array: the body (everything the tag authenticates),
    /// the v1 header IV, the tag. The other byte fields are ranges of it, not arrays of their own.
    let bytes: [UInt8]
    /// Where the header body ends (the v1 IV or the tag starts).
    let bodyLength: Int

    /// A header over its serialized `bytes`, whose body is the first `bodyLength` bytes.
    init(version: Int, suite: AlgorithmSuite, messageID: [UInt8], encryptionContext: EncryptionContext,
         encryptedDataKeys: [EncryptedDataKey], contentType: ContentType, frameLength: UInt32, bytes: [UInt8], bodyLength: Int) {
        self.version = version
        self.suite = suite
        self.messageID = messageID
        self.encryptionContext = encryptionContext
        self.encryptedDataKeys = encryptedDataKeys
        self.contentType = contentType
        self.frameLength = frameLength
        self.bytes = bytes
        self.bodyLength = bodyLength
    }

    /// Total bytes including header authentication.
    var totalLength: Int { bytes.count }
    /// The header body bytes (everything before the header authentication).
    var bodyBytes: ArraySlice<UInt8> { bytes[0..<bodyLength] }
    /// Where the serialized context sits: after version (and v1 type), suite ID, message ID and its length.
    var serializedEncryptionContextRange: Range<Int> {
        let lengthOffset = (version == 1 ? 2 : 1) + 2 + messageID.count
        let length = Int(bytes[lengthOffset]) << 8 | Int(bytes[lengthOffset + 1])
        return (lengthOffset + 2)..<(lengthOffset + 2 + length)
    }
    /// The serialized context exactly as it appears in the header.
    var serializedEncryptionContext: [UInt8] { Array(bytes[serializedEncryptionContextRange]) }
    /// v2 only: where the 32-byte key commitment sits (the end of the body); empty for v1.
    var suiteDataRange: Range<Int> { version == 2 ? (bodyLength - 32)..<bodyLength : bodyLength..<bodyLength }
    /// v2 only: the 32-byte key commitment.
    var suiteData: [UInt8] { Array(bytes[suiteDataRange]) }
    /// v1 only: where the header IV sits; empty for v2.
    var headerIVRange: Range<Int> { version == 1 ? bodyLength..<(bodyLength + AESGCM.ivLength) : bodyLength..<bodyLength }
    /// v1 only: the header IV (12 zero bytes when written by a conforming SDK).
    var headerIV: [UInt8] { Array(bytes[headerIVRange]) }
    /// Where the header tag sits: the last 16 bytes.
    var headerTagRange: Range<Int> { (bytes.count - AESGCM.tagLength)..<bytes.count }
    /// The header tag.
    var headerTag: [UInt8] { Array(bytes[headerTagRange]) }

    /// The header IV of every v2 message (and of v1 messages from conforming SDKs): 12 zero
    /// bytes, allocated once.
    static let zeroIV = [UInt8](repeating: 0, count: AESGCM.ivLength)

    var info: MessageHeaderInfo {
        MessageHeaderInfo(version: version, suite: suite, messageID: messageID, encryptionContext: encryptionContext,
                          encryptedDataKeys: encryptedDataKeys, isFramed: contentType == .framed, frameLength: Int(frameLength))
    }
}

/// What a message header says, for callers (no secrets).
public struct MessageHeaderInfo: Sendable, Hashable {
    /// Message format version: 1 or 2.
    public let version: Int
    /// The algorithm suite.
    public let suite: AlgorithmSuite
    /// The message ID (16 bytes for v1, 32 for v2).
    public let messageID: [UInt8]
    /// The encryption context stored in the header (including `aws-crypto-public-key` for signed suites).
    public let encryptionContext: EncryptionContext
    /// The encrypted data keys.
    public let encryptedDataKeys: [EncryptedDataKey]
    /// False for legacy non-framed bodies.
    public let isFramed: Bool
    /// The frame length (0 when non-framed).
    public let frameLength: Int
}

enum HeaderCodec {
    /// Serializes a header body (everything the header tag authenticates).
    /// Spec: data-format/message-header.md ("Header Body Version 1.0" / "Version 2.0").
    static func serializeBody(version: Int, suite: AlgorithmSuite, messageID: [UInt8], serializedContext: [UInt8],
                              encryptedDataKeys: [EncryptedDataKey], frameLength: UInt32, suiteData: [UInt8]) throws -> [UInt8] {
        try serializeBody(version: version, suite: suite, messageID: messageID, contextLength: serializedContext.count,
                          writeContext: { $0.append(contentsOf: serializedContext) }, encryptedDataKeys: encryptedDataKeys,
                          frameLength: frameLength, suiteData: suiteData, reserving: 0)
    }

    /// Serializes a header body whose context (`contextLength` bytes) `writeContext` appends in
    /// place, into an array with room for `reserving` more bytes (the IV and tag that follow):
    /// measured first, then every field written once.
    static func serializeBody(version: Int, suite: AlgorithmSuite, messageID: [UInt8], contextLength: Int,
                              writeContext: (inout [UInt8]) -> Void, encryptedDataKeys: [EncryptedDataKey],
                              frameLength: UInt32, suiteData: UnsafeRawBufferPointer, reserving tail: Int) throws -> [UInt8] {
        guard !encryptedDataKeys.isEmpty, encryptedDataKeys.count <= Int(UInt16.max) else {
            throw EnvelopeError(.keyringFailure, "A message needs between 1 and 65535 encrypted data keys, not \(encryptedDataKeys.count). Check the keyring configuration.")
        }
        var size = (version == 1 ? 2 : 1) + 2 + messageID.count + 2 + contextLength + 2
        for edk in encryptedDataKeys {
            let providerLength = edk.providerID.utf8.count
            guard providerLength <= Int(UInt16.max), edk.providerInfo.count <= Int(UInt16.max), edk.ciphertext.count <= Int(UInt16.max) else {
                throw EnvelopeError(.keyringFailure, "An encrypted data key field is longer than 65535 bytes and cannot be stored. Check the keyring.")
            }
            size += 6 + providerLength + edk.providerInfo.count + edk.ciphertext.count
        }
        size += 1 + (version == 1 ? 5 : 0) + 4 + (version == 2 ? suiteData.count : 0)
        var out: [UInt8] = []
        out.reserveCapacity(size + tail)
        out.append(UInt8(version))
        if version == 1 { out.append(0x80) }
        out.appendUInt16(suite.id)
        out.append(contentsOf: messageID)
        out.appendUInt16(UInt16(contextLength))
        writeContext(&out)
        out.appendUInt16(UInt16(encryptedDataKeys.count))
        for edk in encryptedDataKeys {
            out.appendLengthPrefixed16(edk.providerID.utf8)
            out.appendLengthPrefixed16(edk.providerInfo)
            out.appendLengthPrefixed16(edk.ciphertext)
        }
        out.append(MessageHeader.ContentType.framed.rawValue)
        if version == 1 {
            out.appendUInt32(0)
            out.append(UInt8(AESGCM.ivLength))
        }
        out.appendUInt32(frameLength)
        if version == 2 { out.append(contentsOf: suiteData) }
        assert(out.count == size, "header size computed wrongly")
        return out
    }

    /// The array form of ``serializeBody(version:suite:messageID:contextLength:writeContext:encryptedDataKeys:frameLength:suiteData:reserving:)``'s suite data.
    private static func serializeBody(version: Int, suite: AlgorithmSuite, messageID: [UInt8], contextLength: Int,
                                      writeContext: (inout [UInt8]) -> Void, encryptedDataKeys: [EncryptedDataKey],
                                      frameLength: UInt32, suiteData: [UInt8], reserving tail: Int) throws -> [UInt8] {
        try suiteData.withUnsafeBytes {
            try serializeBody(version: version, suite: suite, messageID: messageID, contextLength: contextLength, writeContext: writeContext,
                              encryptedDataKeys: encryptedDataKeys, frameLength: frameLength, suiteData: $0, reserving: tail)
        }
    }

    enum ParseResult {
        case needMoreBytes
        case header(MessageHeader)
    }

    /// Parses a header from the start of `bytes`. Pure: returns `.needMoreBytes` when the input
    /// ends early, throws `malformedMessage` (or `tooManyEncryptedDataKeys`) as soon as a field is
    /// invalid, and never traps.
    /// Spec: data-format/message-header.md; client-apis/decrypt.md ("Parse the header").
    static func parse(_ bytes: UnsafeRawBufferPointer, maxEncryptedDataKeys: Int?) throws -> ParseResult {
        var r = ByteReader(bytes)
        guard let version = r.readUInt8() else { return .needMoreBytes }
        guard version == 1 || version == 2 else {
            if looksLikeBase64(bytes) {
                throw EnvelopeError(.base64EncodedMessage, "The input looks like a base64-encoded message, not binary ESDK bytes. Base64-decode it before decrypting.")
            }
            throw EnvelopeError.malformed("unknown message format version \(version)")
        }
        if version == 1 {
            guard let type = r.readUInt8() else { return .needMoreBytes }
            guard type == 0x80 else { throw EnvelopeError.malformed("unknown message type 0x\(String(type, radix: 16))") }
        }
        guard let suiteID = r.readUInt16() else { return .needMoreBytes }
        guard let suite = AlgorithmSuite.withID(suiteID) else {
            throw EnvelopeError.malformed("unknown algorithm suite 0x\(String(suiteID, radix: 16))")
        }
        guard suite.messageFormatVersion == Int(version) else {
            throw EnvelopeError.malformed("suite \(suite.name) cannot appear in a version \(version) message")
        }
        guard let messageID = r.readBytes(suite.messageIDLength) else { return .needMoreBytes }
        guard let aadLength = r.readUInt16() else { return .needMoreBytes }
        guard let aad = r.readSlice(Int(aadLength)) else { return .needMoreBytes }
        let context = try EncryptionContextCodec.parse(aad)
        guard let edkCount = r.readUInt16() else { return .needMoreBytes }
        guard edkCount > 0 else { throw EnvelopeError.malformed("the header lists no encrypted data keys") }
        // Spec: client-apis/decrypt.md — stop as soon as the EDK count exceeds the maximum.
        if let max = maxEncryptedDataKeys, Int(edkCount) > max {
            throw EnvelopeError(.tooManyEncryptedDataKeys, "The message has \(edkCount) encrypted data keys, more than the configured maximum of \(max). Refusing to process it; raise maxEncryptedDataKeys only if you expect such messages.",
                                causes: [LimitFailure(.encryptedDataKeys, value: UInt64(edkCount), maximum: UInt64(max))])
        }
        var edks: [EncryptedDataKey] = []
        edks.reserveCapacity(Int(min(edkCount, 64)))
        for _ in 0..<edkCount {
            guard let provider = r.readLengthPrefixed16Slice() else { return .needMoreBytes }
            guard let providerID = String(utf8Bytes: provider) else {
                throw EnvelopeError.malformed("an encrypted data key's provider ID is not valid UTF-8")
            }
            guard let info = r.readLengthPrefixed16(), let ciphertext = r.readLengthPrefixed16() else { return .needMoreBytes }
            edks.append(EncryptedDataKey(providerID: providerID, providerInfo: info, ciphertext: ciphertext))
        }
        guard let contentTypeByte = r.readUInt8() else { return .needMoreBytes }
        guard let contentType = MessageHeader.ContentType(rawValue: contentTypeByte) else {
            throw EnvelopeError.malformed("unknown content type 0x\(String(contentTypeByte, radix: 16))")
        }
        if version == 1 {
            guard let reserved = r.readUInt32() else { return .needMoreBytes }
            guard reserved == 0 else { throw EnvelopeError.malformed("the reserved header field is not zero") }
            guard let ivLength = r.readUInt8() else { return .needMoreBytes }
            guard Int(ivLength) == AESGCM.ivLength else { throw EnvelopeError.malformed("the header IV length is \(ivLength), not 12") }
        }
        guard let frameLength = r.readUInt32() else { return .needMoreBytes }
        switch contentType {
        case .nonFramed:
            guard frameLength == 0 else { throw EnvelopeError.malformed("a non-framed message has frame length \(frameLength), not 0") }
        case .framed:
            guard frameLength > 0 else { throw EnvelopeError.malformed("a framed message has frame length 0") }
            // The official SDKs never write (and refuse to read) frames above 2^31-1 bytes.
            guard Int(frameLength) <= BodyCodec.maxFrameLength else {
                throw EnvelopeError.malformed("the frame length \(frameLength) exceeds the maximum of 2^31-1 bytes")
            }
        }
        if version == 2 {
            guard r.readSlice(32) != nil else { return .needMoreBytes }
        }
        let bodyEnd = r.offset
        if version == 1 {
            guard r.readSlice(AESGCM.ivLength) != nil else { return .needMoreBytes }
        }
        guard r.readSlice(AESGCM.tagLength) != nil else { return .needMoreBytes }
        // One copy of the whole header; suite data, IV, tag and context are ranges of it.
        let header = MessageHeader(
            version: Int(version), suite: suite, messageID: messageID, encryptionContext: context, encryptedDataKeys: edks,
            contentType: contentType, frameLength: frameLength,
            bytes: Array(UnsafeRawBufferPointer(rebasing: bytes[0..<r.offset])), bodyLength: bodyEnd)
        return .header(header)
    }

    /// Spec: client-apis/decrypt.md — a base64 message starts with "AY" (v1, `01 80`) or "Ag" (v2, `02`).
    static func looksLikeBase64(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2 else { return false }
        return (bytes[0] == UInt8(ascii: "A") && bytes[1] == UInt8(ascii: "Y"))
            || (bytes[0] == UInt8(ascii: "A") && bytes[1] == UInt8(ascii: "g"))
    }
}
