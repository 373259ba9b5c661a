import CEnvelopeOpenSSL

/// The NIST curves of the raw ECDH keyring (spec `framework/raw-ecdh-keyring.md`, "Supported Curve
/// Specifications").
public enum ECDHCurve: Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case p256, p384, p521

    /// Length of a field element, hence of an x-coordinate and of the ECDH shared secret.
    public var fieldLength: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// Length of a SEC1 compressed point (what the raw ECDH keyring writes in its key provider info).
    public var compressedPointLength: Int { 1 + fieldLength }

    /// Length of a SEC1 uncompressed point.
    public var uncompressedPointLength: Int { 1 + 2 * fieldLength }

    /// Length of the shared secret `ECDHPrivateKey.sharedSecret(with:)` returns.
    public var sharedSecretLength: Int { fieldLength }

    public var description: String { groupName }

    /// OpenSSL's group name.
    var groupName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }

    var nid: Int32 {
        switch self {
        case .p256: NID_X9_62_prime256v1
        case .p384: NID_secp384r1
        case .p521: NID_secp521r1
        }
    }
}

/// Why an ECDH key was refused. Public keys come from other parties (a recipient's key, a sender's
/// key in a message), so each is checked before use: encoding, named curve, point on the curve and
/// not the point at infinity.
public struct ECDHKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The bytes are not a DER SubjectPublicKeyInfo (or have bytes after it).
        case notSubjectPublicKeyInfo
        /// The key is not an elliptic-curve key (its algorithm is not id-ecPublicKey).
        case notAnECKey
        /// The curve is given by explicit parameters instead of a named-curve OID; only the named
        /// NIST curves are accepted.
        case explicitCurveParameters
        /// The key is on another curve than the one configured. `found` is OpenSSL's short name of
        /// the key's curve ("secp256k1", "prime256v1", …) or its OID in dotted form.
        case wrongCurve(expected: ECDHCurve, found: String)
        /// The point encoding has the wrong length or leading byte for the curve.
        case malformedPoint
        /// The point is the point at infinity.
        case pointAtInfinity
        /// The point is not on the curve (or a compressed x-coordinate has no point).
        case pointNotOnCurve
        /// The private key could not be read, is not an EC key, or its scalar is out of range.
        case invalidPrivateKey
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .notSubjectPublicKeyInfo:
            "the public key is not a DER-encoded SubjectPublicKeyInfo: pass the key's DER bytes (not PEM text, not a raw point)"
        case .notAnECKey:
            "the public key is not an elliptic-curve key: ECDH needs a P-256, P-384 or P-521 key"
        case .explicitCurveParameters:
            "the public key spells out its curve parameters instead of naming the curve: re-encode it with the named curve (P-256, P-384 or P-521)"
        case .wrongCurve(let expected, let found):
            "the key is on curve \(found), not on \(expected) as configured: use a key on \(expected) or configure its curve"
        case .malformedPoint:
            "the public point is not a SEC1 point of the configured curve (wrong length or leading byte)"
        case .pointAtInfinity:
            "the public point is the point at infinity, which no valid public key is"
        case .pointNotOnCurve:
            "the public point is not on the configured curve: the key is corrupt or forged"
        case .invalidPrivateKey:
            "the private key is not a valid EC private key for the configured curve (expected PEM PKCS#8, or a scalar 0 < d < n)"
        }
    }
}

/// An ECDH public key on a NIST curve, validated when it is created.
public final class ECDHPublicKey: Sendable, Equatable {
    let key: EVPKey
    public let curve: ECDHCurve
    /// The SEC1 uncompressed point (04 || x || y).
    public let uncompressedPoint: [UInt8]

    /// Reads a DER X.509 SubjectPublicKeyInfo (how the raw ECDH keyring takes a recipient's key).
    /// Only a named-curve OID is accepted as parameters, and it must be `curve`.
    public convenience init(subjectPublicKeyInfo der: [UInt8], curve: ECDHCurve) throws {
        var algorithm: Int32 = 0
        var curveNID: Int32 = 0
        var pointStart: UnsafePointer<UInt8>?
        var pointLength: Int32 = 0
        let point: [UInt8] = try der.withUnsafeBufferPointer { buffer in
            guard let spki = envelope_spki_parse(buffer.baseAddress, buffer.count, &algorithm, &curveNID, &pointStart, &pointLength)
            else {
                OpenSSLErrors.clear()
                throw ECDHKeyError(.notSubjectPublicKeyInfo)
            }
            defer { X509_PUBKEY_free(spki) }
            return pointStart.map { Array(UnsafeBufferPointer(start: $0, count: Int(pointLength))) } ?? []
        }
        guard algorithm == NID_X9_62_id_ecPublicKey else { throw ECDHKeyError(.notAnECKey) }
        guard curveNID != NID_undef else { throw ECDHKeyError(.explicitCurveParameters) }
        guard curveNID == curve.nid else {
            throw ECDHKeyError(.wrongCurve(expected: curve, found: ECDHPublicKey.curveName(nid: curveNID)))
        }
        try self.init(point: point, curve: curve)
    }

