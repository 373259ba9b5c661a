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
            EncryptionContext.hashBytes(of: text, into: &hasher)
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
    public func makeIterator() -> Iterator {
        Iterator(base: storage.makeIterator())
    }

    /// The iterator of ``EncryptionContext``: the pairs in no particular order. A concrete type
    /// (not `AnyIterator`), so a loop over a context allocates nothing.
    public struct Iterator: IteratorProtocol {
        fileprivate var base: Dictionary<ByteKey, String>.Iterator

        /// The next pair, or nil after the last.
        public mutating func next() -> Element? {
            base.next().map { (key: $0.key.text, value: $0.value) }
        }
    }

    /// Feeds the length and the UTF-8 bytes of `text` to `hasher` (in one call when the string
    /// is stored contiguously, as native strings are).
    fileprivate static func hashBytes(of text: String, into hasher: inout Hasher) {
        let utf8 = text.utf8
        hasher.combine(utf8.count)
        let done: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { for byte in utf8 { hasher.combine(byte) } }
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
            EncryptionContext.hashBytes(of: value, into: &pair)
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
        try withSortedPairs(context) { pairs, size in
            var out: [UInt8] = []
            out.reserveCapacity(size)
            append(pairs, to: &out)
            return out
        }
    }

    /// Runs `body` with the pairs sorted by the UTF-8 bytes of their keys (in a temporary buffer,
    /// on the stack for any usual context: no per-pair arrays, no array of pairs) and the size of
    /// their serialization, checked to fit the format's 16-bit lengths. An empty context has size 0.
    static func withSortedPairs<R>(_ context: EncryptionContext,
                                   _ body: (UnsafeBufferPointer<EncryptionContext.Element>, Int) throws -> R) throws -> R {
        if context.isEmpty { return try body(UnsafeBufferPointer(start: nil, count: 0), 0) }
        guard context.count <= Int(UInt16.max) else {
            throw EnvelopeError(.invalidArgument, "The encryption context has \(context.count) pairs; at most 65535 fit in a message. Use fewer pairs.")
        }
        return try withUnsafeTemporaryAllocation(of: EncryptionContext.Element.self, capacity: context.count) { buffer in
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
            return try body(UnsafeBufferPointer(order), size)
        }
    }

    /// Appends the serialization of pairs sorted by ``withSortedPairs(_:_:)`` (nothing for none).
    static func append(_ pairs: UnsafeBufferPointer<EncryptionContext.Element>, to out: inout [UInt8]) {
        if pairs.isEmpty { return }
        out.appendUInt16(UInt16(pairs.count))
        for (key, value) in pairs {
            out.appendLengthPrefixed16(key.utf8)
            out.appendLengthPrefixed16(value.utf8)
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
            guard let key = reader.readLengthPrefixed16Slice(), let value = reader.readLengthPrefixed16Slice() else {
                throw EnvelopeError.malformed("an encryption context pair runs past the context length")
            }
            guard let k = String(utf8Bytes: key), let v = String(utf8Bytes: value) else {
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
        // The smallest reserved key, so the error names the same key whatever the dictionary
        // order; no array of keys on the usual path.
        var found: String? = nil
        for (key, _) in context where key.hasPrefix(reservedEncryptionContextPrefix) {
            if let earlier = found, earlier <= key { continue }
            found = key
        }
        if let key = found {
            throw EnvelopeError(.encryptionContextMismatch, "The encryption context key \"\(key)\" uses the reserved prefix \"\(reservedEncryptionContextPrefix)\". Rename the key; the SDK sets such keys itself.")
        }
    }
}
