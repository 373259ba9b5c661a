import Foundation
import Logging
import InMemoryTracing
import Testing
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
@testable import EnvelopeCore
#if canImport(Glibc)
import Glibc
#endif

// Issue 8, item 4: key material and plaintext never reach a log at any level, and secrets live in
// guarded memory that faults when touched outside its bounds and is gone after release.

/// A keyring over the local KMS (GenerateDataKey / Decrypt), standing in for the KMS keyring.
struct LocalKMSBridgeKeyring: Keyring {
    let client: LocalKMSClient
    let key: KMSKeyARN
    let context: [String: String]

    func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        var m = materials
        let r = try await client.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), encryptionContext: context, numberOfBytes: materials.suite.dataKeyLength))
        m.plaintextDataKey = r.plaintext
        m.encryptedDataKeys.append(EncryptedDataKey(providerID: "aws-kms", providerInfo: Array(key.description.utf8), ciphertext: r.ciphertextBlob))
        return m
    }

    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        var m = materials
        for edk in encryptedDataKeys where edk.providerID == "aws-kms" {
            let r = try await client.decrypt(DecryptRequest(ciphertextBlob: edk.ciphertext, keyId: .keyARN(key), encryptionContext: context))
            m.plaintextDataKey = r.plaintext
            return m
        }
        throw EnvelopeError(.unableToDecryptDataKey, "no aws-kms EDK")
    }
}

@Suite("Secrets: nothing secret in logs; guarded memory")
struct SecretHygieneTests {
    static let secretText = "PLAINTEXT-CANARY-7f3a9c-the-quick-brown-fox"

