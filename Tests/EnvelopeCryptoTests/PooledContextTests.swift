@testable import EnvelopeCrypto
import EnvelopeTestSupport
import Testing

/// Issue 14, item 6: OpenSSL contexts are kept in pools and re-keyed, random bytes come from a
/// reserve. Reuse must never carry anything of one call into the next.
@Suite("Pooled OpenSSL contexts and the random reserve")
struct PooledContextTests {
    // RFC 5869 appendix A.1 and A.3 (HKDF-SHA256). Case 3 has an empty salt and an empty info.
    static let ikm = [UInt8](repeating: 0x0b, count: 22)
    static let case1 = (salt: hex("000102030405060708090a0b0c"), info: hex("f0f1f2f3f4f5f6f7f8f9"),
                        prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                        okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    static let case3 = (salt: [UInt8](), info: [UInt8](),
                        prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                        okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")

    @Test("HKDF on one reused context: an empty salt or info after a non-empty one gives RFC 5869's bytes, in every mode")
    func hkdfReuseKeepsNothing() throws {
        let ikm = try SecureBytes(copying: Self.ikm)
        try HKDF.session(hash: .sha256) { kdf in
            for c in [Self.case1, Self.case3, Self.case1, Self.case3, Self.case3, Self.case1] {
                let okm = try c.salt.withUnsafeBytes { s in
                    try c.info.withUnsafeBytes { i in try kdf.deriveKey(inputKey: ikm, salt: s, info: i, length: 42) }
                }
                #expect(hexString(okm.unprotectedCopy()) == c.okm)
                let prk = try c.salt.withUnsafeBytes { try kdf.extract(inputKey: ikm, salt: $0) }
                #expect(hexString(prk.unprotectedCopy()) == c.prk)
                let expanded = try c.info.withUnsafeBytes { try kdf.expandKey(pseudorandomKey: prk, info: $0, length: 42) }
                #expect(hexString(expanded.unprotectedCopy()) == c.okm)
            }
        }
        // Across sessions the pooled contexts are reused too (same thread: the one just returned).
        for c in [Self.case3, Self.case1, Self.case3] {
            let okm = try HKDF.deriveKey(hash: .sha256, inputKey: ikm, salt: c.salt, info: c.info, length: 42)
            #expect(hexString(okm.unprotectedCopy()) == c.okm)
        }
        #expect(hkdfContextPools.pool(for: .sha256).idleCount >= 1)
    }

    @Test("A pooled AES-GCM context re-keyed for another key and direction gives the same bytes as a fresh one")
    func gcmReuse() throws {
        let keys = try (0..<3).map { i in try SecureBytes(copying: (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }) }
        let iv = [UInt8](repeating: 3, count: AESGCM.ivLength)
        let plaintext = Array("pooled contexts are re-keyed, never re-created".utf8)
        // A context freed outside any pool (the reference) against pooled ones, alternating keys
        // and directions so every pooled context had another key and direction before.
        let cipher = try #require(FetchedAlgorithms.aesGCM(keyLength: 32))
        for round in 0..<6 {
            let key = keys[round % 3]
            let reference = try AESGCMContext(key: key, direction: .seal, cipher: cipher, pool: nil)
                .seal(plaintext, iv: iv, authenticating: [UInt8(round)])
            let pooled = try AESGCMContext(key: key, direction: .seal).seal(plaintext, iv: iv, authenticating: [UInt8(round)])
            #expect(pooled.ciphertext == reference.ciphertext)
            #expect(pooled.tag == reference.tag)
            let opened = try AESGCMContext(key: key, direction: .open).open(pooled.ciphertext, tag: pooled.tag, iv: iv, authenticating: [UInt8(round)])
            #expect(opened == plaintext)
            // The previous key no longer opens anything.
            let other = keys[(round + 1) % 3]
            #expect(throws: CryptoError.self) {
                _ = try AESGCMContext(key: other, direction: .open).open(pooled.ciphertext, tag: pooled.tag, iv: iv, authenticating: [UInt8(round)])
            }
        }
        #expect(GCMContextPool.aes256.idleCount >= 1)
    }

    @Test("The random reserve hands out each byte once and wipes it from its block")
    func reserveHandsOutOnce() throws {
        let reserve = RandomReserve(guarded: true)
        var first = [UInt8](repeating: 0, count: 40)
        first.withUnsafeMutableBytes { reserve.take(into: $0) }
        let upcoming = reserve.peek(40)
        #expect(upcoming.count == 40)
        var second = [UInt8](repeating: 0, count: 40)
        second.withUnsafeMutableBytes { reserve.take(into: $0) }
        #expect(second == upcoming)
        #expect(second != first)
        // Many draws across several refills: no 16-byte value comes out twice.
        var seen = Set<[UInt8]>()
        var block = [UInt8](repeating: 0, count: 16)
        for _ in 0..<(3 * RandomReserve.blockSize / 16) {
            block.withUnsafeMutableBytes { reserve.take(into: $0) }
            #expect(seen.insert(block).inserted)
        }
    }

    @Test("After a fork the child discards what the parent had not handed out yet")
    func reserveDiscardsInForkChild() throws {
        let reserve = RandomReserve(guarded: false)
        var one = [UInt8](repeating: 0, count: 1)
        one.withUnsafeMutableBytes { reserve.take(into: $0) }
        let parentWouldGet = reserve.peek(32)
        #expect(parentWouldGet.count == 32)
        reserve.simulateForkChild()
        #expect(reserve.peek(32).isEmpty)
        var child = [UInt8](repeating: 0, count: 32)
        child.withUnsafeMutableBytes { reserve.take(into: $0) }
        #expect(child != parentWouldGet)
    }
}
