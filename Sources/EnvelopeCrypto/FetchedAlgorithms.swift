import CEnvelopeOpenSSL

/// OpenSSL algorithm objects fetched once per process and kept.
///
/// OpenSSL 3 resolves a legacy `EVP_aes_256_gcm()` / `EVP_sha256()` or an algorithm name to a
/// provider implementation on every init (an "implicit fetch": a locked lookup in the method
/// store). Fetching explicitly once and reusing the object skips that on every call. The objects
/// are immutable and reference counted, so sharing them across threads is safe; they are never
/// freed (they live as long as the process, like OpenSSL's own method store).
enum FetchedAlgorithms {
    nonisolated(unsafe) static let aes128GCM = cipher("AES-128-GCM")
    nonisolated(unsafe) static let aes192GCM = cipher("AES-192-GCM")
    nonisolated(unsafe) static let aes256GCM = cipher("AES-256-GCM")

    nonisolated(unsafe) static let sha1 = digest("SHA1")
    nonisolated(unsafe) static let sha256 = digest("SHA256")
    nonisolated(unsafe) static let sha384 = digest("SHA384")
    nonisolated(unsafe) static let sha512 = digest("SHA512")

    nonisolated(unsafe) static let hkdf: OpaquePointer = {
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { fatalError("OpenSSL has no HKDF: \(OpenSSLErrors.drain())") }
        return kdf
    }()

    nonisolated(unsafe) static let kbkdf: OpaquePointer = {
        guard let kdf = EVP_KDF_fetch(nil, "KBKDF", nil) else { fatalError("OpenSSL has no KBKDF: \(OpenSSLErrors.drain())") }
        return kdf
    }()

    nonisolated(unsafe) static let hmac: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("OpenSSL has no HMAC: \(OpenSSLErrors.drain())") }
        return mac
    }()

    /// The AES-GCM cipher for a key length, or nil for a length AES does not have.
    static func aesGCM(keyLength: Int) -> OpaquePointer? {
        switch keyLength {
        case 16: aes128GCM
        case 24: aes192GCM
        case 32: aes256GCM
        default: nil
        }
    }

    // A missing AES-GCM or SHA-2 means a broken OpenSSL installation: nothing can work without them.
    private static func cipher(_ name: String) -> OpaquePointer {
        guard let cipher = fetchCipher(name) else { fatalError("OpenSSL has no \(name): \(OpenSSLErrors.drain())") }
        return cipher
    }

    /// Any cipher by its OpenSSL name (tests), or nil if OpenSSL has none by that name.
    static func fetchCipher(_ name: String) -> OpaquePointer? {
        EVP_CIPHER_fetch(nil, name, nil)
    }

    private static func digest(_ name: String) -> OpaquePointer {
        guard let md = EVP_MD_fetch(nil, name, nil) else { fatalError("OpenSSL has no \(name): \(OpenSSLErrors.drain())") }
        return md
    }
}

/// HMAC contexts with the digest already set, duplicated per call (`EVP_MAC_CTX_dup`): setting
/// the digest by name makes the provider fetch it, a duplicate inherits it. Reading a template
/// from several threads at once is safe; nobody keys or updates a template.
enum HMACTemplates {
    nonisolated(unsafe) static let sha1 = make(.sha1)
    nonisolated(unsafe) static let sha256 = make(.sha256)
    nonisolated(unsafe) static let sha384 = make(.sha384)
    nonisolated(unsafe) static let sha512 = make(.sha512)

    static func template(for hash: HashFunction) -> OpaquePointer {
        switch hash {
        case .sha1: sha1
        case .sha256: sha256
        case .sha384: sha384
        case .sha512: sha512
        }
    }

    private static func make(_ hash: HashFunction) -> OpaquePointer {
        guard let ctx = envelope_hmac_template(FetchedAlgorithms.hmac, hash.openSSLCName) else {
            fatalError("OpenSSL could not set up HMAC with \(hash.openSSLName): \(OpenSSLErrors.drain())")
        }
        return ctx
    }
}
