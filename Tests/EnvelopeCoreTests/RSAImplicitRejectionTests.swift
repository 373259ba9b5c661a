import EnvelopeCrypto
@testable import EnvelopeCore
import Testing

/// The implicit-rejection API itself (issue 15, point 2) and the weak-key opt-in.
@Suite("RSA implicit rejection API")
struct RSAImplicitRejectionTests {
    @Test("unwrapPKCS1 returns the secret of a valid ciphertext, and a deterministic key of the expected length otherwise")
    func syntheticKeys() throws {
        let key = Fixtures.rsaKey
        let secret = try RandomBytes.secure(count: 32)
        let valid = try key.publicKey.encrypt(secret, padding: .pkcs1)
        #expect(try key.unwrapPKCS1(valid, expectedLength: 32) == secret)
        let wrongLength = try key.publicKey.encrypt(try RandomBytes.secure(count: 31), padding: .pkcs1)
        var corrupt = valid
        corrupt[17] ^= 0x40
        for ciphertext in [wrongLength, corrupt, [UInt8](repeating: 1, count: 256), [UInt8](repeating: 1, count: 12), []] {
            let first = try key.unwrapPKCS1(ciphertext, expectedLength: 32)
            #expect(first.count == 32)
            #expect(first != secret)
            #expect(try key.unwrapPKCS1(ciphertext, expectedLength: 32) == first, "same ciphertext, same key")
        }
        #expect(try key.unwrapPKCS1(wrongLength, expectedLength: 32) != key.unwrapPKCS1(corrupt, expectedLength: 32))
        // The key depends on the private key, not only on the ciphertext.
        let other = try RSAPrivateKey(generatingBits: 2048)
        #expect(try other.unwrapPKCS1(corrupt, expectedLength: 32) != key.unwrapPKCS1(corrupt, expectedLength: 32))
    }

    @Test("Explicit decrypt fails with one error whatever is wrong")
    func explicitDecryptUniform() throws {
        let key = Fixtures.rsaKey
        let wrongLength = try key.publicKey.encrypt(try RandomBytes.secure(count: 31), padding: .pkcs1)
        #expect(try key.decrypt(wrongLength, padding: .pkcs1).count == 31)
        var texts: Set<String> = []
        for ciphertext in [[UInt8](repeating: 1, count: 256), [UInt8](repeating: 1, count: 12)] {
            do {
                _ = try key.decrypt(ciphertext, padding: .pkcs1)
                Issue.record("decrypt accepted an invalid ciphertext")
            } catch let error as CryptoError {
                texts.insert("\(error)")
            }
        }
        #expect(texts.count == 1)
    }

    @Test("allowWeakKeys accepts a key under 2048 bits, which then round-trips")
    func weakKeyOptIn() async throws {
        let weak = try RSAPrivateKey(generatingBits: 1024)
        #expect(weak.bits == 1024 && weak.publicKey.bits == 1024)
        let keyring = try RawRSAKeyring(keyNamespace: "ns", keyName: "k", padding: .pkcs1, publicKey: nil, privateKey: weak, allowWeakKeys: true)
        let client = EnvelopeClient()
        let message = try await client.encrypt(Fixtures.plaintext(10), keyring: keyring)
        #expect(try await client.decrypt(message.ciphertext, keyring: keyring).plaintext == Fixtures.plaintext(10))
    }
}
