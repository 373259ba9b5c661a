import EnvelopeCrypto
import Testing

/// Project Wycheproof's ECDH vectors (`Vectors/SOURCE.md`) against `ECDHPublicKey` and
/// `ECDHPrivateKey`; each test prints its row of the Wycheproof table.
///
/// Public keys come as DER SubjectPublicKeyInfo (how the raw ECDH keyring takes a recipient's key)
/// or, in the `ecpoint` file, as SEC1 points (how it reads keys from a message). Private keys are
/// raw scalars. Valid cases give the exact shared secret. Every invalid case (point off the curve,
/// invalid-curve attacks, another curve, explicit or modified curve parameters, bad encodings) is
/// refused with an `ECDHKeyError`.
///
/// Acceptable cases, decided per kind (identical in the four files):
/// - compressed public points (`CompressedPublic`): accepted, with the right secret; the keyring
///   stores compressed points in messages, so accepting them is required.
/// - explicit curve parameters, even correct ones (`UnnamedCurve`): refused; only named curves.
/// - DER oddities (`InvalidAsn`): whatever OpenSSL's SubjectPublicKeyInfo parser and the checks above
///   make of them; an accepted one must give the right secret (the test holds either way, and the
///   printed table shows how many were accepted).
@Suite("Wycheproof: ECDH")
struct WycheproofECDHTests {
    struct Encoding: Decodable { let encoding: String }
    struct ECDHInputs: Decodable { let `public`, `private`, shared: String }

    @Test("ECDH: every case; invalid public keys refused with a typed error", arguments: [
        (ECDHCurve.p256, "ecdh_secp256r1_test.json"), (.p384, "ecdh_secp384r1_test.json"),
        (.p521, "ecdh_secp521r1_test.json"), (.p384, "ecdh_secp384r1_ecpoint_test.json"),
    ])
    func ecdh(curve: ECDHCurve, name: String) throws {
        let file = try WycheproofFile<Encoding, ECDHInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for group in file.testGroups {
            for test in group.tests {
                let (publicBytes, shared) = try (wycheproofBytes(test.inputs.public), wycheproofBytes(test.inputs.shared))
                let privateKey = try ECDHPrivateKey(scalar: SecureBytes(copying: wycheproofBytes(test.inputs.private)), curve: curve)
                let readPeer = {
                    group.parameters.encoding == "ecpoint"
                        ? try ECDHPublicKey(point: publicBytes, curve: curve)
                        : try ECDHPublicKey(subjectPublicKeyInfo: publicBytes, curve: curve)
                }
                tally.judge(test, refusalIsExpected: { $0 is ECDHKeyError }) {
                    .accepted(matchesExpected: try privateKey.sharedSecret(with: readPeer()).unprotectedCopy() == shared)
                }
                if test.flags.contains("CompressedPublic") {
                    #expect((try? readPeer()) != nil, "tcId \(test.tcId): a compressed public key must be accepted")
                }
                if test.flags.contains("UnnamedCurve") {
                    #expect(throws: ECDHKeyError(.explicitCurveParameters), "tcId \(test.tcId)") { try readPeer() }
                }
            }
        }
        tally.finish(expectedSkipped: 0)
    }
}
