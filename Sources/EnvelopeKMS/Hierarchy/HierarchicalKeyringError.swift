import EnvelopeCore

/// Why the hierarchical keyring could not wrap or unwrap one data key.
///
/// The keyring puts these in the `causes` of the `EnvelopeError` it throws (and, on decrypt,
/// their text in its `dataKeyFailures`, one per encrypted data key). Never carries key material.
public struct HierarchicalKeyringError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable {
        /// The branch key ID supplier failed (its own error, e.g. a ``BranchKeyIDSupplierError``).
        case supplierFailed(any Error)
        /// The branch key store failed (its own typed error: DynamoDB, KMS, a missing item…).
        case storeFailed(any Error)
        /// The store returned another branch key or version than the one asked for.
        case unexpectedBranchKey(identifier: String, version: String)
        /// The store returned a version that is not a UUID.
        case malformedVersion(String)
        /// The store returned a branch key that is not 32 bytes.
        case wrongBranchKeyLength(Int)
        /// The encrypted data key's ciphertext has the wrong length for the suite.
        case malformedCiphertext(length: Int, expected: Int)
        /// AES-GCM did not authenticate the wrapped key: another branch key (or version) made it,
        /// the encryption context differs, or the encrypted data key was modified.
        case unwrapFailed
        /// The crypto library failed while deriving or wrapping.
        case crypto(any Error)
    }

    /// The branch key involved.
    public let branchKeyIdentifier: String
    /// The branch key version involved (nil for the active version before the store answered).
    public let branchKeyVersion: String?
    /// What went wrong.
    public let reason: Reason

    /// Creates an error record.
    ///
    /// - Parameters:
    ///   - branchKeyIdentifier: The branch key involved.
    ///   - branchKeyVersion: The version involved, when known.
    ///   - reason: What went wrong.
    public init(branchKeyIdentifier: String, branchKeyVersion: String?, reason: Reason) {
        self.branchKeyIdentifier = branchKeyIdentifier
        self.branchKeyVersion = branchKeyVersion
        self.reason = reason
    }

    /// One line: the branch key (and version) and what went wrong.
    public var description: String {
        let key = "branch key \"\(branchKeyIdentifier)\"" + (branchKeyVersion.map { " version \($0)" } ?? "")
        switch reason {
        case .supplierFailed(let error): return "the branch key ID supplier failed: \(error)"
        case .storeFailed(let error): return "the branch key store could not return \(key): \(error)"
        case .unexpectedBranchKey(let id, let version):
            return "the branch key store answered with branch key \"\(id)\" version \(version) when asked for \(key); the answer was discarded"
        case .malformedVersion: return "the branch key store returned \(key) with a version that is not a UUID"
        case .wrongBranchKeyLength(let n): return "the branch key store returned \(key) with a \(n)-byte key; branch keys are 32 bytes"
        case .malformedCiphertext(let n, let expected): return "the encrypted data key is \(n) bytes, expected \(expected) for \(key)"
        case .unwrapFailed:
            return "AES-GCM did not authenticate the data key wrapped under \(key): another branch key made it, the encryption context differs, or it was modified"
        case .crypto(let error): return "deriving or wrapping with \(key) failed in the crypto library: \(error)"
        }
    }
}

extension HierarchicalKeyringError: ErrorWithCauses {
    /// The supplier's, store's or crypto library's error, when there is one.
    public var underlyingErrors: [any Error] {
        switch reason {
        case .supplierFailed(let e), .storeFailed(let e), .crypto(let e): [e]
        default: []
        }
    }
}
