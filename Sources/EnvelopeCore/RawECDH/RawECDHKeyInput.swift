import EnvelopeCrypto

/// Reads the raw ECDH keyrings' keys in the encodings the spec names (private keys PEM PKCS #8,
/// public keys DER SubjectPublicKeyInfo) and turns a refusal into an ``EnvelopeError`` whose cause
/// is the `ECDHKeyError` that says why.
enum RawECDHKeyInput {
    static func publicKey(der: [UInt8], curve: ECDHCurve, role: String) throws -> ECDHPublicKey {
        do { return try ECDHPublicKey(subjectPublicKeyInfo: der, curve: curve) } catch { throw refused(error, role: role) }
    }

    static func privateKey(pem: String, curve: ECDHCurve, role: String) throws -> ECDHPrivateKey {
        do { return try ECDHPrivateKey(pem: pem, curve: curve) } catch { throw refused(error, role: role) }
    }

    /// Keys given as values must be on the keyring's curve.
    static func requireCurve(_ found: ECDHCurve, _ expected: ECDHCurve, role: String) throws {
        guard found == expected else {
            throw refused(ECDHKeyError(.wrongCurve(expected: expected, found: found.description)), role: role)
        }
    }

    static func refused(_ error: any Error, role: String) -> EnvelopeError {
        EnvelopeError(.invalidArgument, "The \(role) was refused: \(error).", causes: [error])
    }

    /// A short, public name for a key in descriptions: the first bytes of its compressed point.
    static func fingerprint(_ key: ECDHPublicKey) -> String {
        key.compressedPoint.prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined() + "…"
    }
}
