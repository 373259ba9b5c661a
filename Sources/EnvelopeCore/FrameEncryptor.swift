import EnvelopeCrypto

/// The encrypt side of one message: builds and authenticates the header, hands out frame
/// sealers keyed with the message key, takes the sealed frames in order into the message digest,
/// and signs the footer. It does not drive the body itself: the body engine (``EncryptBody``)
/// decides which frames to seal where, sequentially (``SequentialSealer``) or on the pipeline.
///
/// Not thread-safe; one instance per message.
/// Spec: client-apis/encrypt.md, data-format/message-body.md, data-format/message-footer.md.
final class FrameEncryptor {
    let suite: AlgorithmSuite
    let frameLength: Int
    let header: MessageHeader
    /// The full encryption context of the materials (stored and authenticated-only pairs).
    let encryptionContext: EncryptionContext
    /// The serialized header (body and authentication), already fed to the digest.
    let headerBytes: [UInt8]
    private let context: AESGCMContext
    /// The message (content) key, kept to key the sealers.
    private let messageKey: SecureBytes
    private let digest: IncrementalHash?
    private let signingKey: ECDSAPrivateKey?
    /// The sealer of the header's context, given out first (the sequential path needs no other).
    private var firstSealer: FrameSealer?

    /// Builds the header from materials. `frameLength` must be 1...2^31-1.
    /// `fixedMessageID` is for tests that compare two encryptions byte for byte; nil (always in
    /// production) draws a fresh random message ID.
    init(materials: EncryptionMaterials, frameLength: Int, fixedMessageID: [UInt8]? = nil) throws {
        guard frameLength >= 1, frameLength <= BodyCodec.maxFrameLength else {
            throw EnvelopeError(.invalidArgument, "The frame length must be between 1 and \(BodyCodec.maxFrameLength) bytes, not \(frameLength). The default is 4096.")
        }
        guard let dataKey = materials.plaintextDataKey else {
            throw EnvelopeError(.keyringFailure, "The materials hold no plaintext data key. Use a keyring that generates one.")
        }
        let suite = materials.suite
        guard suite.isSigned == (materials.signingKey != nil) else {
            throw EnvelopeError(.keyringFailure, "The materials' signing key does not match suite \(suite.name). Check the materials manager.")
        }
        self.suite = suite
        self.frameLength = frameLength
        self.signingKey = materials.signingKey
        self.encryptionContext = materials.encryptionContext
        let version = suite.messageFormatVersion
        let messageID = fixedMessageID ?? RandomBytes.array(count: suite.messageIDLength)
        // The commitment goes from the derivation (on the stack) straight into the header.
        var commitmentBytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let commitmentLength = suite.isCommitting ? KeyDerivation.commitmentLength : 0
        let key = try withUnsafeMutableBytes(of: &commitmentBytes) { commitment in
            try KeyDerivation.derive(suite: suite, dataKey: dataKey, messageID: messageID,
                                     commitment: UnsafeMutableRawBufferPointer(rebasing: commitment[0..<commitmentLength]))
        }
        // Spec: client-apis/encrypt.md ("Construct the header") — required pairs are authenticated, not stored.
        // Without required keys (the common case) the context is stored as it is: no filtered copies.
        let required = Set(materials.requiredEncryptionContextKeys)
        let stored = required.isEmpty ? materials.encryptionContext : materials.encryptionContext.filter { !required.contains($0.key) }
        let onlyAuthenticated: EncryptionContext = required.isEmpty ? [:] : materials.encryptionContext.filter { required.contains($0.key) }
        // The whole header in one array: the body (the context serialized in place), then room
        // for the v1 IV and the tag, which is sealed straight into it.
        let ivLength = version == 1 ? AESGCM.ivLength : 0
        // The closure captures the one field it needs, not `materials` (a capture copies the whole
        // struct: six retains and releases).
        let encryptedDataKeys = materials.encryptedDataKeys
        var bytes = try EncryptionContextCodec.withSortedPairs(stored) { pairs, contextLength in
            try withUnsafeBytes(of: &commitmentBytes) { commitment in
                try HeaderCodec.serializeBody(version: version, suite: suite, messageID: messageID, contextLength: contextLength,
                                              writeContext: { EncryptionContextCodec.append(pairs, to: &$0) },
                                              encryptedDataKeys: encryptedDataKeys, frameLength: UInt32(frameLength),
                                              suiteData: UnsafeRawBufferPointer(rebasing: commitment[0..<commitmentLength]),
                                              reserving: ivLength + AESGCM.tagLength)
            }
        }
        let bodyLength = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: ivLength + AESGCM.tagLength))
        messageKey = key
        do {
            let gcm = try AESGCMContext(key: key, direction: .seal)
            context = gcm
            // Spec: client-apis/encrypt.md ("Header Authentication") — IV of zeros, empty plaintext.
            let extraAAD = onlyAuthenticated.isEmpty ? [] : try EncryptionContextCodec.serialize(onlyAuthenticated)
            try MessageHeader.zeroIV.withUnsafeBytes { iv in
                try bytes.withUnsafeMutableBytes { all in
                    let body = UnsafeRawBufferPointer(rebasing: all[0..<bodyLength])
                    let tag = UnsafeMutableRawBufferPointer(rebasing: all[(bodyLength + ivLength)...])
                    let none = UnsafeMutableRawBufferPointer(start: nil, count: 0)
                    if extraAAD.isEmpty {
                        try gcm.seal(plaintext: UnsafeRawBufferPointer(none), iv: iv, aad: body, ciphertext: none, tag: tag)
                    } else {
                        let aad = Array(body) + extraAAD
                        try aad.withUnsafeBytes { try gcm.seal(plaintext: UnsafeRawBufferPointer(none), iv: iv, aad: $0, ciphertext: none, tag: tag) }
                    }
                }
            }
            headerBytes = bytes
            header = MessageHeader(version: version, suite: suite, messageID: messageID, encryptionContext: stored,
                                   encryptedDataKeys: encryptedDataKeys, contentType: .framed,
                                   frameLength: UInt32(frameLength), bytes: bytes, bodyLength: bodyLength)
            if let hash = suite.signatureHash {
                digest = try IncrementalHash(hash)
                digest?.update(bytes)
            } else {
                digest = nil
            }
        } catch {
            throw EnvelopeError.wrapping(error, "Setting up message encryption failed in the crypto library. Retry; if it persists, report it.")
        }
        firstSealer = FrameSealer(context: context, messageID: messageID)
    }

    /// Wire size of a frame holding `contentLength` bytes.
    static func frameSize(contentLength: Int, isFinal: Bool) -> Int {
        contentLength + (isFinal ? BodyCodec.finalFrameOverhead : BodyCodec.regularFrameOverhead)
    }

    /// A sealer with its own AES-GCM context: one per worker of the pipeline, or the one of the
    /// sequential path.
    func makeSealer() throws -> FrameSealer {
        if let sealer = firstSealer {
            firstSealer = nil
            return sealer
        }
        do {
            return FrameSealer(context: try AESGCMContext(key: messageKey, direction: .seal), messageID: header.messageID)
        } catch {
            throw EnvelopeError.wrapping(error, "Setting up a frame sealer failed in the crypto library. Retry; if it persists, report it.")
        }
    }

    /// Feeds sealed frame bytes to the message digest, in message order.
    func absorb(_ frameBytes: UnsafeRawBufferPointer) {
        digest?.update(frameBytes)
    }

    /// The footer, once every frame went through ``absorb(_:)``: empty for unsigned suites, else
    /// uint16 length ‖ DER ECDSA signature.
    /// Spec: data-format/message-footer.md.
    func footer() throws -> [UInt8] {
        guard let digest, let signingKey else { return [] }
        do {
            return FooterCodec.serialize(signature: try signingKey.signature(forDigest: try digest.finalize()))
        } catch {
            throw EnvelopeError.wrapping(error, "Signing the message failed in the crypto library. Retry; if it persists, report it.")
        }
    }

    /// Largest footer any suite produces (uint16 + DER P-384 signature ≤ 104 bytes).
    static let maxFooterLength = 2 + 110
}

