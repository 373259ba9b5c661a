import EnvelopeCrypto
import Testing

/// DER forms of RSA keys: the SubjectPublicKeyInfo of KMS GetPublicKey and the private key the
/// local KMS stores.
@Suite("RSA keys as DER")
struct RSADERTests {
    @Test("public SPKI and private DER round trip; the reloaded keys still pair")
    func roundTrip() throws {
        let key = try RSAPrivateKey(generatingBits: 2048)
        let spki = try key.publicKey.subjectPublicKeyInfo()
        #expect(spki.first == 0x30)
        let publicKey = try RSAPublicKey(subjectPublicKeyInfo: spki)
        #expect(publicKey.bits == 2048)
        #expect(try publicKey.pem() == key.publicKey.pem())
        let reloaded = try RSAPrivateKey(der: try key.privateKeyDER())
        let secret = try SecureBytes(copying: Array(repeating: 0x5A, count: 40))
        #expect(try reloaded.decrypt(try publicKey.encrypt(secret, padding: .oaepSHA256), padding: .oaepSHA256) == secret)
    }

    @Test("trailing bytes, garbage and an EC key are refused with typed errors")
    func refusals() throws {
        let spki = try RSAPrivateKey(generatingBits: 2048).publicKey.subjectPublicKeyInfo()
        #expect(throws: CryptoError.self) { try RSAPublicKey(subjectPublicKeyInfo: spki + [0]) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(subjectPublicKeyInfo: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(subjectPublicKeyInfo: []) }
        let ec = try ECDHPrivateKey(generatingOn: .p256).publicKey.subjectPublicKeyInfo()
        #expect(throws: KeyTypeError.self) { try RSAPublicKey(subjectPublicKeyInfo: ec) }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(der: try SecureBytes(copying: [1, 2, 3])) }
    }
}
