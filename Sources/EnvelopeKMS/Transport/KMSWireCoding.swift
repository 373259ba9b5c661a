import EnvelopeCrypto
import Foundation

/// The KMS JSON 1.1 encoding of the types that JSON has no native form for: blobs are base64
/// strings, timestamps are epoch seconds.
enum KMSWireCoding {
    static func decodeBase64<K: CodingKey>(_ text: String, key: K, container: KeyedDecodingContainer<K>) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(key.stringValue) is not valid base64")
        }
        return [UInt8](data)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeBlob(_ bytes: [UInt8], forKey key: Key) throws {
        try encode(Data(bytes).base64EncodedString(), forKey: key)
    }

    /// Writes a secret as base64. The JSON text necessarily holds the secret; callers own it.
    mutating func encodeSecret(_ secret: SecureBytes, forKey key: Key) throws {
        let text = secret.withUnsafeBytes { Data($0).base64EncodedString() }
        try encode(text, forKey: key)
    }

    mutating func encodeContext(_ context: [String: String], forKey key: Key) throws {
        if !context.isEmpty { try encode(context, forKey: key) }
    }

    mutating func encodeTokens(_ tokens: [String], forKey key: Key) throws {
        if !tokens.isEmpty { try encode(tokens, forKey: key) }
    }

    mutating func encodeDryRun(_ dryRun: Bool, forKey key: Key) throws {
        if dryRun { try encode(true, forKey: key) }
    }

    mutating func encodeEpochSeconds(_ date: Date, forKey key: Key) throws {
        try encode(date.timeIntervalSince1970, forKey: key)
    }

    mutating func encodeEpochSecondsIfPresent(_ date: Date?, forKey key: Key) throws {
        if let date { try encodeEpochSeconds(date, forKey: key) }
    }
}

extension KeyedDecodingContainer {
    func decodeBlob(forKey key: Key) throws -> [UInt8] {
        try KMSWireCoding.decodeBase64(decode(String.self, forKey: key), key: key, container: self)
    }

    func decodeSecret(forKey key: Key) throws -> SecureBytes {
        var bytes = try decodeBlob(forKey: key)
        return try SecureBytes(consuming: &bytes)
    }

    func decodeContext(forKey key: Key) throws -> [String: String] {
        try decodeIfPresent([String: String].self, forKey: key) ?? [:]
    }

    func decodeTokens(forKey key: Key) throws -> [String] {
        try decodeIfPresent([String].self, forKey: key) ?? []
    }

    func decodeDryRun(forKey key: Key) throws -> Bool {
        try decodeIfPresent(Bool.self, forKey: key) ?? false
    }

    func decodeEpochSecondsIfPresent(forKey key: Key) throws -> Date? {
        try decodeIfPresent(Double.self, forKey: key).map { Date(timeIntervalSince1970: $0) }
    }
}
