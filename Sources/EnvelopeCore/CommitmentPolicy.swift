/// Which algorithm suites a client may encrypt with and decrypt.
///
/// Spec: framework/commitment-policy.md, client-apis/client.md ("Commitment Policy").
public enum CommitmentPolicy: String, Sendable, CaseIterable {
    /// Encrypt only with non-committing suites (v1 messages); decrypt anything.
    case forbidEncryptAllowDecrypt = "forbid-encrypt-allow-decrypt"
    /// Encrypt only with committing suites; decrypt anything.
    case requireEncryptAllowDecrypt = "require-encrypt-allow-decrypt"
    /// Encrypt and decrypt only committing suites (the default).
    case requireEncryptRequireDecrypt = "require-encrypt-require-decrypt"

    /// The suite used when the caller names none.
    ///
    /// Under `forbidEncryptAllowDecrypt` this is 0x0378 (AES-256, HKDF-SHA384, ECDSA P-384), the
    /// default of the official Python/Java/C SDKs under that policy (framework/commitment-policy.md
    /// names 0x0078, a suite without key derivation or signature; we deliberately do not default to
    /// it). Otherwise 0x0578 (framework/commitment-policy.md).
    public var defaultSuite: AlgorithmSuite {
        self == .forbidEncryptAllowDecrypt ? .aes256GCMHKDFSHA384ECDSAP384 : .aes256GCMHKDFSHA512CommitKeyECDSAP384
    }

    /// True when messages may be encrypted with `suite` under this policy.
    public func allowsEncrypt(with suite: AlgorithmSuite) -> Bool {
        self == .forbidEncryptAllowDecrypt ? !suite.isCommitting : suite.isCommitting
    }

    /// True when messages written with `suite` may be decrypted under this policy.
    public func allowsDecrypt(of suite: AlgorithmSuite) -> Bool {
        self == .requireEncryptRequireDecrypt ? suite.isCommitting : true
    }
}
