import Foundation
import Testing
import EnvelopeCrypto
import EnvelopeTestSupport
@testable import EnvelopeCore

/// The raw ECDH keyrings: the three schemas across curves, the exact encrypted-data-key layout,
/// and each way a decrypt must fail (another key pair, a changed commitment key, wrapped key or
/// encryption context, a key already present).
@Suite("Raw ECDH keyrings")
struct RawECDHKeyringTests {
    let client = EnvelopeClient()
    let plaintext = Array("raw ECDH: agree on a key, wrap the data key".utf8)
    let context: EncryptionContext = ["purpose": "raw ecdh test"]

    struct Parties {
        let alice: ECDHPrivateKey
        let bob: ECDHPrivateKey
        init(_ curve: ECDHCurve) throws {
            alice = try ECDHPrivateKey(generatingOn: curve)
            bob = try ECDHPrivateKey(generatingOn: curve)
        }
    }

    @Test("static, ephemeral and discovery keyrings read each other's messages as the schemas allow", arguments: ECDHCurve.allCases)
    func schemas(curve: ECDHCurve) async throws {
        let p = try Parties(curve)
        let aliceToBob = try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: p.bob.publicKey)
        let bobToAlice = try RawECDHKeyring(senderPrivateKey: p.bob, recipientPublicKey: p.alice.publicKey)
        let bobDiscovery = RawECDHDiscoveryKeyring(recipientPrivateKey: p.bob)
        let aliceDiscovery = RawECDHDiscoveryKeyring(recipientPrivateKey: p.alice)
        let toBob = RawECDHEphemeralKeyring(recipientPublicKey: p.bob.publicKey)

