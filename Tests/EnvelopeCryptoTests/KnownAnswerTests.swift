import EnvelopeCrypto
import EnvelopeTestSupport
import Testing

@Suite("Known answers from the standards")
struct KnownAnswerTests {
    @Test("AES-256-GCM, NIST GCM test cases 13 and 14")
    func aesGCM() throws {
        let key = try SecureBytes(copying: [UInt8](repeating: 0, count: 32))
        let iv = [UInt8](repeating: 0, count: 12)
        let empty = try AESGCM.seal([], key: key, iv: iv, authenticating: [])
        #expect(hexString(empty.tag) == "530f8afbc74536b9a963b4f1c4cb738b")
        let block = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: key, iv: iv, authenticating: [])
        #expect(hexString(block.ciphertext) == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(hexString(block.tag) == "d0d1c8a799996bf0265b98b5d48ab919")
        let opened = try AESGCM.open(block.ciphertext, tag: block.tag, key: key, iv: iv, authenticating: [])
        #expect(opened == [UInt8](repeating: 0, count: 16))
    }

    @Test("AES-GCM refuses a flipped tag bit and leaves no plaintext behind")
    func aesGCMTamper() throws {
        let key = try RandomBytes.secure(count: 32)
        let iv = RandomBytes.array(count: 12)
        let sealed = try AESGCM.seal(Array("attack at dawn".utf8), key: key, iv: iv, authenticating: [1, 2, 3])
        var badTag = sealed.tag
        badTag[0] ^= 1
        let context = try AESGCMContext(key: key, direction: .open)
        var out = [UInt8](repeating: 0xAA, count: sealed.ciphertext.count)
        #expect(throws: CryptoError.self) {
            try sealed.ciphertext.withUnsafeBytes { c in
                try badTag.withUnsafeBytes { t in
                    try iv.withUnsafeBytes { i in
                        try [UInt8]([1, 2, 3]).withUnsafeBytes { a in
                            try out.withUnsafeMutableBytes { p in
                                try context.open(ciphertext: c, tag: t, iv: i, aad: a, plaintext: p)
                            }
                        }
                    }
                }
            }
        }
        #expect(out.allSatisfy { $0 == 0 })
        // The same context still works after a failure.
        let opened = try context.open(sealed.ciphertext, tag: sealed.tag, iv: iv, authenticating: [1, 2, 3])
        #expect(String(decoding: opened, as: UTF8.self) == "attack at dawn")
        #expect(throws: CryptoError.self) {
            try context.open(sealed.ciphertext, tag: sealed.tag, iv: iv, authenticating: [1, 2, 4])
        }
    }

    @Test("AES-GCM accepts 128-, 192- and 256-bit keys only")
    func aesKeySizes() throws {
        for size in [16, 24, 32] {
            let key = try RandomBytes.secure(count: size)
            let iv = RandomBytes.array(count: 12)
            let sealed = try AESGCM.seal([1, 2, 3], key: key, iv: iv, authenticating: [])
            #expect(try AESGCM.open(sealed.ciphertext, tag: sealed.tag, key: key, iv: iv, authenticating: []) == [1, 2, 3])
        }
        #expect(throws: CryptoError.self) { try AESGCMContext(key: try RandomBytes.secure(count: 20), direction: .seal) }
    }

    @Test("HKDF-SHA256, RFC 5869 test case 1")
    func hkdf() throws {
        let ikm = try SecureBytes(copying: [UInt8](repeating: 0x0b, count: 22))
        let okm = try HKDF.deriveKey(hash: .sha256, inputKey: ikm, salt: hex("000102030405060708090a0b0c"),
                                     info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(hexString(okm.unprotectedCopy()) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test("HKDF-SHA256 extract then expand, RFC 5869 test case 1 (PRK and OKM)")
    func hkdfExtractExpand() throws {
        let ikm = try SecureBytes(copying: [UInt8](repeating: 0x0b, count: 22))
        let prk = try hex("000102030405060708090a0b0c").withUnsafeBytes { try HKDF.extract(hash: .sha256, inputKey: ikm, salt: $0) }
        #expect(hexString(prk.unprotectedCopy()) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        let okm = try hex("f0f1f2f3f4f5f6f7f8f9").withUnsafeBytes { try HKDF.expandKey(hash: .sha256, pseudorandomKey: prk, info: $0, length: 42) }
        #expect(hexString(okm.unprotectedCopy()) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test("SHA-384 and HMAC-SHA256 (FIPS 180 'abc', RFC 4231 case 2)")
    func digests() throws {
        #expect(hexString(try HashFunction.sha384.digest(Array("abc".utf8))) ==
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        let incremental = try IncrementalHash(.sha384)
        incremental.update(Array("a".utf8))
        incremental.update(Array("bc".utf8))
        #expect(try incremental.finalize() == HashFunction.sha384.digest(Array("abc".utf8)))
        #expect(hexString(try HashFunction.sha256.hmac(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))) ==
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("ECDSA sign and verify with compressed public points", arguments: [ECDSACurve.p256, .p384])
    func ecdsa(curve: ECDSACurve) throws {
        let key = try ECDSAPrivateKey(generatingOn: curve)
        let point = try key.compressedPublicKey()
        #expect(point.count == curve.compressedPointLength)
        #expect(point[0] == 2 || point[0] == 3)
        let digest = try curve.hash.digest(Array("message".utf8))
        let signature = try key.signature(forDigest: digest)
        let publicKey = try ECDSAPublicKey(point: point, curve: curve)
        #expect(publicKey.isValidSignature(signature, forDigest: digest))
        var other = digest
        other[0] ^= 1
        #expect(!publicKey.isValidSignature(signature, forDigest: other))
        #expect(throws: CryptoError.self) { try ECDSAPublicKey(point: [UInt8](repeating: 7, count: point.count), curve: curve) }
    }

    @Test("RSA wraps and unwraps with every padding", arguments: RSAPadding.allCases)
    func rsa(padding: RSAPadding) throws {
        let privateKey = try RSAPrivateKey(generatingBits: 2048)
        let publicKey = try RSAPublicKey(pem: privateKey.publicKey.pem())
        let secret = try RandomBytes.secure(count: 32)
        let wrapped = try publicKey.encrypt(secret, padding: padding)
        #expect(wrapped.count == 256)
        #expect(try privateKey.decrypt(wrapped, padding: padding) == secret)
        let reloaded = try RSAPrivateKey(pem: privateKey.privatePEM())
        #expect(try reloaded.decrypt(wrapped, padding: padding) == secret)
    }

    @Test("SecureBytes never prints its contents and compares in constant time")
    func secureBytes() throws {
        let a = try SecureBytes(copying: [1, 2, 3])
        #expect(a.description == "SecureBytes(3 bytes, redacted)")
        #expect(a == (try SecureBytes(copying: [1, 2, 3])))
        #expect(a != (try SecureBytes(copying: [1, 2, 4])))
        var source: [UInt8] = [9, 9, 9]
        let b = try SecureBytes(consuming: &source)
        #expect(source == [0, 0, 0])
        #expect(b.unprotectedCopy() == [9, 9, 9])
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
    }
}

@Suite("SecureBytes lifetime")
struct SecureBytesLifetimeTests {
    struct Refused: Error {}

    @Test("An initializer that throws frees the guarded memory exactly once")
    func throwingInitializer() {
        for _ in 0..<100 {
            #expect(throws: Refused.self) {
                _ = try SecureBytes(count: 32) { buffer in
                    buffer.storeBytes(of: 0xAB, as: UInt8.self)
                    throw Refused()
                }
            }
        }
    }
}
