import EnvelopeCrypto
import Testing

/// Project Wycheproof's AES-GCM, HKDF and HMAC vectors (`Vectors/SOURCE.md`) against EnvelopeCrypto's
/// public API. Each test prints its row of the Wycheproof table ("Wycheproof | file | tests | passed |
/// failed | skipped | acceptable accepted / refused |").
@Suite("Wycheproof: AES-GCM, HKDF, HMAC")
struct WycheproofSymmetricTests {
    struct AEADSizes: Decodable { let ivSize, tagSize: Int }
    struct AEADInputs: Decodable { let key, iv, aad, msg, ct, tag: String }

    /// AES-GCM as the ESDK uses it: a 12-byte IV and a 16-byte tag, the only shape `AESGCM` takes.
    /// Groups with another IV size (8 to 2056 bits, 0 bits) are skipped, and counted: 119 cases. For
    /// them the test still checks that our API refuses the IV with `invalidInput` rather than doing
    /// something else with it. Valid cases: seal gives the exact ciphertext and tag, open gives the
    /// message back. Invalid cases (modified tags): open throws `authenticationFailed`.
    @Test("AES-GCM: every 12-byte-IV, 16-byte-tag case; the others are refused by the API and counted as skipped")
    func aesGCM() throws {
        let name = "aes_gcm_test.json"
        let file = try WycheproofFile<AEADSizes, AEADInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for group in file.testGroups {
            guard group.parameters.ivSize == 8 * AESGCM.ivLength, group.parameters.tagSize == 8 * AESGCM.tagLength else {
                for test in group.tests { try expectIVRefused(test.inputs, tcId: test.tcId) }
                tally.skip(group.tests.count)
                continue
            }
            for test in group.tests {
                let key = try SecureBytes(copying: wycheproofBytes(test.inputs.key))
                let (iv, aad, msg, ct, tag) = try (wycheproofBytes(test.inputs.iv), wycheproofBytes(test.inputs.aad), wycheproofBytes(test.inputs.msg),
                                                   wycheproofBytes(test.inputs.ct), wycheproofBytes(test.inputs.tag))
                tally.judge(test, refusalIsExpected: { ($0 as? CryptoError)?.kind == .authenticationFailed }) {
                    let opened = try AESGCM.open(ct, tag: tag, key: key, iv: iv, authenticating: aad)
                    let sealed = try AESGCM.seal(msg, key: key, iv: iv, authenticating: aad)
                    return .accepted(matchesExpected: opened == msg && sealed.ciphertext == ct && sealed.tag == tag)
                }
            }
        }
        tally.finish(expectedSkipped: 119)
    }

    private func expectIVRefused(_ test: AEADInputs, tcId: Int) throws {
        let key = try SecureBytes(copying: wycheproofBytes(test.key))
        let iv = try wycheproofBytes(test.iv)
        let sealError = #expect(throws: CryptoError.self, "tcId \(tcId)") {
            try AESGCM.seal(wycheproofBytes(test.msg), key: key, iv: iv, authenticating: wycheproofBytes(test.aad))
        }
        let openError = #expect(throws: CryptoError.self, "tcId \(tcId)") {
            try AESGCM.open(wycheproofBytes(test.ct), tag: wycheproofBytes(test.tag), key: key, iv: iv, authenticating: wycheproofBytes(test.aad))
        }
        #expect(sealError?.kind == .invalidInput && openError?.kind == .invalidInput, "tcId \(tcId)")
    }

    struct HKDFInputs: Decodable {
        let ikm, salt, info, okm: String
        let size: Int
    }

    /// HKDF extract-and-expand: valid cases give the exact output key material; the invalid ones ask
    /// for more than 255 hash lengths and must throw.
    @Test("HKDF: every case", arguments: [(HashFunction.sha256, "hkdf_sha256_test.json"), (.sha384, "hkdf_sha384_test.json"),
                                         (.sha512, "hkdf_sha512_test.json")])
    func hkdf(hash: HashFunction, name: String) throws {
        let file = try WycheproofFile<NoParameters, HKDFInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for test in file.testGroups.flatMap(\.tests) {
            let ikm = try SecureBytes(copying: wycheproofBytes(test.inputs.ikm))
            let (salt, info, okm) = try (wycheproofBytes(test.inputs.salt), wycheproofBytes(test.inputs.info), wycheproofBytes(test.inputs.okm))
            tally.judge(test, refusalIsExpected: { ($0 as? CryptoError)?.kind == .invalidInput }) {
                let derived = try HKDF.deriveKey(hash: hash, inputKey: ikm, salt: salt, info: info, length: test.inputs.size)
                return .accepted(matchesExpected: derived.unprotectedCopy() == okm)
            }
        }
        tally.finish(expectedSkipped: 0)
    }

    struct MACSize: Decodable { let tagSize: Int }
    struct MACInputs: Decodable { let key, msg, tag: String }

    /// HMAC: our API computes the full tag; a case passes when the leading `tagSize` bits of it equal
    /// the file's tag, compared in constant time (so the truncated-tag groups check the leading bytes
    /// of our output). Invalid cases (modified tags) must not compare equal.
    @Test("HMAC: every case", arguments: [(HashFunction.sha256, "hmac_sha256_test.json"), (.sha384, "hmac_sha384_test.json"),
                                         (.sha512, "hmac_sha512_test.json")])
    func hmac(hash: HashFunction, name: String) throws {
        let file = try WycheproofFile<MACSize, MACInputs>.load(name)
        var tally = WycheproofTally(name, file)
        for group in file.testGroups {
            for test in group.tests {
                let (key, msg, tag) = try (wycheproofBytes(test.inputs.key), wycheproofBytes(test.inputs.msg), wycheproofBytes(test.inputs.tag))
                tally.judge(test) {
                    let computed = try hash.hmac(key: key, data: msg)
                    guard ConstantTime.equal(computed.prefix(group.parameters.tagSize / 8), tag) else {
                        return .refused(CryptoError(.authenticationFailed, "HMAC tag differs"))
                    }
                    return .accepted(matchesExpected: true)
                }
            }
        }
        tally.finish(expectedSkipped: 0)
    }
}
