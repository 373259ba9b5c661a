import CEnvelopeOpenSSL

/// ECDSA over the NIST curves the signed ESDK suites use.
public enum ECDSACurve: Sendable, Equatable {
    case p256, p384

    var groupName: String { self == .p256 ? "P-256" : "P-384" }

    /// The digest each ESDK suite pairs with the curve.
    public var hash: HashFunction { self == .p256 ? .sha256 : .sha384 }

    /// Length of a SEC1 compressed public point.
    public var compressedPointLength: Int { self == .p256 ? 33 : 49 }
}

/// An ECDSA signing key; the ESDK makes a fresh one per message.
public final class ECDSAPrivateKey: Sendable {
    let key: EVPKey
    public let curve: ECDSACurve

    /// Generates a new key pair.
    public init(generatingOn curve: ECDSACurve) throws {
        guard let pkey = envelope_ec_generate(curve.groupName) else { throw CryptoError.openSSL("EC key generation") }
        key = EVPKey(pkey)
        self.curve = curve
    }

    /// The SEC1 compressed encoding of the public key (what `aws-crypto-public-key` carries).
    public func compressedPublicKey() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 1 + 2 * 66)
        let written = envelope_ec_compressed_point(key.pointer, &out, out.count)
        guard written == curve.compressedPointLength else { throw CryptoError.openSSL("encoding the public point") }
        return Array(out[0..<written])
    }

    /// Signs a precomputed digest; returns a DER `ECDSA-Sig-Value`.
    public func signature(forDigest digest: [UInt8]) throws -> [UInt8] {
        try key.withContext { ctx in
            guard EVP_PKEY_sign_init(ctx) == 1, EVP_PKEY_CTX_set_signature_md(ctx, curve.hash.evpMD) == 1
            else { throw CryptoError.openSSL("EVP_PKEY_sign_init") }
            var length = 0
            guard EVP_PKEY_sign(ctx, nil, &length, digest, digest.count) == 1 else { throw CryptoError.openSSL("EVP_PKEY_sign") }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_PKEY_sign(ctx, &signature, &length, digest, digest.count) == 1 else { throw CryptoError.openSSL("EVP_PKEY_sign") }
            return Array(signature[0..<length])
        }
    }
}

/// An ECDSA verification key.
public final class ECDSAPublicKey: Sendable {
    let key: EVPKey
    public let curve: ECDSACurve

    /// Decodes a SEC1 point (compressed, as the ESDK stores it, or uncompressed).
    public init(point: [UInt8], curve: ECDSACurve) throws {
        guard let pkey = point.withUnsafeBufferPointer({ envelope_ec_public_from_point(curve.groupName, $0.baseAddress, $0.count) }) else {
            OpenSSLErrors.clear()
            throw CryptoError(.invalidInput, "the public key is not a valid \(curve.groupName) point")
        }
        key = EVPKey(pkey)
        self.curve = curve
    }

    /// True when `signature` (DER) is valid for `digest`.
    public func isValidSignature(_ signature: [UInt8], forDigest digest: [UInt8]) -> Bool {
        let result = try? key.withContext { ctx -> Bool in
            guard EVP_PKEY_verify_init(ctx) == 1, EVP_PKEY_CTX_set_signature_md(ctx, curve.hash.evpMD) == 1 else { return false }
            return EVP_PKEY_verify(ctx, signature, signature.count, digest, digest.count) == 1
        }
        OpenSSLErrors.clear()
        return result ?? false
    }
}
