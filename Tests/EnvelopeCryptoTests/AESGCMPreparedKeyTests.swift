@testable import EnvelopeCrypto
import EnvelopeTestSupport
import Testing

/// Issue 14 (perf14c): a prepared key (contexts keyed once, kept with the key) gives the bytes of a
/// fresh context in both directions, in any order, after a failure, and from several threads.
@Suite("AES-GCM prepared key")
struct AESGCMPreparedKeyTests {
    struct Sealed: Equatable { var ciphertext: [UInt8]; var tag: [UInt8] }

    static func seal(_ key: AESGCMPreparedKey, _ plaintext: [UInt8], iv: [UInt8], aad: [UInt8]) throws -> Sealed {
        var out = Sealed(ciphertext: [UInt8](repeating: 0, count: plaintext.count), tag: [UInt8](repeating: 0, count: AESGCM.tagLength))
        try plaintext.withUnsafeBytes { p in
            try iv.withUnsafeBytes { i in
                try aad.withUnsafeBytes { a in
                    try out.ciphertext.withUnsafeMutableBytes { c in
                        try out.tag.withUnsafeMutableBytes { t in try key.seal(plaintext: p, iv: i, aad: a, ciphertext: c, tag: t) }
                    }
                }
            }
        }
        return out
    }

    static func open(_ key: AESGCMPreparedKey, _ sealed: Sealed, iv: [UInt8], aad: [UInt8], into out: inout [UInt8]) throws {
        try sealed.ciphertext.withUnsafeBytes { c in
            try sealed.tag.withUnsafeBytes { t in
                try iv.withUnsafeBytes { i in
                    try aad.withUnsafeBytes { a in
                        try out.withUnsafeMutableBytes { try key.open(ciphertext: c, tag: t, iv: i, aad: a, plaintext: $0) }
                    }
                }
            }
        }
    }

    @Test("seals as a fresh context does, opens on the same contexts, and survives a wrong tag", arguments: [16, 24, 32])
    func sealOpenBothWays(keyLength: Int) throws {
        let secret = try SecureBytes(copying: (0..<keyLength).map { UInt8($0 &* 7) })
        let key = try AESGCMPreparedKey(secret)
        #expect(key.count == keyLength)
        let plaintext = Array("a data key of thirty-two bytes!!".utf8)
        let aad = Array("prepared".utf8)
        // Seal, open, seal again with other IVs: every result equals a fresh context's.
        for round in 0..<3 {
            let iv = [UInt8](repeating: UInt8(round), count: AESGCM.ivLength)
            let reference = try AESGCMContext(key: secret, direction: .seal).seal(plaintext, iv: iv, authenticating: aad)
            let sealed = try Self.seal(key, plaintext, iv: iv, aad: aad)
            #expect(sealed == Sealed(ciphertext: reference.ciphertext, tag: reference.tag))
            var opened = [UInt8](repeating: 0, count: plaintext.count)
            try Self.open(key, sealed, iv: iv, aad: aad, into: &opened)
            #expect(opened == plaintext)
            // A wrong tag throws and zeroes the output; the key keeps working afterwards.
            var wrong = sealed
            wrong.tag[0] ^= 1
            var garbage = [UInt8](repeating: 0xAA, count: plaintext.count)
            #expect(throws: CryptoError.self) { try Self.open(key, wrong, iv: iv, aad: aad, into: &garbage) }
            #expect(garbage.allSatisfy { $0 == 0 }, "no unauthenticated plaintext survives a failed open")
        }
    }

    @Test("a key of the wrong length is refused")
    func wrongLength() throws {
        #expect(throws: CryptoError.self) { try AESGCMPreparedKey(try SecureBytes(copying: [UInt8](repeating: 1, count: 20))) }
    }

    @Test("concurrent seals on one key each get the bytes of a fresh context")
    func concurrentSeals() async throws {
        let secret = try SecureBytes(copying: [UInt8](repeating: 9, count: 32))
        let key = try AESGCMPreparedKey(secret)
        let aad = Array("threads".utf8)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<50 {
                        let iv = [UInt8](repeating: UInt8(truncatingIfNeeded: task * 50 + i), count: AESGCM.ivLength)
                        let plaintext = [UInt8](repeating: UInt8(task), count: 32)
                        let reference = try AESGCMContext(key: secret, direction: .seal).seal(plaintext, iv: iv, authenticating: aad)
                        guard try Self.seal(key, plaintext, iv: iv, aad: aad) == Sealed(ciphertext: reference.ciphertext, tag: reference.tag) else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
