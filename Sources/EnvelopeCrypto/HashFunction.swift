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
    var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }

    var evpMD: OpaquePointer? {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
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
        var out = [UInt8](repeating: 0, count: digestLength)
        var outLength: UInt32 = 0
        let result = out.withUnsafeMutableBufferPointer { o in
            HMAC(evpMD, key.baseAddress, Int32(key.count),
                 data.bindMemory(to: UInt8.self).baseAddress, data.count, o.baseAddress, &outLength)
        }
        guard result != nil, Int(outLength) == digestLength else { throw CryptoError.openSSL("HMAC") }
        return out
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
