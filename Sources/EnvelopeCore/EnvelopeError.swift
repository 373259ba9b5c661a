// The one public error type of EnvelopeKit's envelope core (issue 2, item 5).

/// Every failure EnvelopeCore reports.
///
/// A struct with a growable ``Code`` (new codes never break callers), a ``message`` that says what
/// went wrong and what to do, and the underlying ``causes``. Messages never contain key material
/// or plaintext.
public struct EnvelopeError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable failure code. New codes may be added in any release.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        /// The code's stable string form, e.g. `"malformed-message"`.
        public let rawValue: String
        /// Creates a code from its string form.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The string form.
        public var description: String { rawValue }

        /// The bytes are not a well-formed ESDK message (or end too early).
        public static let malformedMessage = Code(rawValue: "malformed-message")
        /// The input looks like a base64-encoded message; decode it first.
        public static let base64EncodedMessage = Code(rawValue: "base64-encoded-message")
        /// A header tag, frame tag, key commitment or signature did not verify.
        public static let authenticationFailed = Code(rawValue: "authentication-failed")
        /// No keyring could decrypt any of the message's encrypted data keys.
        public static let unableToDecryptDataKey = Code(rawValue: "unable-to-decrypt-data-key")
        /// The algorithm suite is not allowed by the client's commitment policy.
        public static let commitmentPolicyViolation = Code(rawValue: "commitment-policy-violation")
        /// The message carries more encrypted data keys than the client allows.
        public static let tooManyEncryptedDataKeys = Code(rawValue: "too-many-encrypted-data-keys")
        /// A caller-supplied argument is not acceptable.
        public static let invalidArgument = Code(rawValue: "invalid-argument")
        /// The encryption context is not acceptable (reserved key, mismatch, missing required key).
        public static let encryptionContextMismatch = Code(rawValue: "encryption-context-mismatch")
        /// A keyring or materials manager failed or returned unusable materials.
        public static let keyringFailure = Code(rawValue: "keyring-failure")
        /// Reading or writing a file failed; the cause is an ``IOFailure``.
        public static let io = Code(rawValue: "io")
        /// The underlying cryptographic library failed.
        public static let cryptoFailure = Code(rawValue: "crypto-failure")
        /// The message is larger than the format allows (frame count, content length), or
        /// larger than the client's ``DecryptionLimits``; the cause is a ``LimitFailure``.
        public static let limitExceeded = Code(rawValue: "limit-exceeded")
        /// The message uses a signed suite and the client's ``DecryptionLimits/refuseSignedSuites`` is set.
        public static let signedSuiteRefused = Code(rawValue: "signed-suite-refused")
        /// Memory for the frame pipeline could not be obtained.
        public static let outOfMemory = Code(rawValue: "out-of-memory")
    }

    /// Why one encrypted data key was not decrypted by one keyring.
    public struct DataKeyFailure: Sendable, Hashable, CustomStringConvertible {
        /// The EDK's provider ID (key namespace for raw keyrings, `aws-kms` for KMS).
        public let providerID: String
        /// The key name or key ARN found in the EDK's provider info.
        public let keyName: String
        /// Which keyring tried (or skipped) it.
        public let keyring: String
        /// Why it was not decrypted.
        public let reason: String

        /// Creates a failure record.
        public init(providerID: String, keyName: String, keyring: String, reason: String) {
            self.providerID = providerID
            self.keyName = keyName
            self.keyring = keyring
            self.reason = reason
        }

        /// One line: provider, key, keyring, reason.
        public var description: String {
            "provider \"\(UntrustedText.escaped(providerID))\" key \"\(UntrustedText.escaped(keyName))\" (\(keyring)): \(reason)"
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String
    /// The underlying errors, if any.
    public let causes: [any Error]
    /// For a decrypt that no keyring could serve: one record per encrypted data key and keyring.
    public let dataKeyFailures: [DataKeyFailure]

    /// Creates an error.
    public init(_ code: Code, _ message: String, causes: [any Error] = [], dataKeyFailures: [DataKeyFailure] = []) {
        self.code = code
        self.message = message
        self.causes = causes
        self.dataKeyFailures = dataKeyFailures
    }

    /// The message, the per-key failures and the causes, one per line.
    public var description: String {
        var text = "\(message) [\(code.rawValue)]"
        for failure in dataKeyFailures { text += "\n  - \(failure)" }
        if dataKeyFailures.isEmpty {
            for cause in causes { text += "\n  caused by: \(cause)" }
        }
        return text
    }

    static func malformed(_ what: String) -> EnvelopeError {
        EnvelopeError(.malformedMessage, "The message is malformed: \(what). Check that the input is a complete, unmodified AWS Encryption SDK message.")
    }

    static func tagFailed(_ what: String) -> EnvelopeError {
        EnvelopeError(.authenticationFailed, "The \(what) did not verify: the message was modified, truncated, or encrypted under a different key or encryption context. Do not use any output already produced.")
    }

    static func wrapping(_ error: any Error, _ message: String, code: Code = .cryptoFailure) -> EnvelopeError {
        if let e = error as? EnvelopeError { return e }
        return EnvelopeError(code, message, causes: [error])
    }
}