    /// Reads a SEC1 point, compressed (02/03 || x, as the raw ECDH keyring stores public keys in a
    /// message) or uncompressed (04 || x || y).
    public init(point: [UInt8], curve: ECDHCurve) throws {
        if point == [0] { throw ECDHKeyError(.pointAtInfinity) }
        let shapeOK = switch point.first {
        case 0x02?, 0x03?: point.count == curve.compressedPointLength
        case 0x04?: point.count == curve.uncompressedPointLength
        default: false
        }
        guard shapeOK else { throw ECDHKeyError(.malformedPoint) }
        // OpenSSL refuses a point off the curve when it imports it, and checks it again (and its
        // order) in EVP_PKEY_public_check.
        guard let pkey = point.withUnsafeBufferPointer({ envelope_ec_public_from_point(curve.groupName, $0.baseAddress, $0.count) })
        else {
            OpenSSLErrors.clear()
            throw ECDHKeyError(.pointNotOnCurve)
        }
        let imported = EVPKey(pkey)
        guard envelope_ec_public_check(pkey) == 1 else {
            OpenSSLErrors.clear()
            throw ECDHKeyError(.pointNotOnCurve)
        }
        key = imported
        self.curve = curve
        uncompressedPoint = try ECDHPublicKey.uncompressedPoint(of: imported, curve: curve)
    }

    /// The SEC1 compressed point (02/03 || x).
    public var compressedPoint: [UInt8] {
        let x = uncompressedPoint[1...curve.fieldLength]
        let yIsOdd = uncompressedPoint[curve.uncompressedPointLength - 1] & 1 == 1
        return [yIsOdd ? 0x03 : 0x02] + x
    }

    /// The DER X.509 SubjectPublicKeyInfo (named curve, uncompressed point).
    public func subjectPublicKeyInfo() throws -> [UInt8] {
        let length = envelope_spki_encode(key.pointer, nil, 0)
        guard length > 0 else { throw CryptoError.openSSL("i2d_PUBKEY") }
        var out = [UInt8](repeating: 0, count: length)
        guard envelope_spki_encode(key.pointer, &out, out.count) == length else { throw CryptoError.openSSL("i2d_PUBKEY") }
        return out
    }

    /// Same curve and same point.
    public static func == (lhs: ECDHPublicKey, rhs: ECDHPublicKey) -> Bool {
        lhs.curve == rhs.curve && lhs.uncompressedPoint == rhs.uncompressedPoint
    }

    static func uncompressedPoint(of key: EVPKey, curve: ECDHCurve) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: curve.uncompressedPointLength)
        guard envelope_ec_encoded_point(key.pointer, &out, out.count) == curve.uncompressedPointLength, out[0] == 0x04
        else { throw CryptoError.openSSL("reading the public point") }
        return out
    }

    static func curveName(nid: Int32) -> String {
        if let name = envelope_nid_short_name(nid) { return String(cString: name) }
        return "NID \(nid)"
    }
}

/// An ECDH private key on a NIST curve. Its material stays inside OpenSSL.
public final class ECDHPrivateKey: Sendable {
    let key: EVPKey
    public let curve: ECDHCurve
    /// The matching public key.
    public let publicKey: ECDHPublicKey

    /// Generates a new key pair (the ephemeral sender key of the raw ECDH keyring).
    public convenience init(generatingOn curve: ECDHCurve) throws {
        guard let pkey = envelope_ec_generate(curve.groupName) else { throw CryptoError.openSSL("EC key generation") }
        try self.init(key: EVPKey(pkey), curve: curve)
    }

    /// Reads a PEM private key (PKCS#8 "PRIVATE KEY", as the raw ECDH keyring takes it; a SEC1
    /// "EC PRIVATE KEY" block is read too). The key must be on `curve`.
    public convenience init(pem: String, curve: ECDHCurve) throws {
        let key: EVPKey
        do { key = try EVPKey.privateKey(pem: pem) } catch { throw ECDHKeyError(.invalidPrivateKey) }
        let found = envelope_ec_curve_nid(key.pointer)
        guard found != NID_undef else { throw ECDHKeyError(.invalidPrivateKey) }
        guard found == curve.nid else { throw ECDHKeyError(.wrongCurve(expected: curve, found: ECDHPublicKey.curveName(nid: found))) }
        try self.init(key: key, curve: curve)
    }

    /// Imports a private scalar `d` (big-endian; leading zero bytes allowed), with 0 < d < n.
    public convenience init(scalar: SecureBytes, curve: ECDHCurve) throws {
        let pkey = scalar.withUnsafeBytes {
            envelope_ec_keypair_from_scalar(curve.groupName, curve.nid, $0.bindMemory(to: UInt8.self).baseAddress, $0.count)
        }
        guard let pkey else {
            OpenSSLErrors.clear()
            throw ECDHKeyError(.invalidPrivateKey)
        }
        try self.init(key: EVPKey(pkey), curve: curve)
    }

    private init(key: EVPKey, curve: ECDHCurve) throws {
        self.key = key
        self.curve = curve
        publicKey = try ECDHPublicKey(point: ECDHPublicKey.uncompressedPoint(of: key, curve: curve), curve: curve)
    }

    /// The key as PEM PKCS#8. Handle the result as a secret.
    public func privatePEM() throws -> String { try key.privatePEM() }

    /// The ECDH shared secret with `peer` (the x-coordinate of d·Q, `curve.sharedSecretLength`
    /// bytes), in guarded memory. The peer must be on the same curve.
    public func sharedSecret(with peer: ECDHPublicKey) throws -> SecureBytes {
        guard peer.curve == curve else {
            throw ECDHKeyError(.wrongCurve(expected: curve, found: peer.curve.groupName))
        }
        return try SecureBytes(count: curve.sharedSecretLength) { out in
            let written = envelope_ecdh_derive(key.pointer, peer.key.pointer, out.bindMemory(to: UInt8.self).baseAddress, out.count)
            guard written == curve.sharedSecretLength else { throw CryptoError.openSSL("ECDH key derivation") }
        }
    }
}
