import EnvelopeCore

/// Why a KMS keyring could not wrap or unwrap one data key: the key, the KMS action, and the
/// exact KMS error (e.g. `AccessDeniedException` for `kms:Decrypt`).
///
/// KMS keyrings put these in the `causes` of the `EnvelopeError` they throw, and their text in
/// its `dataKeyFailures`; `EnvelopeError/kmsDataKeyErrors` collects them from a whole error tree.
public struct KMSDataKeyError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable {
        /// KMS answered with this error.
        case kms(KMSError)
        /// The transport failed before KMS answered (network, credentials, configuration): the
        /// transport's own typed error (e.g. a `TransportFailure` or `CredentialsFailure`).
        case transport(any Error)
        /// KMS answered for another key than the one asked for.
        case unexpectedKey(KMSKeyARN)
        /// KMS returned a plaintext of the wrong length for the suite.
        case wrongPlaintextLength(got: Int, expected: Int)
        /// KMS RSA keyring: the encryption context digest inside the decrypted key does not match
        /// the message's encryption context (the context was changed, or the key belongs to another message).
        case encryptionContextDigestMismatch
    }

    /// The key as the keyring asked KMS (a key ARN for decrypt; any identifier for encrypt).
    public let key: KMSKeyIdentifier
    /// The KMS action that failed, e.g. `kms:Decrypt`.
    public let action: KMSAction
    /// What went wrong.
    public let reason: Reason

    /// Creates an error record.
    public init(key: KMSKeyIdentifier, action: KMSAction, reason: Reason) {
        self.key = key
        self.action = action
        self.reason = reason
    }

    /// The KMS error, when KMS answered with one.
    public var kmsError: KMSError? {
        if case .kms(let error) = reason { return error }
        return nil
    }

    /// One line: the action, the key and the exact error.
    public var description: String {
        let what: String
        switch reason {
        case .kms(let error): what = error.description
        case .transport(let error): what = "the request did not reach KMS: \(error)"
        case .unexpectedKey(let arn): what = "KMS answered for key \(arn), not the key asked for; the response was discarded"
        case .wrongPlaintextLength(let got, let expected): what = "KMS returned a \(got)-byte data key where the suite needs \(expected) bytes"
        case .encryptionContextDigestMismatch:
            what = "the encryption context digest in the decrypted key does not match the message's encryption context; the data key was not used"
        }
        return "\(action.rawValue) on \(key) failed: \(what)"
    }
}

extension KMSDataKeyError: ErrorWithCauses {
    /// The KMS error or the transport's error, when there is one.
    public var underlyingErrors: [any Error] {
        switch reason {
        case .kms(let error): [error]
        case .transport(let error): [error]
        case .unexpectedKey, .wrongPlaintextLength, .encryptionContextDigestMismatch: []
        }
    }
}

extension EnvelopeError {
    /// Every ``KMSDataKeyError`` in this error and its causes, depth first: one per KMS call that
    /// failed while encrypting or decrypting.
    public var kmsDataKeyErrors: [KMSDataKeyError] {
        var out: [KMSDataKeyError] = []
        func visit(_ error: any Error) {
            if let e = error as? KMSDataKeyError { out.append(e) }
            if let e = error as? EnvelopeError { e.causes.forEach(visit) }
        }
        causes.forEach(visit)
        return out
    }
}

enum EnvelopeKMSKeyringErrors {
    static func noTransport(for region: AWSRegion, have: AWSRegion) -> EnvelopeError {
        EnvelopeError(.invalidArgument, "No KMS transport for Region \(region): this supplier only has one for \(have). Supply a transport per Region (KMSTransportSupplier { region in … }).")
    }

    static func regionMismatch(_ key: KMSKeyIdentifier, keyRegion: AWSRegion, transportRegion: AWSRegion, role: String) -> EnvelopeError {
        EnvelopeError(.invalidArgument, "The \(role) key \(key) is in Region \(keyRegion), but its KMS transport calls Region \(transportRegion); a KMS key is only reachable in its own Region. Give the keyring a transport for \(keyRegion).")
    }

    /// Wraps a failed KMS call.
    static func callFailed(_ error: any Error, key: KMSKeyIdentifier, action: KMSAction) -> KMSDataKeyError {
        if let kms = error as? KMSError {
            return KMSDataKeyError(key: key, action: action, reason: .kms(kms.naming(operation: action.operationName, keyID: key.description)))
        }
        if let e = error as? KMSDataKeyError { return e }
        return KMSDataKeyError(key: key, action: action, reason: .transport(error))
    }
}

/// The provider ID of every encrypted data key a KMS keyring writes.
/// Spec: framework/aws-kms/aws-kms-keyring.md ("OnEncrypt") — key provider id "aws-kms".
public let awsKMSProviderID = "aws-kms"
