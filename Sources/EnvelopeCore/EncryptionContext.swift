/// Non-secret key-value pairs bound to a message (authenticated, stored in the header).
///
/// Keys and values are compared by their UTF-8 bytes, as the message format stores them, not by
/// Swift `String` equality (which treats canonically equivalent strings as equal): `"é"` (U+00E9)
/// and `"e\u{301}"` are two different keys, a header may hold both, and a value matches only when
/// its bytes do. Use it like a dictionary: a literal `["purpose": "backup"]`, subscripts,
/// `for (key, value) in context`, ``count``, ``keys``.
///
/// Spec: framework/structures.md ("Encryption Context"), data-format/message-header.md ("AAD").
public struct EncryptionContext: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// A key compared and hashed by its UTF-8 bytes.
    struct ByteKey: Hashable, Sendable {
        let text: String
        static func == (a: ByteKey, b: ByteKey) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }
        func hash(into hasher: inout Hasher) {
            hasher.combine(text.utf8.count)
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }

    /// One pair, as iteration yields it.
    public typealias Element = (key: String, value: String)
    /// Keys are strings (compared by their bytes).
    public typealias Key = String
    /// Values are strings (compared by their bytes).
    public typealias Value = String

    private var storage: [ByteKey: String]

    /// An empty context.
    public init() { storage = [:] }

    /// The pairs of a dictionary (whose keys are already distinct).
    public init(_ pairs: [String: String]) {
        storage = Dictionary(uniqueKeysWithValues: pairs.map { (ByteKey(text: $0.key), $0.value) })
    }

    /// A literal; keys must be distinct byte strings.
    public init(dictionaryLiteral elements: (String, String)...) {
        storage = Dictionary(uniqueKeysWithValues: elements.map { (ByteKey(text: $0.0), $0.1) })
    }

    /// The value stored under exactly these key bytes.
    public subscript(key: String) -> String? {
        get { storage[ByteKey(text: key)] }
        set { storage[ByteKey(text: key)] = newValue }
    }

    /// Stores `value` under `key`; returns the previous value, if any.
    @discardableResult
    public mutating func updateValue(_ value: String, forKey key: String) -> String? {
        storage.updateValue(value, forKey: ByteKey(text: key))
    }

    /// Removes the pair with exactly these key bytes; returns its value, if any.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> String? {
        storage.removeValue(forKey: ByteKey(text: key))
    }

    /// The number of pairs.
    public var count: Int { storage.count }
    /// True when there are no pairs.
    public var isEmpty: Bool { storage.isEmpty }
    /// The keys, in no particular order.
    public var keys: [String] { storage.keys.map(\.text) }
    /// The values, in no particular order.
    public var values: [String] { Array(storage.values) }

    /// The pairs that satisfy `isIncluded`.
    public func filter(_ isIncluded: (Element) throws -> Bool) rethrows -> EncryptionContext {
        var out = EncryptionContext()
        for pair in self where try isIncluded(pair) { out[pair.key] = pair.value }
        return out
    }

    /// The pairs as a `[String: String]` (for APIs such as KMS requests). Two keys that differ
    /// only in Unicode normalization collapse into one there; the message itself keeps both.
    public var dictionary: [String: String] {
        var out: [String: String] = [:]
        for (key, value) in self { out[key] = value }
        return out
    }

    /// Iterates the pairs in no particular order.
    public func makeIterator() -> AnyIterator<Element> {
        var base = storage.makeIterator()
        return AnyIterator { base.next().map { (key: $0.key.text, value: $0.value) } }
    }

    /// Same pairs, byte for byte.
    public static func == (a: EncryptionContext, b: EncryptionContext) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in a.storage {
            guard let other = b.storage[key], other.utf8.elementsEqual(value.utf8) else { return false }
        }
        return true
    }

    /// Hashes the pairs by their bytes, independently of order.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in storage {
            var pair = Hasher()
            pair.combine(key)
            pair.combine(value.utf8.count)
            for byte in value.utf8 { pair.combine(byte) }
            combined ^= pair.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }

    /// The pairs sorted by key bytes, like a dictionary's description.
    public var description: String {
        let pairs = sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return "[" + pairs.map { "\"\(UntrustedText.escaped($0.key))\": \"\(UntrustedText.escaped($0.value))\"" }.joined(separator: ", ") + "]"
    }
}

