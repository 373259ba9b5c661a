/// Checks applied to materials a materials manager (or keyring) returns, before they are used or
/// cached: whatever a custom manager returns, a message is only ever written or read with the
/// suite that was asked for, that the commitment policy allows, and a data key of its length.
///
/// Spec: framework/default-cmm.md ("Get Encryption Materials": the returned suite MUST be the
/// requested one), client-apis/encrypt.md and client-apis/decrypt.md (commitment policy).
enum MaterialsChecks {
    /// Refuses encryption materials for another suite than `suite`, for a suite `policy` forbids,
    /// or without a data key of the suite's length.
    static func checkEncryption(_ materials: EncryptionMaterials, suite: AlgorithmSuite, policy: CommitmentPolicy,
                                manager: @autoclosure () -> String) throws {
        guard materials.suite == suite else {
            throw EnvelopeError(.keyringFailure, "\(manager()) returned materials for \(materials.suite.name) although \(suite.name) was requested. A materials manager must return the requested suite.")
        }
        guard policy.allowsEncrypt(with: materials.suite) else {
            throw CommitmentChecks.encryptRefused(materials.suite, policy)
        }
        guard materials.plaintextDataKey?.count == suite.dataKeyLength else {
            throw EnvelopeError(.keyringFailure, "\(manager()) returned no data key of the right length for \(suite.name). Use a keyring that can generate data keys.")
        }
    }

    /// Refuses decryption materials for another suite than the message's, for a suite `policy`
    /// forbids, or without a data key of the suite's length.
    static func checkDecryption(_ materials: DecryptionMaterials, suite: AlgorithmSuite, policy: CommitmentPolicy,
                                manager: @autoclosure () -> String) throws {
        guard materials.suite == suite else {
            throw EnvelopeError(.keyringFailure, "\(manager()) returned materials for \(materials.suite.name) although the message uses \(suite.name). A materials manager must return the message's suite.")
        }
        guard policy.allowsDecrypt(of: materials.suite) else {
            throw CommitmentChecks.decryptRefused(materials.suite, policy)
        }
        guard materials.plaintextDataKey?.count == suite.dataKeyLength else {
            throw EnvelopeError(.keyringFailure, "\(manager()) returned no data key of the right length for \(suite.name).")
        }
    }
}
