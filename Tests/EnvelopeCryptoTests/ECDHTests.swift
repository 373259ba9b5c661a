import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// The ECDH primitive: the key encodings the raw ECDH keyring needs (spec
/// `framework/raw-ecdh-keyring.md`: DER SubjectPublicKeyInfo for a recipient, compressed points in
/// messages, PEM PKCS#8 private keys) and the typed refusal of every invalid key. Wycheproof's
/// vectors are in `WycheproofECDHTests`.
@Suite("ECDH")
struct ECDHTests {
    @Test("Both parties derive the same secret, of the curve's field length", arguments: ECDHCurve.allCases)
    func agreement(curve: ECDHCurve) throws {
        let alice = try ECDHPrivateKey(generatingOn: curve)
        let bob = try ECDHPrivateKey(generatingOn: curve)
        let one = try alice.sharedSecret(with: bob.publicKey)
        let other = try bob.sharedSecret(with: alice.publicKey)
        #expect(one == other)
        #expect(one.count == curve.sharedSecretLength)
        let eve = try ECDHPrivateKey(generatingOn: curve)
        #expect(try eve.sharedSecret(with: bob.publicKey) != one)
    }

    @Test("Public keys round-trip through DER SubjectPublicKeyInfo, compressed and uncompressed points", arguments: ECDHCurve.allCases)
    func publicEncodings(curve: ECDHCurve) throws {
        let key = try ECDHPrivateKey(generatingOn: curve).publicKey
        let compressed = key.compressedPoint
        #expect(compressed.count == curve.compressedPointLength)
        #expect(compressed[0] == 0x02 || compressed[0] == 0x03)
        #expect(key.uncompressedPoint.count == curve.uncompressedPointLength)
        #expect(try ECDHPublicKey(point: compressed, curve: curve) == key)
        #expect(try ECDHPublicKey(point: key.uncompressedPoint, curve: curve) == key)
        #expect(try ECDHPublicKey(subjectPublicKeyInfo: key.subjectPublicKeyInfo(), curve: curve) == key)
    }

    @Test("Private keys round-trip through PEM PKCS#8 and keep their public key", arguments: ECDHCurve.allCases)
    func privatePEM(curve: ECDHCurve) throws {
        let key = try ECDHPrivateKey(generatingOn: curve)
        let pem = try key.privatePEM()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let reread = try ECDHPrivateKey(pem: pem, curve: curve)
        #expect(reread.publicKey == key.publicKey)
        let peer = try ECDHPrivateKey(generatingOn: curve)
        #expect(try reread.sharedSecret(with: peer.publicKey) == key.sharedSecret(with: peer.publicKey))
    }

    @Test("A private key imported from its scalar has the right public key (RFC 5903 section 8.1, P-256)")
    func scalarImport() throws {
        // RFC 5903, 8.1: initiator's private value i and public point gi = (gix, giy).
        let i = try SecureBytes(copying: hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"))
        let key = try ECDHPrivateKey(scalar: i, curve: .p256)
        #expect(hexString(key.publicKey.uncompressedPoint) == "04" + "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            + "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3")
        // Responder's public point gr and the shared x-coordinate girx.
        let responder = try ECDHPublicKey(point: hex("04" + "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
            + "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB"), curve: .p256)
        #expect(hexString(try key.sharedSecret(with: responder).unprotectedCopy())
            == "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de")
    }