    @Test("encrypt and decrypt at trace level (raw AES, raw RSA, multi-keyring, local KMS; one-shot and streaming) log no key or plaintext, and neither do their spans")
    func traceLogsHoldNoSecrets() async throws {
        let capture = LogRecorder()
        let tracer = InMemoryTracer()
        let kms = try LocalKMS(logger: capture.logger("local-kms"))
        let story = try await CrossAccountStory.make(kms: kms)
        let kmsKeyring = LocalKMSBridgeKeyring(client: story.client(CrossAccountStory.user1), key: story.key, context: CrossAccountStory.context)
        let aesKey = (0..<32).map { UInt8($0) &* 7 &+ 3 }
        let aes = try RawAESKeyring(keyNamespace: "ns", keyName: "aes", wrappingKey: try SecureBytes(copying: aesKey))
        let rsaKey = try RSAPrivateKey(generatingBits: 2048)
        let rsa = try RawRSAKeyring(keyNamespace: "ns", keyName: "rsa", padding: .oaepSHA256, publicKey: rsaKey.publicKey, privateKey: rsaKey)
        let multi = try MultiKeyring(generator: aes, children: [rsa])
        let keyrings: [(String, any Keyring)] = [("aes", aes), ("rsa", rsa), ("multi", multi), ("local-kms", kmsKeyring)]
        let plaintext = Array((Self.secretText + String(repeating: "-more", count: 2000)).utf8)

        var secrets: [[UInt8]] = [aesKey, Array(Self.secretText.utf8)]
        var derivedKeys = 0
        for (name, keyring) in keyrings {
            for suite in [AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey, .aes128GCMHKDFSHA256, .aes256GCMNoKDF] {
                var client = EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptAllowDecrypt : .forbidEncryptAllowDecrypt,
                                            logger: capture.logger("client-\(name)"))
                client.observability = EnvelopeObservability(tracer: tracer)
                let tap = DataKeyTap(keyring)
                let encrypted = try await client.encrypt(plaintext, materialsManager: DefaultMaterialsManager(encryptionKeyring: tap),
                                                         encryptionContext: ["tenant": "t1"], suite: suite, frameLength: 1024)
                #expect(try await client.decrypt(encrypted.ciphertext, keyring: keyring).plaintext == plaintext)
                let streamed = await collectChunks(client.decryptStream(ChunkedBytes(encrypted.ciphertext, size: 700), keyring: keyring))
                #expect(streamed == plaintext)
                // A failing decrypt logs too (wrong context for the KMS key, tampered frame for all).
                var tampered = encrypted.ciphertext
                tampered[tampered.count - 40] ^= 1
                await #expect(throws: EnvelopeError.self) { _ = try await client.decrypt(tampered, keyring: keyring) }
                for dataKey in tap.dataKeys {
                    secrets.append(dataKey)
                    let derived = try KeyDerivation.derive(suite: suite, dataKey: try SecureBytes(copying: dataKey), messageID: encrypted.header.messageID)
                    secrets.append(derived.key.unprotectedCopy())
                    derivedKeys += 1
                }
            }
        }
        #expect(derivedKeys == 16)
        #expect(capture.count > 0, "the test must see log output, or it proves nothing")
        let text = capture.text
        #expect(text.contains("decrypting"))
        for secret in secrets {
            for spelling in spellings(secret) {
                #expect(!text.contains(spelling), "a secret appears in the logs")
            }
        }
        #expect(!text.contains("the-quick-brown-fox"))
        // The same scan over every span (message spans, including the failed decrypts').
        let spans = recordedText(of: tracer.finishedSpans)
        #expect(tracer.finishedSpans.count >= 16 * 3, "the test must see spans, or it proves nothing")
        for secret in secrets {
            for spelling in spellings(secret) {
                #expect(!spans.contains(spelling), "a secret appears in a span")
            }
        }
        #expect(!spans.contains("the-quick-brown-fox"))
    }

    #if canImport(Glibc)
    /// Reads `count` bytes at `address` through the kernel (write(2) into a pipe): nil when the
    /// memory is not readable (EFAULT: unmapped or a guard page). No signal, no fork, so it also
    /// works under the thread sanitizer.
    static func kernelRead(_ address: Int, count: Int) -> [UInt8]? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return [] }
        defer { close(fds[0]); close(fds[1]) }
        let n = write(fds[1], UnsafeRawPointer(bitPattern: address), count)
        if n < 0 { return errno == EFAULT ? nil : [] }
        var out = [UInt8](repeating: 0, count: n)
        _ = read(fds[0], &out, n)
        return out
    }

    /// Whether the kernel may write one byte at `address` (read(2) from a pipe into it); false on EFAULT.
    static func kernelCanWrite(_ address: Int, byte: UInt8) -> Bool {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        defer { close(fds[0]); close(fds[1]) }
        var b = byte
        _ = write(fds[1], &b, 1)
        return read(fds[0], UnsafeMutableRawPointer(bitPattern: address), 1) == 1
    }

    @Test("a released SecureBytes region is unmapped (the kernel cannot read it) or at least no longer holds the key")
    func freedRegionIsGone() throws {
        let key: [UInt8] = (0..<32).map { 0xC0 ^ UInt8($0) }
        var address = 0
        do {
            let secret = try SecureBytes(copying: key)
            address = secret.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
            #expect(Self.kernelRead(address, count: 32) == key)
        }
        // `secret` is released here: libsodium zeroes the region, then unmaps it with its guard pages.
        if let after = Self.kernelRead(address, count: 32) {
            // Another allocation may have reused the address; the key must not be there.
            #expect(after != key)
        }
    }

    // Keys of up to 64 bytes (data keys, derived keys, commitments) come from a pool of guarded,
    // locked chunks, sub-allocated and wiped per key (issue 14: no mmap + mprotect per key); page
    // protection cannot be per slot there. Larger secrets still get a region of their own: read-only
    // once initialised, with the guard page right after their last byte.
    @Test("a live SecureBytes larger than a pool slot is read-only and sits before a guard page")
    func guardedAndReadOnly() throws {
        let size = 96
        let secret = try SecureBytes(copying: [UInt8](repeating: 0x5A, count: size))
        let address = secret.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        #expect(Self.kernelRead(address, count: size) == [UInt8](repeating: 0x5A, count: size))
        // One byte past the end is the guard page.
        #expect(Self.kernelRead(address + size, count: 1) == nil)
        #expect(Self.kernelRead(address + size - 1, count: 2) == nil)
        // The region is read-only once initialised.
        #expect(!Self.kernelCanWrite(address, byte: 0))
        #expect(secret.withUnsafeBytes { $0[0] } == 0x5A)
        withExtendedLifetime(secret) {}
    }
    #endif
}

func collectChunks<S: AsyncSequence>(_ stream: S) async -> [UInt8]? where S.Element == [UInt8] {
    var out: [UInt8] = []
    do { for try await chunk in stream { out += chunk } } catch { return nil }
    return out
}
