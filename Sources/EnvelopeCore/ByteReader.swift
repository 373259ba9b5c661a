import Foundation

/// A read cursor over untrusted bytes. Every read returns nil when the input is too short and
/// never traps, in the style of NIO's `ByteBuffer.readInteger`.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return value
    }

    mutating func readUInt64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return value
    }

    /// Reads `count` bytes as an array, or nil when fewer remain (or `count` is negative).
    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
    }

    /// Returns a view of the next `count` bytes and moves past them, or nil when fewer remain.
    mutating func readSlice(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    /// Reads a uint16 length followed by that many bytes.
    mutating func readLengthPrefixed16() -> [UInt8]? {
        readLengthPrefixed16Slice().map { Array($0) }
    }

    /// Reads a uint16 length and returns a view of that many following bytes (no copy).
    mutating func readLengthPrefixed16Slice() -> UnsafeRawBufferPointer? {
        let saved = offset
        guard let length = readUInt16(), let value = readSlice(Int(length)) else {
            offset = saved
            return nil
        }
        return value
    }
}

extension String {
    /// The string of `bytes` when they are well-formed UTF-8, else nil: what
    /// `String(validating:as:)` answers, without its unspecialized generic path (about 300
    /// instructions and a metadata lookup per call). `String(decoding:as:)` always produces
    /// well-formed UTF-8 (it replaces ill-formed input with U+FFFD), so its bytes equal the input
    /// exactly when the input was well-formed.
    init?(utf8Bytes bytes: UnsafeRawBufferPointer) {
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.equals(bytes) else { return nil }
        self = decoded
    }
}

extension String.UTF8View {
    /// True when the string's UTF-8 bytes are exactly `bytes`: compared as two buffers when the
    /// string is stored as contiguous UTF-8 (every native string) with `memcmp`, else byte by
    /// byte through the view. (`elementsEqual` costs about 40 instructions a byte on a UTF-8 view
    /// and about 30 on two buffers.)
    func equals(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let contiguous = withContiguousStorageIfAvailable { mine in
            guard mine.count == bytes.count else { return false }
            guard let a = mine.baseAddress, let b = bytes.baseAddress else { return true }
            return memcmp(a, b, mine.count) == 0
        }
        return contiguous ?? elementsEqual(bytes)
    }
}

/// Big-endian appends onto a byte array.
extension Array where Element == UInt8 {
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24)); append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt64(_ value: UInt64) {
        appendUInt32(UInt32(truncatingIfNeeded: value >> 32)); appendUInt32(UInt32(truncatingIfNeeded: value))
    }

    /// Appends a uint16 length and the bytes; the caller has checked the length fits.
    mutating func appendLengthPrefixed16<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        appendUInt16(UInt16(bytes.count)); append(contentsOf: bytes)
    }
}