    @Test("Each kind of invalid public key is refused with its own typed reason")
    func refusedPublicKeys() throws {
        let p256 = try ECDHPrivateKey(generatingOn: .p256).publicKey
        let p384 = try ECDHPrivateKey(generatingOn: .p384).publicKey
        let spki = try p256.subjectPublicKeyInfo()

        #expect(throws: ECDHKeyError(.notSubjectPublicKeyInfo)) { try ECDHPublicKey(subjectPublicKeyInfo: [], curve: .p256) }
        #expect(throws: ECDHKeyError(.notSubjectPublicKeyInfo)) { try ECDHPublicKey(subjectPublicKeyInfo: spki + [0], curve: .p256) }
        #expect(throws: ECDHKeyError(.notSubjectPublicKeyInfo)) { try ECDHPublicKey(subjectPublicKeyInfo: Array(spki.dropLast()), curve: .p256) }
        #expect(throws: ECDHKeyError(.notSubjectPublicKeyInfo)) { try ECDHPublicKey(subjectPublicKeyInfo: p256.uncompressedPoint, curve: .p256) }
        #expect(throws: ECDHKeyError(.wrongCurve(expected: .p256, found: "secp384r1"))) {
            try ECDHPublicKey(subjectPublicKeyInfo: p384.subjectPublicKeyInfo(), curve: .p256)
        }
        let rsa = try RSAPrivateKey(generatingBits: 2048).publicKey.pem()
        #expect(throws: ECDHKeyError(.notAnECKey)) { try ECDHPublicKey(subjectPublicKeyInfo: derOfPEM(rsa), curve: .p256) }

        #expect(throws: ECDHKeyError(.pointAtInfinity)) { try ECDHPublicKey(point: [0], curve: .p256) }
        #expect(throws: ECDHKeyError(.malformedPoint)) { try ECDHPublicKey(point: [], curve: .p256) }
        #expect(throws: ECDHKeyError(.malformedPoint)) { try ECDHPublicKey(point: p384.compressedPoint, curve: .p256) }
        #expect(throws: ECDHKeyError(.malformedPoint)) { try ECDHPublicKey(point: [0x06] + p256.uncompressedPoint.dropFirst(), curve: .p256) }
        var offCurve = p256.uncompressedPoint
        offCurve[offCurve.count - 1] ^= 1
        #expect(throws: ECDHKeyError(.pointNotOnCurve)) { try ECDHPublicKey(point: offCurve, curve: .p256) }
    }

    @Test("A peer on another curve, and invalid private keys, are refused with typed reasons")
    func refusedPrivateKeysAndPeers() throws {
        let p256 = try ECDHPrivateKey(generatingOn: .p256)
        let p521 = try ECDHPrivateKey(generatingOn: .p521)
        #expect(throws: ECDHKeyError(.wrongCurve(expected: .p256, found: "P-521"))) { try p256.sharedSecret(with: p521.publicKey) }
        #expect(throws: ECDHKeyError(.wrongCurve(expected: .p384, found: "secp521r1"))) {
            try ECDHPrivateKey(pem: p521.privatePEM(), curve: .p384)
        }
        #expect(throws: ECDHKeyError(.invalidPrivateKey)) { try ECDHPrivateKey(pem: "not a key", curve: .p256) }
        let rsa = try RSAPrivateKey(generatingBits: 2048).privatePEM()
        #expect(throws: ECDHKeyError(.invalidPrivateKey)) { try ECDHPrivateKey(pem: rsa, curve: .p256) }
        // d must satisfy 0 < d < n (n: the order of P-256).
        let order = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
        for scalar in [[UInt8](repeating: 0, count: 32), order, [UInt8](repeating: 0xff, count: 32), []] {
            #expect(throws: ECDHKeyError(.invalidPrivateKey)) { try ECDHPrivateKey(scalar: SecureBytes(copying: scalar), curve: .p256) }
        }
        var belowOrder = order
        belowOrder[31] -= 1
        #expect(throws: Never.self) { try ECDHPrivateKey(scalar: SecureBytes(copying: belowOrder), curve: .p256) }
    }

    @Test("Refusals explain themselves without echoing key bytes")
    func errorText() throws {
        let point = try ECDHPrivateKey(generatingOn: .p256).publicKey.uncompressedPoint
        var offCurve = point
        offCurve[offCurve.count - 1] ^= 1
        let error = try #require(throws: ECDHKeyError.self) { try ECDHPublicKey(point: offCurve, curve: .p256) }
        #expect(error.description.contains("not on the configured curve"))
        #expect(!error.description.lowercased().contains(hexString(offCurve.suffix(8))))
    }

    /// The DER bytes inside a PEM block.
    private func derOfPEM(_ pem: String) throws -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return try [UInt8](#require(Data(base64Encoded: body)))
    }
}
