import CEnvelopeOpenSSL
@testable import EnvelopeCrypto
import Testing

@Suite("ECDSA public point encoding")
struct ECDSAPublicPointTests {
    /// The key's point conversion format as OpenSSL reports it ("uncompressed" for a new key).
    static func conversionFormat(_ key: ECDSAPrivateKey) -> String {
        var buffer = [CChar](repeating: 0, count: 32)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(key.key.pointer, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, &buffer, buffer.count, &length) == 1 else {
            return "unreadable"
        }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // Issue 15, point 8: compressedPublicKey() used to set the conversion format on the shared
    // EVP_PKEY, a write other threads using the same key could race with.
    @Test("compressedPublicKey() leaves the shared key unchanged", arguments: [ECDSACurve.p256, .p384])
    func doesNotMutate(curve: ECDSACurve) throws {
        let key = try ECDSAPrivateKey(generatingOn: curve)
        let before = Self.conversionFormat(key)
        let point = try key.compressedPublicKey()
        #expect(point.count == curve.compressedPointLength)
        #expect(point[0] == 0x02 || point[0] == 0x03)
        #expect(Self.conversionFormat(key) == before)
        #expect(before == "uncompressed")
        // The point still verifies what the key signs.
        let digest = [UInt8](repeating: 7, count: curve == .p256 ? 32 : 48)
        let publicKey = try ECDSAPublicKey(point: point, curve: curve)
        #expect(publicKey.isValidSignature(try key.signature(forDigest: digest), forDigest: digest))
    }
}
