import EnvelopeCrypto
import Testing

/// Project Wycheproof's RSAES-PKCS1-v1_5 vectors against the raw RSA keyring's unwrap, which uses
/// implicit rejection: no invalid ciphertext is distinguishable from a valid one by the outcome.
@Suite("Wycheproof: RSAES-PKCS1-v1_5 implicit rejection")
struct WycheproofImplicitRejectionTests {
    /// Valid cases unwrap to the exact message. Every invalid case (bad padding, wrong block type,
    /// ciphertexts out of range or of the wrong length) succeeds like a valid one, with a key of the
    /// expected length that is not the file's message and is the same on a second call (derived from
    /// the private key and the ciphertext, so a retry tells an attacker nothing either). The message
    /// then fails, uniformly, at the header authentication tag.
    @Test("RSAES-PKCS1-v1_5 unwrap: valid cases exact; invalid ones give a deterministic synthetic key, never an error",
          arguments: ["rsa_pkcs1_2048_test.json", "rsa_pkcs1_4096_test.json"])
    func implicitRejection(name: String) throws {
        let file = try WycheproofFile<WycheproofPublicKeyTests.RSAKey, WycheproofPublicKeyTests.RSAInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for group in file.testGroups {
            let key = try RSAPrivateKey(pem: group.parameters.privateKeyPem)
            for test in group.tests {
                let (msg, ct) = try (wycheproofBytes(test.inputs.msg), wycheproofBytes(test.inputs.ct))
                // The data key length the keyring expects: the message's for valid cases, a
                // 32-byte data key for invalid ones (whatever the file's message length).
                let expectedLength = test.result == .valid ? msg.count : 32
                // A data key is never empty: the unwrap refuses a 0-byte expected length, so the
                // empty-message valid cases are skipped (counted).
                guard expectedLength > 0 else {
                    tally.skip(1)
                    continue
                }
                let unwrapped = try key.unwrapPKCS1(ct, expectedLength: expectedLength).unprotectedCopy()
                let again = try key.unwrapPKCS1(ct, expectedLength: expectedLength).unprotectedCopy()
                tally.judge(test) {
                    if test.result == .valid { return .accepted(matchesExpected: unwrapped == msg) }
                    // Invalid: the shape of a success, but a key that was never encrypted.
                    guard unwrapped.count == expectedLength, unwrapped == again, unwrapped != msg else {
                        return .accepted(matchesExpected: false)
                    }
                    return .refused(CryptoError(.authenticationFailed, "implicitly rejected"))
                }
            }
        }
        tally.finish(expectedSkipped: 1)
    }
}
