@testable import EnvelopeCrypto
import Testing

/// Issue 15, point 4: a context whose key set-up fails must release its OpenSSL context exactly
/// once. (Before the fix the failure path freed it and `deinit` freed it again: the second
/// `EVP_CIPHER_CTX_free` read the freed block and crashed the process or corrupted the heap.)
@Suite("AES-GCM context life cycle")
struct AESGCMContextTests {
    @Test("A failed key set-up throws and frees the OpenSSL context once; contexts made afterwards work")
    func failedKeySetUpFreesOnce() throws {
        // AES-XTS refuses, when encrypting, a key whose two halves are equal: EVP_CipherInit_ex
        // fails after EVP_CIPHER_CTX_new succeeded, which is the path under test.
        let xts = try #require(FetchedAlgorithms.fetchCipher("AES-256-XTS"))
        let duplicatedHalves = try SecureBytes(copying: [UInt8](repeating: 0x5A, count: 64))
        for _ in 0..<256 {
            #expect(throws: CryptoError.self) {
                _ = try AESGCMContext(key: duplicatedHalves, direction: .seal, cipher: xts, pool: nil)
            }
        }
        // The heap is intact: new contexts seal and open as usual.
        let key = try SecureBytes(copying: (0..<32).map { UInt8($0) })
        let iv = [UInt8](repeating: 1, count: AESGCM.ivLength)
        for _ in 0..<16 {
            let sealed = try AESGCMContext(key: key, direction: .seal).seal(Array("frame".utf8), iv: iv, authenticating: [9])
            let opened = try AESGCMContext(key: key, direction: .open).open(sealed.ciphertext, tag: sealed.tag, iv: iv, authenticating: [9])
            #expect(opened == Array("frame".utf8))
        }
    }
}