/// Seals the frames of one message in order on the calling thread: sequence numbers, the
/// 2^32-1 frame limit, and the digest. The sequential path of the body engine and the streaming
/// encryptor use it; the pipeline does the same per batch.
struct SequentialSealer {
    let encryptor: FrameEncryptor
    private let sealer: FrameSealer
    private var nextSequence: UInt32 = 1
    private(set) var finished = false

    init(_ encryptor: FrameEncryptor) throws {
        self.encryptor = encryptor
        sealer = try encryptor.makeSealer()
    }

    /// Seals one frame into the start of `output` and returns the bytes written. Regular frames
    /// hold exactly the frame length; the final frame 0...frameLength.
    mutating func seal(_ plaintext: UnsafeRawBufferPointer, isFinal: Bool, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(!finished, "frame sealed after the final frame")
        precondition(isFinal ? plaintext.count <= encryptor.frameLength : plaintext.count == encryptor.frameLength,
                     "frame content has the wrong length")
        // Spec: data-format/message-body.md ("Framed Data") — at most 2^32-1 frames.
        guard nextSequence != BodyCodec.finalFrameMarker || isFinal else {
            throw EnvelopeError.limit(LimitFailure(.frameCount, value: UInt64(UInt32.max) + 1, maximum: UInt64(UInt32.max)),
                                      "The message would need more than 2^32-1 frames. Use a larger frame length.")
        }
        let size = try sealer.seal(plaintext, sequence: nextSequence, isFinal: isFinal, into: output)
        encryptor.absorb(UnsafeRawBufferPointer(rebasing: output[0..<size]))
        nextSequence &+= 1
        if isFinal { finished = true }
        return size
    }
}