/// Keys starting with this prefix are reserved for the SDK (e.g. `aws-crypto-public-key`).
public let reservedEncryptionContextPrefix = "aws-crypto-"

/// The key under which signed suites store the base64 compressed verification key.
public let publicKeyEncryptionContextKey = "aws-crypto-public-key"

extension EncryptionContext {
    /// The spec's serialization of the pairs (sorted by key bytes; no bytes at all when empty), for
    /// keyrings of other modules that authenticate the context (the hierarchical keyring's AAD).
    /// Spec: framework/structures.md ("Serialization").
    package func serialized() throws -> [UInt8] { try EncryptionContextCodec.serialize(self) }
}

enum EncryptionContextCodec {
    /// Serializes pairs sorted by the UTF-8 bytes of their keys: count, then length-prefixed key
    /// and value. An empty context serializes to no bytes at all.
    /// Spec: framework/structures.md ("Serialization").
    static func serialize(_ context: EncryptionContext) throws -> [UInt8] {
        if context.isEmpty { return [] }
        guard context.count <= Int(UInt16.max) else {
            throw EnvelopeError(.invalidArgument, "The encryption context has \(context.count) pairs; at most 65535 fit in a message. Use fewer pairs.")
        }
        // Sorted by the UTF-8 bytes of the keys in a temporary buffer (on the stack for any usual
        // context), measured, then written once into an array of exactly the right size: no
        // per-pair arrays, no array of pairs.
        return try withUnsafeTemporaryAllocation(of: (key: String, value: String).self, capacity: context.count) { buffer in
            var order = buffer
            var n = 0
            for pair in context { order.initializeElement(at: n, to: pair); n += 1 }
            defer { _ = order.deinitialize() }
            order.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            var size = 2
            for (key, value) in order {
                let keyLength = key.utf8.count, valueLength = value.utf8.count
                guard keyLength <= Int(UInt16.max), valueLength <= Int(UInt16.max) else {
                    throw EnvelopeError(.invalidArgument, "An encryption context key or value is longer than 65535 UTF-8 bytes. Shorten it.")
                }
                size += 4 + keyLength + valueLength
            }
            guard size <= Int(UInt16.max) else {
                throw EnvelopeError(.invalidArgument, "The serialized encryption context is \(size) bytes; at most 65535 fit in a message header. Use fewer or shorter pairs.")
            }
            var out: [UInt8] = []
            out.reserveCapacity(size)
            out.appendUInt16(UInt16(context.count))
            for (key, value) in order {
                out.appendLengthPrefixed16(key.utf8)
                out.appendLengthPrefixed16(value.utf8)
            }
            return out
        }
    }

    /// Parses a serialized context (without its outer length). Rejects duplicates, bad UTF-8,
    /// a zero count and trailing bytes. Never traps.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> EncryptionContext {
        if bytes.isEmpty { return [:] }
        var reader = ByteReader(bytes)
        guard let count = reader.readUInt16() else { throw EnvelopeError.malformed("the encryption context is truncated") }
        guard count > 0 else { throw EnvelopeError.malformed("the encryption context has a length but no pairs") }
        var context: EncryptionContext = [:]
        for _ in 0..<count {
            guard let key = reader.readLengthPrefixed16(), let value = reader.readLengthPrefixed16() else {
                throw EnvelopeError.malformed("an encryption context pair runs past the context length")
            }
            guard let k = String(validating: key, as: UTF8.self), let v = String(validating: value, as: UTF8.self) else {
                throw EnvelopeError.malformed("an encryption context key or value is not valid UTF-8")
            }
            guard context.updateValue(v, forKey: k) == nil else {
                throw EnvelopeError.malformed("the encryption context repeats the key \"\(UntrustedText.escaped(k))\"")
            }
        }
        guard reader.remaining == 0 else { throw EnvelopeError.malformed("the encryption context has trailing bytes") }
        return context
    }

    /// Refuses caller-supplied keys with the reserved `aws-crypto-` prefix.
    /// Spec: client-apis/encrypt.md ("Encryption Context").
    static func checkNoReservedKeys(_ context: EncryptionContext) throws {
        if let key = context.keys.sorted().first(where: { $0.hasPrefix(reservedEncryptionContextPrefix) }) {
            throw EnvelopeError(.encryptionContextMismatch, "The encryption context key \"\(key)\" uses the reserved prefix \"\(reservedEncryptionContextPrefix)\". Rename the key; the SDK sets such keys itself.")
        }
    }
}
