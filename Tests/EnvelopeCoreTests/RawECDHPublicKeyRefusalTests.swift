import Foundation
import Testing
import EnvelopeCrypto
import EnvelopeTestSupport
@testable import EnvelopeCore

/// Every invalid public key of Project Wycheproof's ECDH files is refused by the raw ECDH keyrings,
/// where a keyring meets other parties' keys: a recipient's DER SubjectPublicKeyInfo at
/// initialization, and a sender's SEC1 point in a message's encrypted data key at decrypt.
///
/// The files are the ones `EnvelopeCryptoTests` checks the primitives with
/// (`Tests/EnvelopeCryptoTests/Vectors/wycheproof`, see the `SOURCE.md` there); this suite reads them
/// from the checkout rather than keeping a second copy.
@Suite("Raw ECDH keyrings refuse invalid public keys (Wycheproof)")
struct RawECDHPublicKeyRefusalTests {
    struct Case { let tcId: Int; let publicKey: [UInt8]; let result: String }

    static func cases(_ name: String) throws -> [Case] {
        let url = TestRepository.file("Tests/EnvelopeCryptoTests/Vectors/wycheproof/\(name)")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (file["testGroups"] as! [[String: Any]]).flatMap { group in
            (group["tests"] as! [[String: Any]]).map {
                Case(tcId: $0["tcId"] as! Int, publicKey: bytes(fromHex: $0["public"] as! String)!, result: $0["result"] as! String)
            }
        }
    }

    static func refusal(_ error: any Error) -> ECDHKeyError? {
        guard let envelope = error as? EnvelopeError, envelope.code == .invalidArgument else { return nil }
        return envelope.causes.first as? ECDHKeyError
    }

    @Test("every invalid recipient key (DER) is refused at initialization, every valid one accepted",
          arguments: [(ECDHCurve.p256, "ecdh_secp256r1_test.json", 52), (.p384, "ecdh_secp384r1_test.json", 46), (.p521, "ecdh_secp521r1_test.json", 56)])
    func initialization(curve: ECDHCurve, file: String, invalidCount: Int) throws {
        let sender = try ECDHPrivateKey(generatingOn: curve).privatePEM()
        var refused = 0
        for test in try Self.cases(file) where test.result != "acceptable" {
            let ephemeral = Result { try RawECDHEphemeralKeyring(curve: curve, recipientPublicKeyDER: test.publicKey) }
            let staticKeyring = Result { try RawECDHKeyring(curve: curve, senderPrivateKeyPEM: sender, recipientPublicKeyDER: test.publicKey) }
            if test.result == "invalid" {
                for outcome in [ephemeral.map { _ in () }, staticKeyring.map { _ in () }] {
                    guard case .failure(let error) = outcome else {
                        Issue.record("\(file) tcId \(test.tcId): an invalid public key was accepted"); continue
                    }
                    #expect(Self.refusal(error) != nil, "\(file) tcId \(test.tcId): refused without a typed ECDHKeyError cause: \(error)")
                }
                refused += 1
            } else {
                #expect((try? ephemeral.get()) != nil && (try? staticKeyring.get()) != nil, "\(file) tcId \(test.tcId): a valid key was refused")
            }
        }
        #expect(refused == invalidCount)
    }

    /// An encrypted data key addressed to `recipient` whose sender key is `senderPoint`.
    static func edk(recipient: ECDHPrivateKey, senderPoint: [UInt8], suite: AlgorithmSuite) -> EncryptedDataKey {
        EncryptedDataKey(providerID: "raw-ecdh",
                         providerInfo: RawECDHWrapping.providerInfo(sender: senderPoint, recipient: recipient.publicKey.compressedPoint),
                         ciphertext: [UInt8](repeating: 7, count: 64 + suite.dataKeyLength + 16))
    }

    static func decryptRefusal(_ keyring: RawECDHDiscoveryKeyring, _ edk: EncryptedDataKey, suite: AlgorithmSuite) async -> ECDHKeyError? {
        do {
            _ = try await keyring.onDecrypt(DecryptionMaterials(suite: suite, encryptionContext: [:]), encryptedDataKeys: [edk])
            return nil
        } catch let error as EnvelopeError {
            #expect(error.code == .unableToDecryptDataKey)
            #expect(error.dataKeyFailures.count == 1)
            return error.causes.first as? ECDHKeyError
        } catch {
            return nil
        }
    }

    @Test("every invalid sender point (Wycheproof P-384 ecpoint) in a message is refused at decrypt, with the reason collected")
    func decryptWycheproofPoints() async throws {
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let recipient = try ECDHPrivateKey(generatingOn: .p384)
        let keyring = RawECDHDiscoveryKeyring(recipientPrivateKey: recipient)
        var refused = 0
        for test in try Self.cases("ecdh_secp384r1_ecpoint_test.json") where test.result == "invalid" {
            let reason = await Self.decryptRefusal(keyring, Self.edk(recipient: recipient, senderPoint: test.publicKey, suite: suite), suite: suite)
            #expect(reason != nil, "tcId \(test.tcId): an invalid sender point was not refused with an ECDHKeyError")
            refused += 1
        }
        #expect(refused == 18)
    }

    @Test("points off the curve, at infinity, or of another curve's length are refused at decrypt", arguments: ECDHCurve.allCases)
    func decryptMadePoints(curve: ECDHCurve) async throws {
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let recipient = try ECDHPrivateKey(generatingOn: curve)
        let keyring = RawECDHDiscoveryKeyring(recipientPrivateKey: recipient)
        let valid = try ECDHPrivateKey(generatingOn: curve).publicKey.uncompressedPoint
        var offCurve = valid
        offCurve[offCurve.count - 1] ^= 1
        let other = try ECDHPrivateKey(generatingOn: curve == .p256 ? .p384 : .p256).publicKey.compressedPoint
        let expectations: [([UInt8], ECDHKeyError.Reason)] = [
            (offCurve, .pointNotOnCurve), ([0x00], .pointAtInfinity), (other, .malformedPoint),
        ]
        for (point, reason) in expectations {
            let found = await Self.decryptRefusal(keyring, Self.edk(recipient: recipient, senderPoint: point, suite: suite), suite: suite)
            #expect(found?.reason == reason, "\(curve): expected \(reason), got \(String(describing: found))")
        }
    }
}
