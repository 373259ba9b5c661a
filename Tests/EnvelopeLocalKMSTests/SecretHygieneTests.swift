import Foundation
import Logging
import Testing
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
@testable import EnvelopeCore
#if canImport(Glibc)
import Glibc
#endif

// Issue 8, item 4: key material and plaintext never reach a log at any level, and secrets live in
// guarded memory that faults when touched outside its bounds and is gone after release.

/// Keeps every log line (message, metadata, source) of every logger made from it.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
    var count: Int { lock.withLock { lines.count } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { label in Handler(label: label, capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let all = self.metadata.merging(explicit ?? [:]) { $1 }
            capture.append("\(level) \(label) \(source) \(message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}

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

/// Records every data key a keyring produced (a test-only tap; the secret is copied to scan for it).
final class DataKeyTap: EncryptionKeyring, @unchecked Sendable {
    let base: any EncryptionKeyring
    private let lock = NSLock()
    private var keys: [[UInt8]] = []
    var dataKeys: [[UInt8]] { lock.withLock { keys } }
    init(_ base: any EncryptionKeyring) { self.base = base }
    func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        let m = try await base.onEncrypt(materials)
        if let key = m.plaintextDataKey { lock.withLock { keys.append(key.unprotectedCopy()) } }
        return m
    }
}

/// The spellings a secret could take in a log line.
func spellings(_ secret: [UInt8]) -> [String] {
    let hex = secret.map { String(format: "%02x", $0) }.joined()
    let data = Data(secret)
    return [hex, hex.uppercased(), data.base64EncodedString(), data.base64EncodedString().replacingOccurrences(of: "=", with: ""),
            secret.map { String($0) }.joined(separator: ", ")]
}

@Suite("Secrets: nothing secret in logs; guarded memory")
struct SecretHygieneTests {
    static let secretText = "PLAINTEXT-CANARY-7f3a9c-the-quick-brown-fox"

    @Test("encrypt and decrypt at trace level (raw AES, raw RSA, multi-keyring, local KMS; one-shot and streaming) log no key or plaintext")
    func traceLogsHoldNoSecrets() async throws {
        let capture = LogCapture()
        let kms = try LocalKMS(logger: capture.logger("local-kms"))
        let story = try await Story.make(kms: kms)
        let kmsKeyring = LocalKMSBridgeKeyring(client: story.client(Story.user1), key: story.key, context: Story.context)
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
                let client = EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptAllowDecrypt : .forbidEncryptAllowDecrypt,
                                            logger: capture.logger("client-\(name)"))
                let tap = DataKeyTap(keyring)
                let encrypted = try await client.encrypt(plaintext, materialsManager: DefaultMaterialsManager(encryptionKeyring: tap),
                                                         encryptionContext: ["tenant": "t1"], suite: suite, frameLength: 1024)
                #expect(try await client.decrypt(encrypted.ciphertext, keyring: keyring).plaintext == plaintext)
                let streamed = await collectChunks(client.decryptStream(ChunkedStream(encrypted.ciphertext, size: 700), keyring: keyring))
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
    }

    #if canImport(Glibc)
    /// Runs `body` in a forked child; returns the signal that killed it, or nil and the bytes it wrote.
    /// The child only touches memory and calls write/_exit (async-signal-safe after fork).
    static func inChild(_ body: @escaping (Int32) -> Void) -> (signal: Int32?, output: [UInt8]) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (nil, []) }
        let pid = fork()
        if pid == 0 {
            // Die quietly on the expected fault (no Swift backtrace from the child).
            signal(SIGSEGV, SIG_DFL)
            signal(SIGBUS, SIG_DFL)
            close(fds[0])
            body(fds[1])
            _exit(0)
        }
        close(fds[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        close(fds[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        return (signaled ? status & 0x7f : nil, output)
    }

    @Test("a released SecureBytes region is unmapped (reading it faults) or at least no longer holds the key")
    func freedRegionIsGone() throws {
        let key: [UInt8] = (0..<32).map { 0xC0 ^ UInt8($0) }
        var address = 0
        do {
            let secret = try SecureBytes(copying: key)
            address = secret.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
            #expect(secret.withUnsafeBytes { Array($0) } == key)
        }
        // `secret` is released here: libsodium zeroes the region, then unmaps it with its guard pages.
        let result = Self.inChild { fd in
            let p = UnsafeRawPointer(bitPattern: address)!
            var copy = [UInt8](repeating: 0, count: 32)
            for i in 0..<32 { copy[i] = p.load(fromByteOffset: i, as: UInt8.self) }
            _ = write(fd, copy, 32)
        }
        if let signal = result.signal {
            #expect(signal == SIGSEGV || signal == SIGBUS)
        } else {
            // Another allocation may have reused the address; the key must not be there.
            #expect(result.output.count == 32)
            #expect(result.output != key)
        }
    }

    @Test("a live SecureBytes is read-only and sits before a guard page")
    func guardedAndReadOnly() throws {
        let secret = try SecureBytes(copying: [UInt8](repeating: 0x5A, count: 32))
        let address = secret.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        // Reading inside the region works in the child.
        let ok = Self.inChild { fd in
            let byte = UnsafeRawPointer(bitPattern: address)!.load(fromByteOffset: 31, as: UInt8.self)
            _ = withUnsafeBytes(of: byte) { write(fd, $0.baseAddress, 1) }
        }
        #expect(ok.signal == nil)
        #expect(ok.output == [0x5A])
        // One byte past the end is the guard page.
        let overflow = Self.inChild { fd in
            let byte = UnsafeRawPointer(bitPattern: address)!.load(fromByteOffset: 32, as: UInt8.self)
            _ = withUnsafeBytes(of: byte) { write(fd, $0.baseAddress, 1) }
        }
        #expect(overflow.signal == SIGSEGV || overflow.signal == SIGBUS)
        // Writing into the (read-only) region faults.
        let store = Self.inChild { _ in
            UnsafeMutableRawPointer(bitPattern: address)!.storeBytes(of: 0, toByteOffset: 0, as: UInt8.self)
        }
        #expect(store.signal == SIGSEGV || store.signal == SIGBUS)
        withExtendedLifetime(secret) {}
    }
    #endif
}

/// Chunks for streaming decrypt.
struct ChunkedStream: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    let size: Int
    init(_ bytes: [UInt8], size: Int) { self.bytes = bytes; self.size = size }
    struct Iterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let size: Int
        var offset = 0
        mutating func next() async -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + size, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }
    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes, size: size) }
}

func collectChunks<S: AsyncSequence>(_ stream: S) async -> [UInt8]? where S.Element == [UInt8] {
    var out: [UInt8] = []
    do { for try await chunk in stream { out += chunk } } catch { return nil }
    return out
}
