/// Non-secret key-value pairs bound to a message (authenticated, stored in the header).
///
/// Spec: framework/structures.md ("Encryption Context"), data-format/message-header.md ("AAD").
public typealias EncryptionContext = [String: String]

/// Keys starting with this prefix are reserved for the SDK (e.g. `aws-crypto-public-key`).
public let reservedEncryptionContextPrefix = "aws-crypto-"

/// The key under which signed suites store the base64 compressed verification key.
public let publicKeyEncryptionContextKey = "aws-crypto-public-key"

enum EncryptionContextCodec {
    /// Serializes pairs sorted by the UTF-8 bytes of their keys: count, then length-prefixed key
    /// and value. An empty context serializes to no bytes at all.
    /// Spec: framework/structures.md ("Serialization").
    static func serialize(_ context: EncryptionContext) throws -> [UInt8] {
        if context.isEmpty { return [] }
        guard context.count <= Int(UInt16.max) else {
            throw EnvelopeError(.invalidArgument, "The encryption context has \(context.count) pairs; at most 65535 fit in a message. Use fewer pairs.")
        }
        // Sorted by the UTF-8 bytes of the keys (an order of the dictionary's indices, in a
        // temporary buffer: on the stack for any usual context), measured, then written once into
        // an array of exactly the right size: no per-pair arrays, no array of pairs.
        return try withUnsafeTemporaryAllocation(of: EncryptionContext.Index.self, capacity: context.count) { buffer in
            var order = buffer
            var n = 0
            for index in context.indices { order.initializeElement(at: n, to: index); n += 1 }
            defer { _ = order.deinitialize() }
            order.sort { context[$0].key.utf8.lexicographicallyPrecedes(context[$1].key.utf8) }
            var size = 2
            for index in order {
                let (key, value) = context[index]
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
            for index in order {
                let (key, value) = context[index]
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
                throw EnvelopeError.malformed("the encryption context repeats the key \"\(k)\"")
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
