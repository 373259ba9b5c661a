@testable import EnvelopeCrypto
import EnvelopeTestSupport
import Testing

/// Issue 14, item 6 (perf14b): the shortcuts of the small-message path give the same bytes as the
/// long way: an HKDF session that leaves OpenSSL's key in place between two expands, and AES-GCM
/// in one call on a pooled context.
@Suite("Small-message shortcuts")
struct OneCallTests {
    /// Two expands in a row keep OpenSSL's key only when the key object and the mode are the same;
    /// a different pseudorandom key (even with equal bytes elsewhere) or a mode change passes the key.
    @Test("HKDF session: expands from one key, then another, then the first again, equal the one-call results")
    func sessionKeepsKeyOnlyForTheSameKey() throws {
        let a = try SecureBytes(copying: [UInt8](repeating: 0x0b, count: 22))
        let b = try SecureBytes(copying: [UInt8](repeating: 0x0c, count: 22))
        let salt = hex("000102030405060708090a0b0c")
        let infos = [hex("f0f1f2f3f4f5f6f7f8f9"), Array("DERIVEKEY".utf8), Array("COMMITKEY".utf8)]
        let prkA = try salt.withUnsafeBytes { try HKDF.extract(hash: .sha512, inputKey: a, salt: $0) }
        let prkB = try salt.withUnsafeBytes { try HKDF.extract(hash: .sha512, inputKey: b, salt: $0) }
        func alone(_ prk: SecureBytes, _ info: [UInt8]) throws -> [UInt8] {
            try info.withUnsafeBytes { try HKDF.expandKey(hash: .sha512, pseudorandomKey: prk, info: $0, length: 32) }.unprotectedCopy()
        }
        let order: [(SecureBytes, [UInt8])] = [(prkA, infos[0]), (prkA, infos[1]), (prkB, infos[1]), (prkB, infos[2]), (prkA, infos[2]), (prkA, infos[0])]
        try HKDF.session(hash: .sha512) { kdf in
            for (prk, info) in order {
                let inSession = try info.withUnsafeBytes { try kdf.expandKey(pseudorandomKey: prk, info: $0, length: 32) }
                #expect(inSession.unprotectedCopy() == (try alone(prk, info)))
            }
            // An extract in between (another mode) and an expand again from the same key.
            let again = try salt.withUnsafeBytes { try kdf.extract(inputKey: a, salt: $0) }
            #expect(again.unprotectedCopy() == prkA.unprotectedCopy())
            let afterExtract = try infos[1].withUnsafeBytes { try kdf.expandKey(pseudorandomKey: prkA, info: $0, length: 32) }
            #expect(afterExtract.unprotectedCopy() == (try alone(prkA, infos[1])))
        }
        #expect(try alone(prkA, infos[1]) != (try alone(prkB, infos[1])))
    }

    @Test("AES-GCM in one call seals as a context does, opens, and zeroes the output on a wrong tag", arguments: [16, 24, 32])
    func oneCallSealOpen(keyLength: Int) throws {
        let key = try SecureBytes(copying: (0..<keyLength).map { UInt8($0 &* 3) })
        let iv = [UInt8](repeating: 5, count: AESGCM.ivLength)
        let aad = Array("one call".utf8)
        let plaintext = Array("a data key of thirty-two bytes!!".utf8)
        let reference = try AESGCMContext(key: key, direction: .seal).seal(plaintext, iv: iv, authenticating: aad)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: AESGCM.tagLength)
        try plaintext.withUnsafeBytes { p in
            try iv.withUnsafeBytes { i in
                try aad.withUnsafeBytes { a in
                    try ciphertext.withUnsafeMutableBytes { c in
                        try tag.withUnsafeMutableBytes { t in try AESGCM.seal(key: key, plaintext: p, iv: i, aad: a, ciphertext: c, tag: t) }
                    }
                }
            }
        }
        #expect(ciphertext == reference.ciphertext)
        #expect(tag == reference.tag)
        func open(_ tag: [UInt8], into out: inout [UInt8]) throws {
            try ciphertext.withUnsafeBytes { c in
                try tag.withUnsafeBytes { t in
                    try iv.withUnsafeBytes { i in
                        try aad.withUnsafeBytes { a in
                            try out.withUnsafeMutableBytes { try AESGCM.open(key: key, ciphertext: c, tag: t, iv: i, aad: a, plaintext: $0) }
                        }
                    }
                }
            }
        }
        var opened = [UInt8](repeating: 0, count: plaintext.count)
        try open(tag, into: &opened)
        #expect(opened == plaintext)
        var wrong = tag
        wrong[0] ^= 1
        var garbage = [UInt8](repeating: 0xAA, count: plaintext.count)
        #expect(throws: CryptoError.self) { try open(wrong, into: &garbage) }
        #expect(garbage.allSatisfy { $0 == 0 }, "no unauthenticated plaintext survives a failed open")
    }
}