        let fromAlice = try await client.encrypt(plaintext, keyring: aliceToBob, encryptionContext: context)
        for reader in [aliceToBob, bobToAlice, bobDiscovery] as [any DecryptionKeyring] {
            #expect(try await client.decrypt(fromAlice.ciphertext, keyring: reader).plaintext == plaintext, "\(reader)")
        }
        await #expect(throws: EnvelopeError.self, "Alice's discovery keyring read a message addressed to Bob") {
            _ = try await client.decrypt(fromAlice.ciphertext, keyring: aliceDiscovery)
        }

        let ephemeral = try await client.encrypt(plaintext, keyring: toBob, encryptionContext: context)
        #expect(try await client.decrypt(ephemeral.ciphertext, keyring: bobDiscovery).plaintext == plaintext)
        // A static keyring accepts only its two key pairs; the ephemeral sender is neither.
        await #expect(throws: EnvelopeError.self) { _ = try await client.decrypt(ephemeral.ciphertext, keyring: bobToAlice) }
        // Two ephemeral messages use two sender keys.
        let again = try await client.encrypt(plaintext, keyring: toBob, encryptionContext: context)
        #expect(ephemeral.encryptedDataKeys[0].providerInfo != again.encryptedDataKeys[0].providerInfo)
    }

    @Test("the encrypted data key is laid out as specified", arguments: ECDHCurve.allCases)
    func layout(curve: ECDHCurve) async throws {
        let p = try Parties(curve)
        let keyring = try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: p.bob.publicKey)
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let materials = try await keyring.onEncrypt(EncryptionMaterials(suite: suite, encryptionContext: context))
        let edk = try #require(materials.encryptedDataKeys.first)
        #expect(edk.providerID == "raw-ecdh")
        let n = UInt8(curve.compressedPointLength)
        let expectedInfo = [0x01, 0, 0, 0, n] + p.bob.publicKey.compressedPoint + [0, 0, 0, n] + p.alice.publicKey.compressedPoint
        #expect(edk.providerInfo == expectedInfo)
        #expect(edk.ciphertext.count == 32 + 32 + suite.dataKeyLength + 16)
        // The MPL's provider info lengths: 75, 107, 143 bytes.
        #expect(edk.providerInfo.count == [ECDHCurve.p256: 75, .p384: 107, .p521: 143][curve])
    }

    @Test("the spec's FixedInfo: label, curve, KDF name, sender ‖ recipient, version, context, separated by zero bytes")
    func fixedInfo() {
        let info = RawECDHWrapping.fixedInfo(curve: .p384, sender: [0xAA, 0xAB], recipient: [0xBB], serializedContext: [0xCC, 0xCD])
        #expect(info == Array("ecdh-key-derivation".utf8) + [0] + Array("p384".utf8) + [0] + Array("HMAC_SHA384".utf8) + [0]
            + [0xAA, 0xAB, 0xBB] + [0, 0x01, 0] + [0xCC, 0xCD])
    }

    /// Decrypts `edk` alone with `keyring` and returns the one failure reason.
    func failureReason(_ keyring: any DecryptionKeyring, _ edk: EncryptedDataKey, context: EncryptionContext? = nil) async throws -> String? {
        let materials = DecryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKey, encryptionContext: context ?? self.context)
        do {
            _ = try await keyring.onDecrypt(materials, encryptedDataKeys: [edk])
            return nil
        } catch let error as EnvelopeError {
            #expect(error.code == .unableToDecryptDataKey)
            return error.dataKeyFailures.first?.reason
        }
    }

    @Test("changed commitment key, wrapped key, context, version or keys each fail with their own reason")
    func tampering() async throws {
        let p = try Parties(.p256)
        let keyring = try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: p.bob.publicKey)
        let materials = try await keyring.onEncrypt(EncryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKey, encryptionContext: context))
        let edk = materials.encryptedDataKeys[0]
        let good = try await keyring.onDecrypt(DecryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKey, encryptionContext: context), encryptedDataKeys: [edk])
        #expect(good.plaintextDataKey == materials.plaintextDataKey)

        func edit(_ change: (inout EncryptedDataKey) -> Void) -> EncryptedDataKey { var e = edk; change(&e); return e }
        #expect(try await failureReason(keyring, edit { $0.ciphertext[40] ^= 1 })?.contains("commitment key") == true)
        #expect(try await failureReason(keyring, edit { $0.ciphertext[3] ^= 1 })?.contains("commitment key") == true, "the derivation nonce is bound")
        #expect(try await failureReason(keyring, edit { $0.ciphertext[70] ^= 1 })?.contains("AES-GCM") == true)
        #expect(try await failureReason(keyring, edk, context: ["purpose": "other"])?.contains("commitment key") == true)
        #expect(try await failureReason(keyring, edit { $0.ciphertext.removeLast() })?.contains("bytes") == true)
        #expect(try await failureReason(keyring, edit { $0.providerInfo[0] = 2 })?.contains("version 1") == true)
        #expect(try await failureReason(keyring, edit { $0.providerID = "raw-ecdhx" })?.contains("provider ID") == true)
        let carol = try ECDHPrivateKey(generatingOn: .p256)
        let aliceToCarol = try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: carol.publicKey)
        #expect(try await failureReason(aliceToCarol, edk)?.contains("not this keyring's") == true)
        // The AWS KMS ECDH keyring's provider ID has the same layout and is read too (spec: OnDecrypt).
        #expect(try await failureReason(keyring, edit { $0.providerID = "aws-kms-ecdh" }) == nil)
    }

    @Test("decrypt with a data key already present fails and changes nothing")
    func dataKeyPresent() async throws {
        let p = try Parties(.p256)
        let keyring = RawECDHDiscoveryKeyring(recipientPrivateKey: p.bob)
        let materials = DecryptionMaterials(suite: .aes256GCMHKDFSHA512CommitKey, encryptionContext: [:], plaintextDataKey: try RandomBytes.secure(count: 32))
        await #expect(throws: EnvelopeError.self) { _ = try await keyring.onDecrypt(materials, encryptedDataKeys: []) }
    }

    @Test("keys on two curves, a non-PEM private key and a non-DER public key are refused with a typed cause")
    func initialization() throws {
        let alice = try ECDHPrivateKey(generatingOn: .p256)
        let carol = try ECDHPrivateKey(generatingOn: .p384)
        func cause(_ body: () throws -> Void) -> ECDHKeyError.Reason? {
            do { try body(); return nil } catch let error as EnvelopeError {
                #expect(error.code == .invalidArgument)
                return (error.causes.first as? ECDHKeyError)?.reason
            } catch { return nil }
        }
        #expect(cause { _ = try RawECDHKeyring(senderPrivateKey: alice, recipientPublicKey: carol.publicKey) } == .wrongCurve(expected: .p256, found: "P-384"))
        let carolDER = try carol.publicKey.subjectPublicKeyInfo()
        guard case .wrongCurve? = cause({ _ = try RawECDHEphemeralKeyring(curve: .p256, recipientPublicKeyDER: carolDER) }) else {
            Issue.record("a P-384 key was not refused as the wrong curve for P-256"); return
        }
        guard case .wrongCurve? = cause({ _ = try RawECDHDiscoveryKeyring(curve: .p256, recipientPrivateKeyPEM: try carol.privatePEM()) }) else {
            Issue.record("a P-384 private key was not refused as the wrong curve for P-256"); return
        }
        #expect(cause { _ = try RawECDHDiscoveryKeyring(curve: .p256, recipientPrivateKeyPEM: "not a key") } == .invalidPrivateKey)
        let pemText = Array(try alice.privatePEM().utf8)
        #expect(cause { _ = try RawECDHEphemeralKeyring(curve: .p256, recipientPublicKeyDER: pemText) } == .notSubjectPublicKeyInfo)
    }

    @Test("descriptions name curve, schema and public keys only")
    func descriptions() throws {
        let p = try Parties(.p521)
        let keyring = try RawECDHKeyring(senderPrivateKey: p.alice, recipientPublicKey: p.bob.publicKey)
        #expect(keyring.description.hasPrefix("raw ECDH keyring (P-521, static: sender "))
        #expect(RawECDHDiscoveryKeyring(recipientPrivateKey: p.bob).description.contains("discovery"))
        #expect(RawECDHEphemeralKeyring(recipientPublicKey: p.bob.publicKey).description.contains("ephemeral"))
        #expect(keyring.senderPublicKey == p.alice.publicKey && keyring.recipientPublicKey == p.bob.publicKey && keyring.curve == .p521)
    }
}
