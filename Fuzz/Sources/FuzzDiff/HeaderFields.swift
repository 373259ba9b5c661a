@testable import EnvelopeCore
import EnvelopeCrypto

/// A message header as editable fields, written back byte for byte (lengths and counts may be made
/// to lie). Parsed with EnvelopeCore's own header codec; the header tag is recomputed with the
/// library's key derivation and AES-GCM (never hand-written crypto).
struct HeaderFields {
    var version: UInt8
    var suiteID: UInt16
    var messageID: [UInt8]
    /// The serialized encryption context (what follows the 2-byte context length).
    var context: [UInt8]
    /// Added to the context length as written (0: the truth).
    var contextLengthDelta = 0
    var edks: [RawEDK]
    /// Written instead of `edks.count` when set.
    var edkCountOverride: UInt16?
    var contentType: UInt8
    /// v1 only: the 4 reserved bytes and the IV length byte.
    var reserved: UInt32 = 0
    var ivLength: UInt8 = 12
    var frameLength: UInt32
    /// v2 only: the key commitment.
    var suiteData: [UInt8]
    /// v1 only: the header authentication IV.
    var headerIV: [UInt8]
    var tag: [UInt8]

    /// An encrypted data key with raw provider ID bytes and optional length lies.
    struct RawEDK {
        var providerID: [UInt8]
        var providerInfo: [UInt8]
        var ciphertext: [UInt8]
        /// Added to the provider ID, provider info and ciphertext lengths as written.
        var lengthDeltas = (0, 0, 0)
    }

    /// Parses the header at the start of `message`; nil if it does not parse. Returns the header's length too.
    static func parse(_ message: [UInt8]) -> (HeaderFields, length: Int)? {
        guard let result = try? message.withUnsafeBytes({ try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }),
              case .header(let header) = result else { return nil }
        let fields = HeaderFields(
            version: UInt8(header.version), suiteID: header.suite.id, messageID: header.messageID,
            context: header.serializedEncryptionContext,
            edks: header.encryptedDataKeys.map { RawEDK(providerID: Array($0.providerID.utf8), providerInfo: $0.providerInfo, ciphertext: $0.ciphertext) },
            contentType: header.contentType.rawValue, frameLength: header.frameLength, suiteData: header.suiteData,
            headerIV: header.headerIV, tag: header.headerTag)
        return (fields, header.totalLength)
    }

    /// The header body: everything the header tag authenticates.
    var body: [UInt8] {
        var out: [UInt8] = [version]
        if version == 1 { out.append(0x80) }
        out.appendBE(UInt64(suiteID), bytes: 2)
        out += messageID
        out.appendBE(UInt64(truncatingIfNeeded: context.count + contextLengthDelta), bytes: 2)
        out += context
        out.appendBE(UInt64(edkCountOverride ?? UInt16(truncatingIfNeeded: edks.count)), bytes: 2)
        for edk in edks {
            out.appendBE(UInt64(truncatingIfNeeded: edk.providerID.count + edk.lengthDeltas.0), bytes: 2)
            out += edk.providerID
            out.appendBE(UInt64(truncatingIfNeeded: edk.providerInfo.count + edk.lengthDeltas.1), bytes: 2)
            out += edk.providerInfo
            out.appendBE(UInt64(truncatingIfNeeded: edk.ciphertext.count + edk.lengthDeltas.2), bytes: 2)
            out += edk.ciphertext
        }
        out.append(contentType)
        if version == 1 {
            out.appendBE(UInt64(reserved), bytes: 4)
            out.append(ivLength)
        }
        out.appendBE(UInt64(frameLength), bytes: 4)
        if version == 2 { out += suiteData }
        return out
    }

    /// The whole header: body, (v1) IV, tag.
    var bytes: [UInt8] { body + (version == 1 ? headerIV : []) + tag }

    /// Recomputes the header tag (and, with `recommit`, the v2 key commitment) under `dataKey` for
    /// the suite and message ID now in the fields. False when the suite is unknown or wants another
    /// data-key length (the tag is then left as it was).
    mutating func retag(dataKey: SecureBytes, recommit: Bool = true) -> Bool {
        guard let suite = AlgorithmSuite.withID(suiteID), suite.dataKeyLength == dataKey.count,
              let derived = try? KeyDerivation.derive(suite: suite, dataKey: dataKey, messageID: messageID) else { return false }
        if recommit && suite.isCommitting && version == 2 { suiteData = derived.commitment }
        let iv = version == 1 && headerIV.count == AESGCM.ivLength ? headerIV : [UInt8](repeating: 0, count: AESGCM.ivLength)
        guard let sealed = try? AESGCM.seal([UInt8](), key: derived.key, iv: iv, authenticating: body) else { return false }
        tag = sealed.tag
        return true
    }
}

/// The pairs of a serialized encryption context (count, then length-prefixed key and value), kept
/// in their written order so edits can break the sorting or repeat a key.
struct ContextPairs {
    var pairs: [(key: [UInt8], value: [UInt8])]

    init?(_ serialized: [UInt8]) {
        pairs = []
        if serialized.isEmpty { return }
        var reader = Cursor(serialized)
        guard let count = reader.uint16() else { return nil }
        for _ in 0..<count {
            guard let key = reader.prefixed(), let value = reader.prefixed() else { return nil }
            pairs.append((key, value))
        }
        guard reader.atEnd else { return nil }
    }

    /// Serialized in the current order; an empty list is the empty byte string.
    var serialized: [UInt8] {
        if pairs.isEmpty { return [] }
        var out: [UInt8] = []
        out.appendBE(UInt64(pairs.count), bytes: 2)
        for pair in pairs {
            out.appendBE(UInt64(pair.key.count), bytes: 2)
            out += pair.key
            out.appendBE(UInt64(pair.value.count), bytes: 2)
            out += pair.value
        }
        return out
    }
}

/// A big-endian reader over a byte array.
struct Cursor {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8], at offset: Int = 0) { self.bytes = bytes; self.offset = offset }
    var atEnd: Bool { offset == bytes.count }
    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
    mutating func uint(_ count: Int) -> UInt64? { take(count).map { $0.reduce(0) { $0 << 8 | UInt64($1) } } }
    mutating func uint16() -> Int? { uint(2).map(Int.init) }
    mutating func prefixed() -> [UInt8]? { uint16().flatMap { take($0) }.map(Array.init) }
}

extension Array where Element == UInt8 {
    mutating func appendBE(_ value: UInt64, bytes count: Int) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
