import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

@Suite("Error reports")
struct ErrorReportTests {
    @Test("a decrypt no keyring could serve lists every EDK with provider id, key name and reason")
    func unableToDecryptReport() async throws {
        let encryptWith = try MultiKeyring(generator: try Fixtures.aesKeyring(namespace: "ns-a", name: "key-a"),
                                           children: [try Fixtures.rsaKeyring(name: "rsa-b"), try Fixtures.aesKeyring(bits: 128, namespace: "ns-c", name: "key-c")])
        let client = EnvelopeClient()
        let message = try await client.encrypt([1, 2, 3], keyring: encryptWith).ciphertext
        // Same names but wrong keys for a; unrelated namespace otherwise.
        let decryptWith = try MultiKeyring(generator: try Fixtures.aesKeyring(namespace: "ns-a", name: "key-a", seed: 200),
                                           children: [try Fixtures.aesKeyring(namespace: "other", name: "z")])
        let error = try #require(await expectEnvelopeError(.unableToDecryptDataKey) { _ = try await client.decrypt(message, keyring: decryptWith) })
        let failures = error.dataKeyFailures
        for (provider, name) in [("ns-a", "key-a"), ("rsa-ns", "rsa-b"), ("ns-c", "key-c")] {
            let mine = failures.filter { $0.providerID == provider && $0.keyName == name }
            #expect(mine.count == 2, "\(provider)/\(name): one entry per keyring")
            #expect(mine.allSatisfy { !$0.reason.isEmpty })
            #expect(error.description.contains(provider) && error.description.contains(name))
        }
        let wrongKey = try #require(failures.first { $0.providerID == "ns-a" && $0.keyring.contains("ns-a/key-a") })
        #expect(wrongKey.reason.contains("unwrap failed"))
        #expect(failures.contains { $0.providerID == "rsa-ns" && $0.reason.contains("namespace") })
        #expect(error.message.contains("3 encrypted data key"))
        #expect(error.causes.count == 2)
        print(error)
    }

    @Test("errors carry a code, an actionable message, and causes")
    func shape() async throws {
        let keyring = try Fixtures.aesKeyring()
        let message = try await EnvelopeClient().encrypt([1], keyring: keyring).ciphertext
        var tampered = message
        tampered[tampered.count - 120] ^= 0x80
        let error = try #require(await expectEnvelopeError(.authenticationFailed) { _ = try await EnvelopeClient().decrypt(tampered, keyring: keyring) })
        #expect(error.message.contains("did not verify"))
        #expect(EnvelopeError.Code(rawValue: "custom") != .io)
    }
}
