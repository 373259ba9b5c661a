import EnvelopeCrypto
@testable import EnvelopeCore
import EnvelopeTestSupport
import Foundation
import Testing

/// Issue 15, point 3: `DecryptionLimits.refuseSignedSuites` fails right after the header of a
/// signed message: no keyring call, no plaintext, on every decrypt path.
@Suite("Refusing signed suites")
struct RefuseSignedSuitesTests {
    /// Counts decrypt calls to the wrapped keyring.
    final class CountingKeyring: DecryptionKeyring, @unchecked Sendable {
        let inner: RawAESKeyring
        private let lock = NSLock()
        private var calls = 0
        init(_ inner: RawAESKeyring) { self.inner = inner }
        var count: Int { lock.withLock { calls } }
        func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
            lock.withLock { calls += 1 }
            return try await inner.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
        }
    }

    static func refusingClient() -> EnvelopeClient {
        var client = EnvelopeClient()
        client.limits.refuseSignedSuites = true
        return client
    }

    @Test("A signed message is refused after its header, one-shot and streaming", arguments: [
        AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384,
    ])
    func signedRefused(suite: AlgorithmSuite) async throws {
        let aes = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(10_000)
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: aes, suite: suite, frameLength: 1000).ciphertext
        let keyring = CountingKeyring(aes)
        let client = Self.refusingClient()
        _ = await expectEnvelopeError(.signedSuiteRefused) { _ = try await client.decrypt(message, keyring: keyring) }
        let (chunks, error) = await collect(client.decryptStream(ChunkedBytes(message, sizes: [7, 100, 5000]), keyring: keyring))
        #expect(chunks.isEmpty)
        #expect((error as? EnvelopeError)?.code == .signedSuiteRefused)
        #expect(keyring.count == 0, "no key work for a refused message")
    }

    @Test("Unsigned messages decrypt as usual")
    func unsignedAccepted() async throws {
        let aes = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(5000)
        let message = try await EnvelopeClient().encrypt(plaintext, keyring: aes, suite: .aes256GCMHKDFSHA512CommitKey, frameLength: 1000).ciphertext
        let client = Self.refusingClient()
        #expect(try await client.decrypt(message, keyring: aes).plaintext == plaintext)
        let (chunks, error) = await collect(client.decryptStream(ChunkedBytes(message, sizes: [13]), keyring: aes))
        #expect(error == nil)
        #expect(chunks.flatMap { $0 } == plaintext)
    }

    @Test("A signed file is refused and no output appears")
    func signedFileRefused() async throws {
        let aes = try Fixtures.aesKeyring()
        let message = try await EnvelopeClient().encrypt(Fixtures.plaintext(3000), keyring: aes).ciphertext
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("refuse-signed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("m.enc"), output = directory.appendingPathComponent("m.out")
        try Data(message).write(to: input)
        _ = await expectEnvelopeError(.signedSuiteRefused) { _ = try await Self.refusingClient().decryptFile(at: input, to: output, keyring: aes) }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
