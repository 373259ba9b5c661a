import EnvelopeCrypto
import Testing

/// Project Wycheproof's ECDSA, RSAES-OAEP and RSAES-PKCS1-v1_5 vectors (`Vectors/SOURCE.md`) against
/// EnvelopeCrypto's public API; each test prints its row of the Wycheproof table.
@Suite("Wycheproof: ECDSA, RSA-OAEP, RSAES-PKCS1-v1_5")
struct WycheproofPublicKeyTests {
    struct ECDSAKey: Decodable {
        struct PublicKey: Decodable { let uncompressed: String }
        let publicKey: PublicKey
    }
    struct SignatureInputs: Decodable { let msg, sig: String }

    /// ECDSA verification of DER signatures, with the digest each ESDK suite pairs with the curve
    /// (the files use the same pairs). Valid signatures verify; invalid ones (BER encodings, out of
    /// range integers, modified signatures, …) do not.
    @Test("ECDSA: every case", arguments: [(ECDSACurve.p256, "ecdsa_secp256r1_sha256_test.json"),
                                          (.p384, "ecdsa_secp384r1_sha384_test.json")])
    func ecdsa(curve: ECDSACurve, name: String) throws {
        let file = try WycheproofFile<ECDSAKey, SignatureInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for group in file.testGroups {
            let key = try ECDSAPublicKey(point: wycheproofBytes(group.parameters.publicKey.uncompressed), curve: curve)
            for test in group.tests {
                let (msg, sig) = try (wycheproofBytes(test.inputs.msg), wycheproofBytes(test.inputs.sig))
                tally.judge(test) {
                    guard key.isValidSignature(sig, forDigest: try curve.hash.digest(msg)) else {
                        return .refused(CryptoError(.authenticationFailed, "signature did not verify"))
                    }
                    return .accepted(matchesExpected: true)
                }
            }
        }
        tally.finish(expectedSkipped: 0)
    }

    struct RSAKey: Decodable { let privateKeyPem: String }
    struct RSAInputs: Decodable {
        let msg, ct: String
        /// OAEP only.
        let label: String?
    }

    /// RSAES-OAEP decryption with MGF1 on the same digest. The raw RSA keyring uses no OAEP label
    /// and our API takes none, so the cases with a label (all valid) are skipped and counted.
    /// Valid cases decrypt to the exact message; invalid ones throw `authenticationFailed`.
    @Test("RSA-OAEP: every unlabelled case; labelled ones counted as skipped", arguments: [
        (RSAPadding.oaepSHA1, "rsa_oaep_2048_sha1_mgf1sha1_test.json", 7),
        (.oaepSHA256, "rsa_oaep_2048_sha256_mgf1sha256_test.json", 8),
        (.oaepSHA384, "rsa_oaep_2048_sha384_mgf1sha384_test.json", 6),
        (.oaepSHA512, "rsa_oaep_2048_sha512_mgf1sha512_test.json", 4),
        (.oaepSHA256, "rsa_oaep_4096_sha256_mgf1sha256_test.json", 8),
    ])
    func rsaOAEP(padding: RSAPadding, name: String, labelled: Int) throws {
        let file = try WycheproofFile<RSAKey, RSAInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for group in file.testGroups {
            let key = try RSAPrivateKey(pem: group.parameters.privateKeyPem)
            for test in group.tests {
                guard test.inputs.label?.isEmpty ?? true else {
                    tally.skip(1)
                    continue
                }
                let (msg, ct) = try (wycheproofBytes(test.inputs.msg), wycheproofBytes(test.inputs.ct))
                tally.judge(test, refusalIsExpected: { ($0 as? CryptoError)?.kind == .authenticationFailed }) {
                    .accepted(matchesExpected: try key.decrypt(ct, padding: padding).unprotectedCopy() == msg)
                }
            }
        }
        tally.finish(expectedSkipped: labelled)
    }

    /// RSAES-PKCS1-v1_5 decryption: valid cases decrypt to the exact message; invalid ones (bad
    /// padding, wrong block type, ciphertexts out of range or of the wrong length) are refused, and
    /// all of them with one and the same error, so that the caller cannot tell why.
    @Test("RSAES-PKCS1-v1_5: every case; invalid ones all fail with the same error",
          arguments: ["rsa_pkcs1_2048_test.json", "rsa_pkcs1_4096_test.json"])
    func rsaPKCS1(name: String) throws {
        let file = try WycheproofFile<RSAKey, RSAInputs>.load(name)
        var tally = WycheproofTally(name, file)
        var refusals: [CryptoError] = []
        for group in file.testGroups {
            let key = try RSAPrivateKey(pem: group.parameters.privateKeyPem)
            for test in group.tests {
                let (msg, ct) = try (wycheproofBytes(test.inputs.msg), wycheproofBytes(test.inputs.ct))
                tally.judge(test, refusalIsExpected: { error in
                    guard let error = error as? CryptoError else { return false }
                    refusals.append(error)
                    return error.kind == .authenticationFailed
                }) {
                    .accepted(matchesExpected: try key.decrypt(ct, padding: .pkcs1).unprotectedCopy() == msg)
                }
            }
        }
        tally.finish(expectedSkipped: 0)
        let invalid = file.testGroups.flatMap(\.tests).filter { $0.result == .invalid }.count
        #expect(refusals.count == invalid)
        #expect(Set(refusals.map(\.message)).count == 1, "distinguishable refusals: \(Set(refusals.map(\.message)))")
    }
}
