import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Testing

/// Issue 15, point 2: PKCS #1 v1.5 unwrapping must not be a padding oracle. Bad padding, a
/// wrapped key of the wrong length and a key wrapped for another RSA key all end the same way:
/// the same error code and the same text, at the header authentication tag.
@Suite("RSA PKCS #1 v1.5 unwrap fails uniformly")
struct RSAUniformFailureTests {
    /// Encrypts like the RSA keyring, but stores `ciphertext` as the wrapped data key.
    struct ForgedEDKKeyring: EncryptionKeyring {
        let ciphertext: [UInt8]

        func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
            var materials = materials
            materials.plaintextDataKey = try RandomBytes.secure(count: materials.suite.dataKeyLength)
            materials.encryptedDataKeys.append(EncryptedDataKey(providerID: "rsa-ns", providerInfo: Array("rsa-key".utf8), ciphertext: ciphertext))
            return materials
        }
    }

    static let otherKey: RSAPrivateKey = try! RSAPrivateKey(generatingBits: 2048)

    /// A 256-byte number below the modulus (top bit clear) that is not a valid PKCS #1 v1.5 block
    /// once decrypted, with overwhelming probability.
    static func randomCiphertext() throws -> [UInt8] {
        var bytes = try RandomBytes.secure(count: 256).unprotectedCopy()
        bytes[0] &= 0x7F
        return bytes
    }

    /// The forged ciphertexts: random blocks (bad padding), valid PKCS #1 v1.5 encryptions of
    /// secrets of the wrong length, and 32-byte keys wrapped for another RSA key.
    static func forgeries() throws -> [(kind: String, ciphertext: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for _ in 0..<40 { out.append(("bad padding", try randomCiphertext())) }
        for length in [1, 16, 24, 31, 33, 48, 64, 128, 245] {
            let secret = try SecureBytes(copying: [UInt8](repeating: 0xA5, count: length))
            out.append(("wrong length \(length)", try Fixtures.rsaKey.publicKey.encrypt(secret, padding: .pkcs1)))
        }
        for _ in 0..<10 {
            let secret = try RandomBytes.secure(count: 32)
            out.append(("wrong key", try otherKey.publicKey.encrypt(secret, padding: .pkcs1)))
        }
        return out
    }

    @Test("Bad padding, wrong length and wrong key give the same error code and text")
    func uniformErrors() async throws {
        let client = EnvelopeClient()
        let keyring = try Fixtures.rsaKeyring(padding: .pkcs1)
        var seen: [String: [String]] = [:]
        for (kind, ciphertext) in try Self.forgeries() {
            let message = try await client.encrypt(Fixtures.plaintext(64), keyring: ForgedEDKKeyring(ciphertext: ciphertext)).ciphertext
            let error = await caughtError(EnvelopeError.self) { _ = try await client.decrypt(message, keyring: keyring) }
            guard let error else { continue }
            #expect(error.code == .authenticationFailed, "\(kind): \(error)")
            #expect(error.dataKeyFailures.isEmpty, "\(kind): \(error)")
            seen["\(error.code.rawValue) \(error.description)", default: []].append(kind)
        }
        #expect(seen.count == 1, "distinct outcomes: \(seen)")
        // A valid message still decrypts.
        let good = try await client.encrypt(Fixtures.plaintext(64), keyring: keyring)
        #expect(try await client.decrypt(good.ciphertext, keyring: keyring).plaintext == Fixtures.plaintext(64))
    }

    @Test("RSA keys under 2048 bits are refused by default", arguments: [RSAPadding.pkcs1, .oaepSHA256])
    func weakKeysRefused(padding: RSAPadding) throws {
        let weak = try RSAPrivateKey(generatingBits: 1024)
        #expect(throws: EnvelopeError.self) {
            try RawRSAKeyring(keyNamespace: "ns", keyName: "k", padding: padding, publicKey: weak.publicKey, privateKey: nil)
        }
        #expect(throws: EnvelopeError.self) {
            try RawRSAKeyring(keyNamespace: "ns", keyName: "k", padding: padding, publicKey: nil, privateKey: weak)
        }
    }
}
