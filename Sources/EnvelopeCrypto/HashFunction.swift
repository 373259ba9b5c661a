import CEnvelopeOpenSSL

/// The SHA-2 functions the ESDK and SigV4 use.
public enum HashFunction: Sendable, Equatable, CaseIterable {
    case sha1, sha256, sha384, sha512

    /// Digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The OpenSSL name of the digest.
    var openSSLName: String { String(cString: openSSLCName) }

    /// The OpenSSL name as a NUL-terminated C string in static storage: passing a Swift `String`
    /// to a `const char *` parameter copies a short (inline) string into a new heap array per call.
    var openSSLCName: UnsafePointer<CChar> {
        let name: StaticString = switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
        return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// The digest implementation, fetched once per process.
    var evpMD: OpaquePointer? {
        switch self {
        case .sha1: FetchedAlgorithms.sha1
        case .sha256: FetchedAlgorithms.sha256
        case .sha384: FetchedAlgorithms.sha384
        case .sha512: FetchedAlgorithms.sha512
        }
    }

    /// One-shot digest of `data`.
    public func digest(_ data: UnsafeRawBufferPointer) throws -> [UInt8] {
        let hasher = try IncrementalHash(self)
        hasher.update(data)
        return try hasher.finalize()
    }

    /// One-shot digest of a byte array.
    public func digest(_ data: [UInt8]) throws -> [UInt8] {
        try data.withUnsafeBytes { try digest($0) }
    }

    /// HMAC of `data` under `key`.
    public func hmac(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) throws -> [UInt8] {
        // A copy of the per-digest template: fetched HMAC, digest set, no per-call lookup.
        guard let ctx = EVP_MAC_CTX_dup(HMACTemplates.template(for: self)) else { throw CryptoError.openSSL("EVP_MAC_CTX_dup") }
        defer { EVP_MAC_CTX_free(ctx) }
        return try [UInt8](unsafeUninitializedCapacity: digestLength) { o, n in
            n = 0
            var outLength = 0
            // A NULL key would mean "keep the previous key"; an empty key needs a real pointer.
            let empty: UInt8 = 0
            let keyed = withUnsafePointer(to: empty) { emptyPointer in
                EVP_MAC_init(ctx, key.count > 0 ? key.bindMemory(to: UInt8.self).baseAddress : emptyPointer, key.count, nil) == 1
            }
            guard keyed,
                  EVP_MAC_update(ctx, data.bindMemory(to: UInt8.self).baseAddress, data.count) == 1,
                  EVP_MAC_final(ctx, o.baseAddress, &outLength, o.count) == 1, outLength == digestLength
            else { throw CryptoError.openSSL("HMAC") }
            n = outLength
        }
    }

    /// HMAC of byte arrays.
    public func hmac(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try key.withUnsafeBytes { k in try data.withUnsafeBytes { d in try hmac(key: k, data: d) } }
    }
}

/// A running digest (the signed suites hash the whole message as it streams by).
public final class IncrementalHash {
    private let context: OpaquePointer
    public let function: HashFunction
    private var finished = false

    public init(_ function: HashFunction) throws {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(ctx, function.evpMD, nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            throw CryptoError.openSSL("EVP_DigestInit_ex")
        }
        context = ctx
        self.function = function
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the digest.
    public func update(_ data: UnsafeRawBufferPointer) {
        precondition(!finished, "IncrementalHash used after finalize")
        guard data.count > 0 else { return }
        // EVP_DigestUpdate only fails on a misconfigured context, which init rules out.
        let ok = EVP_DigestUpdate(context, data.baseAddress, data.count)
        precondition(ok == 1, "EVP_DigestUpdate failed: \(OpenSSLErrors.drain())")
    }

    /// Adds a byte array to the digest.
    public func update(_ data: [UInt8]) { data.withUnsafeBytes { update($0) } }

    /// Returns the digest; the hasher cannot be used afterwards.
    public func finalize() throws -> [UInt8] {
        precondition(!finished, "IncrementalHash finalized twice")
        finished = true
        var out = [UInt8](repeating: 0, count: function.digestLength)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &out, &length) == 1 else { throw CryptoError.openSSL("EVP_DigestFinal_ex") }
        return out
    }
}
