import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Testing

/// The `maxFailedDecryptAttempts` setting of the KMS keyrings (issue 15, point 7).
@Suite("KMS failed-attempt limit setting")
struct KMSFailedAttemptsOptionTests {
    @Test("The limit is configurable, and a real key within it still decrypts")
    func configurable() async throws {
        let (key, transport, base) = try await KMSCallAmplificationTests.setup()
        #expect(base.maxFailedDecryptAttempts == kmsDefaultMaxFailedDecryptAttempts && kmsDefaultMaxFailedDecryptAttempts == 10)
        let forged = (0..<5).map { i in [UInt8](repeating: UInt8(i), count: 40) }
        let client = EnvelopeClient()
        let message = try await client.encrypt([1, 2, 3], keyring: KMSCallAmplificationTests.ForgingKeyring(real: base, key: key, forged: forged)).ciphertext
        var strict = base
        strict.maxFailedDecryptAttempts = 3
        transport.reset()
        _ = await caughtError(EnvelopeError.self) { _ = try await client.decrypt(message, keyring: strict) }
        #expect(transport.count(.decrypt) == 3)
        transport.reset()
        #expect(try await client.decrypt(message, keyring: base).plaintext == [1, 2, 3])
        #expect(transport.count(.decrypt) == 6)
        var discovery = try KMSDiscoveryKeyring(transport: transport, filter: .anyAccount)
        discovery.maxFailedDecryptAttempts = 2
        transport.reset()
        _ = await caughtError(EnvelopeError.self) { _ = try await client.decrypt(message, keyring: discovery) }
        #expect(transport.count(.decrypt) == 2)
    }
}
